// Package progress draws a one-line progress bar on standard error while a
// command reads a large input: bytes read of the total, the rate and the time
// left. It draws only when the input is at least Threshold bytes and the
// output is a terminal, so pipes, log files and tests stay quiet; when it
// draws nothing it costs one comparison per Read.
//
// The commands and the source package use it in one line:
//
//	r := progress.NewReader(f, size, path, progress.Options{})
//	defer r.Finish()
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// Threshold is the input size from which a bar is drawn (64 MiB).
const Threshold = 64 << 20

// DefaultInterval is the shortest time between two redraws.
const DefaultInterval = 200 * time.Millisecond

// Options control a Reader.
type Options struct {
	// Out is where the bar is drawn; nil means os.Stderr. A bar is drawn
	// only when Out is a terminal, unless Always is set.
	Out io.Writer
	// Always draws whatever the size and whether Out is a terminal (for
	// tests and for callers that decided themselves).
	Always bool
	// Interval is the shortest time between two redraws; zero means
	// DefaultInterval.
	Interval time.Duration
	// Width is the line width; zero means the terminal's width, or 80.
	Width int
	// Now replaces time.Now (tests).
	Now func() time.Time
}

// Reader counts the bytes read through it and draws the bar. Call Finish when
// the input is done (or abandoned) to clear the bar's line.
type Reader struct {
	r       io.Reader
	total   int64
	label   string
	read    int64
	out     io.Writer
	draw    bool
	width   int
	every   time.Duration
	now     func() time.Time
	start   time.Time
	last    time.Time
	drawn   bool
	lineLen int
}

// NewReader wraps r, which holds total bytes (zero or negative when
// unknown), naming it label on the bar. The bar shows when total is at
// least Threshold and the output is a terminal, or when opts.Always is set.
func NewReader(r io.Reader, total int64, label string, opts Options) *Reader {
	out := opts.Out
	if out == nil {
		out = os.Stderr
	}
	pr := &Reader{r: r, total: total, label: label, out: out, every: opts.Interval, now: opts.Now, width: opts.Width}
	if pr.every <= 0 {
		pr.every = DefaultInterval
	}
	if pr.now == nil {
		pr.now = time.Now
	}
	fd, isTerm := terminalFd(out)
	pr.draw = opts.Always || (isTerm && total >= Threshold)
	if pr.width <= 0 {
		pr.width = 80
		if isTerm {
			if w, _, err := term.GetSize(fd); err == nil && w > 20 {
				pr.width = w
			}
		}
	}
	if pr.draw {
		pr.start = pr.now()
	}
	return pr
}

// Enabled reports whether out is a terminal on which a bar for an input of
// total bytes would be drawn.
func Enabled(out io.Writer, total int64) bool {
	_, ok := terminalFd(out)
	return ok && total >= Threshold
}

func terminalFd(w io.Writer) (int, bool) {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok {
		return 0, false
	}
	fd := int(f.Fd())
	return fd, term.IsTerminal(fd)
}

// Drawing reports whether the reader draws a bar.
func (pr *Reader) Drawing() bool { return pr.draw }

// BytesRead returns the number of bytes read so far.
func (pr *Reader) BytesRead() int64 { return pr.read }

// Read reads from the wrapped reader and redraws the bar at most once per
// interval.
func (pr *Reader) Read(p []byte) (int, error) {
	n, err := pr.r.Read(p)
	pr.read += int64(n)
	if pr.draw {
		if t := pr.now(); t.Sub(pr.last) >= pr.every {
			pr.last = t
			pr.render(t)
		}
	}
	return n, err
}

// Finish clears the bar's line, leaving the terminal as it was. It is safe
// to call more than once and on a reader that never drew.
func (pr *Reader) Finish() {
	if pr.drawn {
		fmt.Fprintf(pr.out, "\r%s\r", strings.Repeat(" ", pr.lineLen))
		pr.drawn = false
	}
}

func (pr *Reader) render(t time.Time) {
	line := Line(pr.label, pr.read, pr.total, t.Sub(pr.start), pr.width)
	pad := ""
	if n := len([]rune(line)); n < pr.lineLen {
		pad = strings.Repeat(" ", pr.lineLen-n)
	}
	fmt.Fprintf(pr.out, "\r%s%s", line, pad)
	if n := len([]rune(line)); n > pr.lineLen {
		pr.lineLen = n
	}
	pr.drawn = true
}

// Line formats one state of a bar: the label, a bar of '=' when total is
// known, the bytes read and total, the percentage, the rate and the time
// left, in at most width columns (the label is shortened from the left to
// fit).
func Line(label string, read, total int64, elapsed time.Duration, width int) string {
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(read) / s
	}
	var tail string
	if total > 0 {
		pct := float64(read) * 100 / float64(total)
		if pct > 100 {
			pct = 100
		}
		eta := "--"
		if rate > 0 && read <= total {
			eta = Duration(time.Duration(float64(total-read) / rate * float64(time.Second)))
		}
		tail = fmt.Sprintf(" %3.0f%% %s/%s %s/s ETA %s", pct, Bytes(read), Bytes(total), Bytes(int64(rate)), eta)
	} else {
		tail = fmt.Sprintf(" %s %s/s", Bytes(read), Bytes(int64(rate)))
	}
	// label + " [" + bar + "]" + tail in width-1 columns (some terminals
	// wrap at the last one). The tail's width changes as the numbers do, so
	// the bar is sized for a long tail and stays put while it runs. The bar
	// keeps 30 columns while the label (up to 16 of it) fits, then shrinks
	// to 10; then the label is shortened.
	lbl := []rune(label)
	avail := width - 1 - max(len([]rune(tail)), tailRoom)
	barW := 0
	if total > 0 {
		avail -= 3
		barW = 30
		if keep := min(len(lbl), 16); avail-barW < keep {
			barW = max(10, avail-keep)
		}
	}
	maxLabel := max(4, avail-barW)
	if len(lbl) > maxLabel {
		lbl = append([]rune("…"), lbl[len(lbl)-maxLabel+1:]...)
	}
	if total <= 0 {
		return string(lbl) + tail
	}
	fill := int(float64(barW) * float64(read) / float64(total))
	if fill > barW {
		fill = barW
	}
	bar := strings.Repeat("=", fill)
	if fill < barW {
		bar += ">" + strings.Repeat(" ", barW-fill-1)
	}
	return string(lbl) + " [" + bar + "]" + tail
}

// tailRoom is the width kept for the numbers after the bar: enough for
// " 100% 1023 MiB/1023 MiB 1023 MiB/s ETA 59m59s".
const tailRoom = 46

// Bytes formats n bytes with a binary unit: 512 B, 1.5 KiB, 64.0 MiB, 1.00 GiB.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB"}
	i := -1
	for f >= unit && i < len(units)-1 {
		f /= unit
		i++
	}
	if f >= 100 {
		return fmt.Sprintf("%.0f %s", f, units[i])
	}
	if f >= 10 {
		return fmt.Sprintf("%.1f %s", f, units[i])
	}
	return fmt.Sprintf("%.2f %s", f, units[i])
}

// Duration formats a time left as 42s, 3m05s or 1h02m.
func Duration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh%02dm", s/3600, (s%3600)/60)
	}
}
