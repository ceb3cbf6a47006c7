module github.com/fnkit/fnkit

go 1.26.8
