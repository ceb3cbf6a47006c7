package runtime

func init() {
	handlers = map[string]handler{
		"fcall":            cmdFcall,
		"ttl":              cmdTTL,
		"fcall_ro":         cmdFcallRO,
		"function|load":    cmdFunctionLoad,
		"function|delete":  cmdFunctionDelete,
		"function|flush":   cmdFunctionFlush,
		"function|list":    cmdFunctionList,
		"function|stats":   cmdFunctionStats,
		"function|kill":    cmdFunctionKill,
		"function|dump":    cmdFunctionDump,
		"function|restore": cmdFunctionRestore,
		"function|help":    cmdFunctionHelp,
		"hello":            cmdHello,
		"auth":             cmdAuth,
		"select":           cmdSelect,
		"quit":             cmdQuit,
		"reset":            cmdReset,
		"client|id":        cmdClientID,
		"client|setname":   cmdClientSetName,
		"client|getname":   cmdClientGetName,
		"client|info":      cmdClientInfo,
		"client|list":      cmdClientList,
		"client|kill":      cmdClientKill,
		"client|no-evict":  cmdClientNoEvict,
		"client|help":      cmdClientHelp,
		"multi":            cmdMulti,
		"exec":             cmdExec,
		"discard":          cmdDiscard,
		"watch":            cmdWatch,
		"unwatch":          cmdUnwatch,
		"flushall":         cmdFlushAll,
		"flushdb":          cmdFlushDB,
		"shutdown":         cmdShutdown,
		"script|kill":      cmdScriptKill,
		"debug":            cmdDebug,
		"info":             cmdInfo,
		"config|get":       cmdConfigGet,
		"config|set":       cmdConfigSet,
		"config|resetstat": cmdConfigResetStat,
		"config|rewrite":   cmdConfigRewrite,
		"config|help":      cmdConfigHelp,
		"command":          cmdCommandDispatch,
		"command|count":    cmdCommandCount,
		"command|info":     cmdCommandInfo,
		"command|docs":     cmdCommandDocs,
		"command|list":     cmdCommandList,
		"command|getkeys":  cmdCommandGetKeys,
		"command|help":     cmdCommandHelp,
	}
}

// cmdCommandDispatch is COMMAND without a subcommand.
func cmdCommandDispatch(s *Server, c *client, argv []string) {
	cmdCommand(s, c, argv)
}
