package progress

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fnkit/fnkit/internal/ptytest"
)

// clock is a fake time source that advances by step on every call.
type clock struct {
	t    time.Time
	step time.Duration
}

func (c *clock) now() time.Time { c.t = c.t.Add(c.step); return c.t }

func TestLine(t *testing.T) {
	cases := []struct {
		label       string
		read, total int64
		elapsed     time.Duration
		width       int
		want        string
	}{
		{"dump.rdb", 0, 1 << 30, 0, 80, "dump.rdb [>                     ]   0% 0 B/1.00 GiB 0 B/s ETA --"},
		{"dump.rdb", 512 << 20, 1 << 30, 2 * time.Second, 80, "dump.rdb [===========>          ]  50% 512 MiB/1.00 GiB 256 MiB/s ETA 2s"},
		{"dump.rdb", 1 << 30, 1 << 30, 4 * time.Second, 80, "dump.rdb [======================] 100% 1.00 GiB/1.00 GiB 256 MiB/s ETA 0s"},
		{"/very/long/path/to/some/backup/directory/dump.rdb", 100 << 20, 1000 << 20, 10 * time.Second, 70, "…/dump.rdb [=>        ]  10% 100 MiB/1000 MiB 10.0 MiB/s ETA 1m30s"},
		{"stream", 3 << 20, 0, time.Second, 80, "stream 3.00 MiB 3.00 MiB/s"},
	}
	for _, c := range cases {
		got := Line(c.label, c.read, c.total, c.elapsed, c.width)
		if got != c.want {
			t.Errorf("Line(%q, %d, %d, %v, %d)\n got %q\nwant %q", c.label, c.read, c.total, c.elapsed, c.width, got, c.want)
		}
		if n := len([]rune(got)); n >= c.width {
			t.Errorf("Line %q is %d columns, wider than %d-1", got, n, c.width)
		}
	}
}

func TestBytesAndDuration(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.00 KiB", 1536: "1.50 KiB", 64 << 20: "64.0 MiB", 100 << 30: "100 GiB", 3 << 40: "3.00 TiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{0: "0s", 59 * time.Second: "59s", 185 * time.Second: "3m05s", 3720 * time.Second: "1h02m"} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestQuietWhenNotATerminal(t *testing.T) {
	// A buffer, a pipe and a regular file are not terminals: nothing is
	// drawn even for a huge input.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var buf bytes.Buffer
	for _, out := range []io.Writer{&buf, pw, f} {
		if Enabled(out, 1<<40) {
			t.Errorf("Enabled(%T) = true", out)
		}
		r := NewReader(io.LimitReader(zeros{}, Threshold+1), Threshold+1, "big", Options{Out: out, Interval: time.Nanosecond})
		if r.Drawing() {
			t.Errorf("%T: drawing", out)
		}
		n, err := io.Copy(io.Discard, r)
		if err != nil || n != Threshold+1 || r.BytesRead() != n {
			t.Fatalf("copy: %d %v, counted %d", n, err, r.BytesRead())
		}
		r.Finish()
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %q to a buffer", buf.String())
	}
	if st, _ := f.Stat(); st.Size() != 0 {
		t.Errorf("wrote %d bytes to a file", st.Size())
	}
}

func TestAlwaysDrawsAndFinishClears(t *testing.T) {
	var buf bytes.Buffer
	c := &clock{t: time.Unix(0, 0), step: time.Second}
	data := strings.Repeat("x", 4096)
	r := NewReader(strings.NewReader(data), int64(len(data)), "in", Options{Out: &buf, Always: true, Now: c.now, Width: 80})
	p := make([]byte, 1024)
	for {
		if _, err := r.Read(p); err == io.EOF {
			break
		}
	}
	r.Finish()
	out := buf.String()
	for _, want := range []string{"\rin [=======>      ", " 25% 1.00 KiB/4.00 KiB", "100% 4.00 KiB/4.00 KiB"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%q", want, out)
		}
	}
	last := out[strings.LastIndexByte(out[:len(out)-1], '\r'):]
	if strings.Trim(last, "\r ") != "" {
		t.Errorf("Finish did not blank the line: %q", last)
	}
	r.Finish() // twice is fine
}

func TestSmallInputOnTerminalIsQuiet(t *testing.T) {
	master, slave := ptytest.Open(t)
	defer master.Close()
	defer slave.Close()
	if !Enabled(slave, Threshold) || Enabled(slave, Threshold-1) {
		t.Fatalf("Enabled on a terminal: want true from %d bytes", Threshold)
	}
	r := NewReader(strings.NewReader("small"), 5, "small", Options{Out: slave})
	if r.Drawing() {
		t.Error("drawing for a 5-byte input")
	}
}

func TestDrawsOnATerminal(t *testing.T) {
	master, slave := ptytest.Open(t)
	defer master.Close()
	got := make(chan string)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, master) // ends with EIO when the slave closes
		got <- b.String()
	}()
	c := &clock{t: time.Unix(0, 0), step: 300 * time.Millisecond}
	total := int64(Threshold)
	r := NewReader(io.LimitReader(zeros{}, total), total, "big.rdb", Options{Out: slave, Now: c.now})
	if !r.Drawing() {
		t.Fatal("not drawing on a terminal for a 64 MiB input")
	}
	if _, err := io.CopyBuffer(io.Discard, r, make([]byte, 8<<20)); err != nil {
		t.Fatal(err)
	}
	r.Finish()
	slave.Close()
	out := <-got
	for _, want := range []string{"big.rdb [", "100% 64.0 MiB/64.0 MiB", "ETA 0s"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, out)
		}
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
