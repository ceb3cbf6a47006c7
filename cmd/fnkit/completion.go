package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
)

// Shell completion. The scripts are small: they hand the words typed so far
// to "fnkit completion __complete WORD..." (the word being completed last)
// and offer what it prints, one candidate per line. A line ":files" asks the
// shell to offer file names as well (the command wants a path there). The
// logic lives here, in Go, where it is tested; the scripts only carry it to
// the shell.

const completeWord = "__complete"

// completionShells are the shells completion has a script for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: bash, zsh, fish or powershell",
		ArgsUsage: "SHELL",
		UsageText: "fnkit completion bash|zsh|fish|powershell",
		Description: "Prints a script that makes the shell complete fnkit's commands, flags, flag values\n" +
			"(--policy, --mode, --format, --target-version) and file names. Load it in the current\n" +
			"shell, or install it where the shell looks for completions.\n\n" +
			"Example:\n" +
			"   $ source <(fnkit completion bash)          # bash, this shell\n" +
			"   $ fnkit completion bash > /etc/bash_completion.d/fnkit\n" +
			"   $ fnkit completion zsh > \"${fpath[1]}/_fnkit\"   # zsh (compinit loads it)\n" +
			"   $ fnkit completion fish > ~/.config/fish/completions/fnkit.fish\n" +
			"   PS> fnkit completion powershell | Out-String | Invoke-Expression",
		// The words handed to __complete are the user's, flags included:
		// they must reach the action untouched.
		SkipFlagParsing: true,
		HideHelpCommand: true,
		Action:          runCompletion,
	}
}

func runCompletion(c *cli.Context) error {
	args := c.Args().Slice()
	if len(args) > 0 && args[0] == completeWord {
		for _, cand := range complete(c.App.Commands, args[1:]) {
			fmt.Fprintln(c.App.Writer, cand)
		}
		return nil
	}
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		return cli.ShowCommandHelp(c.Lineage()[1], c.Command.Name)
	}
	if len(args) != 1 {
		return usagef(c, "completion takes one SHELL: %s", strings.Join(completionShells, ", "))
	}
	return writeCompletionScript(c.App.Writer, args[0], c)
}

func writeCompletionScript(w io.Writer, shell string, c *cli.Context) error {
	var script string
	switch strings.ToLower(shell) {
	case "bash":
		script = bashCompletion
	case "zsh":
		script = zshCompletion
	case "fish":
		script = fishCompletion
	case "powershell", "pwsh":
		script = powershellCompletion
	default:
		return usagef(c, "completion %q: want %s", shell, strings.Join(completionShells, ", "))
	}
	_, err := io.WriteString(w, script)
	return err
}

// flagValues are the values offered after a flag, by command ("" for every
// command).
var flagValues = map[string]map[string][]string{
	"": {
		"policy":          {"fail", "replace", "keep"},
		"mode":            {"append", "replace", "flush"},
		"target-version":  {"10", "11", "12"},
		"payload-version": {"10", "11", "12"},
	},
	"merge": {"format": {"rdb", "dump", "aof", "lua"}},
	"dump":  {"format": {"raw", "hex", "base64"}},
	"pull":  {"format": {"raw", "hex", "base64", "lua"}},
}

// complete returns the candidates for the last of words (the words after
// the program name; the last is the one being completed, possibly empty).
func complete(cmds []*cli.Command, words []string) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	// bash splits "--flag=value" at '=' (COMP_WORDBREAKS) and replaces only
	// the part after '=': join the words back so the logic sees what the
	// user typed, and answer with bare values.
	n := len(words)
	isFlag := func(w string) bool { return strings.HasPrefix(w, "-") && !strings.Contains(w, "=") }
	split := (n >= 2 && words[n-1] == "=" && isFlag(words[n-2])) || (n >= 3 && words[n-2] == "=" && isFlag(words[n-3]))
	words = joinEquals(words)
	cur := words[len(words)-1]
	before := words[:len(words)-1]

	var cmd *cli.Command
	for i, w := range before {
		if w == "--" || strings.HasPrefix(w, "-") {
			continue
		}
		for _, c := range cmds {
			if c.HasName(w) && !c.Hidden {
				cmd = c
			}
		}
		if cmd != nil {
			before = before[i+1:]
		}
		break
	}
	if cmd == nil {
		if len(before) > 0 && before[0] == "help" {
			return prefixed(commandNames(cmds), cur)
		}
		if strings.HasPrefix(cur, "-") {
			return prefixed([]string{"--help", "-h"}, cur)
		}
		return prefixed(append(commandNames(cmds), "help"), cur)
	}
	if cmd.Name == "completion" {
		if len(before) == 0 {
			return prefixed(completionShells, cur)
		}
		return nil
	}

	takesValue := map[string]bool{}
	var flagNames []string
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
			if len(n) > 1 {
				flagNames = append(flagNames, "--"+n)
			}
		}
	}
	flagNames = append(flagNames, "--help")

	// --flag=partial
	if strings.HasPrefix(cur, "-") && strings.Contains(cur, "=") {
		name, val, _ := strings.Cut(strings.TrimLeft(cur, "-"), "=")
		dashes := cur[:len(cur)-len(strings.TrimLeft(cur, "-"))]
		if vals := valuesFor(cmd.Name, name); vals != nil {
			if split {
				return prefixed(vals, val)
			}
			var out []string
			for _, v := range prefixed(vals, val) {
				out = append(out, dashes+name+"="+v)
			}
			return out
		}
		if takesValue[name] {
			return []string{":files"}
		}
		return nil
	}
	// the value of the flag before
	if n := len(before); n > 0 && strings.HasPrefix(before[n-1], "-") && !strings.Contains(before[n-1], "=") {
		name := strings.TrimLeft(before[n-1], "-")
		if takesValue[name] {
			if vals := valuesFor(cmd.Name, name); vals != nil {
				return prefixed(vals, cur)
			}
			return []string{":files"}
		}
	}
	if strings.HasPrefix(cur, "-") {
		sort.Strings(flagNames)
		return prefixed(flagNames, cur)
	}
	return []string{":files"}
}

func valuesFor(cmd, flag string) []string {
	if v, ok := flagValues[cmd][flag]; ok {
		return v
	}
	if cmd == "restore" || cmd == "push" || flag != "mode" {
		return flagValues[""][flag]
	}
	return nil
}

// joinEquals turns ["--policy", "=", "re"] (bash's split of --policy=re)
// back into ["--policy=re"].
func joinEquals(words []string) []string {
	var out []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w == "=" && len(out) > 0 && strings.HasPrefix(out[len(out)-1], "-") && !strings.Contains(out[len(out)-1], "=") {
			out[len(out)-1] += "="
			if i+1 < len(words) {
				out[len(out)-1] += words[i+1]
				i++
			}
			continue
		}
		out = append(out, w)
	}
	return out
}

// commandNames lists the commands to offer; "help", which urfave/cli adds
// to the app's commands when it runs, is added by complete where it fits.
func commandNames(cmds []*cli.Command) []string {
	var out []string
	for _, c := range cmds {
		if !c.Hidden && c.Name != "help" {
			out = append(out, c.Name)
		}
	}
	return out
}

func prefixed(cands []string, prefix string) []string {
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// The scripts. Each asks fnkit itself (the command word the user typed, so
// ./fnkit works too) for the candidates.

const bashCompletion = `# bash completion for fnkit; load with: source <(fnkit completion bash)
_fnkit_complete() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local IFS=$'\n'
    local -a out
    out=($("${COMP_WORDS[0]}" completion __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)) || return 0
    COMPREPLY=()
    local line files=0
    for line in "${out[@]}"; do
        if [[ "$line" == ":files" ]]; then
            files=1
        else
            COMPREPLY+=("$line")
        fi
    done
    if [[ $files == 1 ]]; then
        [[ "$cur" == "=" || "$cur" == *:* ]] && cur=""
        COMPREPLY+=($(compgen -f -- "$cur"))
        compopt -o filenames 2>/dev/null
    fi
    return 0
}
complete -o default -F _fnkit_complete fnkit
`

const zshCompletion = `#compdef fnkit
# zsh completion for fnkit; put it in a directory of $fpath as _fnkit, or
# load it with: source <(fnkit completion zsh)
_fnkit() {
    local -a cands
    local line files=0
    for line in "${(@f)$("${words[1]}" completion __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}"; do
        case "$line" in
            :files) files=1 ;;
            '') ;;
            *) cands+=("$line") ;;
        esac
    done
    (( ${#cands} )) && compadd -Q -- "${cands[@]}"
    (( files )) && _files
    return 0
}
if [[ "${funcstack[1]}" == "_fnkit" ]]; then
    _fnkit "$@"
else
    compdef _fnkit fnkit
fi
`

const fishCompletion = `# fish completion for fnkit; save as ~/.config/fish/completions/fnkit.fish
function __fnkit_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    for line in ($words[1] completion __complete $words[2..-1] "$cur" 2>/dev/null)
        if test "$line" = ":files"
            __fish_complete_path "$cur"
        else
            echo $line
        end
    end
end
complete -c fnkit -f -a '(__fnkit_complete)'
`

const powershellCompletion = `# PowerShell completion for fnkit; load with:
#   fnkit completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName fnkit -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -le $cursorPosition } | ForEach-Object { $_.ToString() })
    if ($wordToComplete -eq '') { $words += '' }
    $exe = $words[0]
    $rest = @()
    if ($words.Count -gt 1) { $rest = $words[1..($words.Count - 1)] }
    $lines = & $exe completion __complete @rest 2>$null
    foreach ($line in $lines) {
        if ($line -eq ':files') {
            Get-ChildItem -Path "$wordToComplete*" -ErrorAction SilentlyContinue | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_.Name, $_.Name, 'ProviderItem', $_.Name)
            }
        } elseif ($line -ne '') {
            [System.Management.Automation.CompletionResult]::new($line, $line, 'ParameterValue', $line)
        }
    }
}
`
