package runtime

import "testing"

// A server holds the GC floor only while its maxmemory is 0, and gives it
// up when it closes.
func TestFloorFollowsMaxmemory(t *testing.T) {
	s, err := New(Config{MaxMemory: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	held := func() bool {
		s.floor.mu.Lock()
		defer s.floor.mu.Unlock()
		return s.floor.held
	}
	if held() {
		t.Fatal("floor held with maxmemory 1gb")
	}
	for _, step := range []struct {
		value string
		want  bool
	}{{"0", true}, {"100mb", false}, {"0", true}} {
		if v := s.Do("CONFIG", "SET", "maxmemory", step.value); v.IsError() {
			t.Fatal(v.Str)
		}
		if held() != step.want {
			t.Fatalf("maxmemory %s: floor held %v, want %v", step.value, held(), step.want)
		}
	}
	s.Close()
	if held() {
		t.Fatal("floor still held after Close")
	}
}
