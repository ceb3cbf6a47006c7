package progress_test

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fnkit/fnkit/internal/progress"
)

// A command wraps the file it reads in one line; on a pipe or for a small
// input nothing is drawn.
func ExampleNewReader() {
	in := strings.NewReader("a small input")
	r := progress.NewReader(in, in.Size(), "in.rdb", progress.Options{})
	defer r.Finish()
	n, _ := io.Copy(io.Discard, r)
	fmt.Println(n, r.Drawing())
	// Output: 13 false
}

// Line is what the bar shows at one moment.
func ExampleLine() {
	fmt.Println(progress.Line("dump.rdb", 768<<20, 1<<30, 3*time.Second, 80))
	// Output: dump.rdb [================>     ]  75% 768 MiB/1.00 GiB 256 MiB/s ETA 1s
}
