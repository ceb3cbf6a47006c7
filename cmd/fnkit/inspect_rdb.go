package main

import (
	"io"

	"github.com/fnkit/fnkit/source"
)

type rdbReport struct {
	Magic   string `json:"magic"`
	Version int    `json:"version"`
}

type keyspaceReport struct{}

func rdbReportOf(src *source.Source) (*rdbReport, *keyspaceReport) {
	return &rdbReport{Magic: src.RDB.Magic, Version: src.RDB.Version}, nil
}

func printRDBFields(field func(k, format string, args ...any), rep *inspectReport) {
	field("format", "RDB")
	field("rdb version", "%d", rep.RDB.Version)
}

func printKeyspace(w io.Writer, k *keyspaceReport) {}
