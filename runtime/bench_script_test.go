package runtime_test

import "testing"

// EVAL beside FCALL (BenchmarkFCallNoopPipelined, BenchmarkFCallThreePipelined):
// the same work as a cached script.

func BenchmarkEvalNoopPipelined(b *testing.B) {
	benchPipelined(b, []string{"EVAL", "return 1", "0"})
}

func BenchmarkEvalThreePipelined(b *testing.B) {
	benchPipelined(b, []string{"EVAL", "redis.call('SET', KEYS[1], 'v') redis.call('INCR', 'counter') return redis.call('GET', KEYS[1])", "1", "key:1"})
}

// BenchmarkEvalThreeLowerPipelined is EvalThreePipelined with the
// commands written in lower case, as many scripts write them.
func BenchmarkEvalThreeLowerPipelined(b *testing.B) {
	benchPipelined(b, []string{"EVAL", "redis.call('set', KEYS[1], 'v') redis.call('incr', 'counter') return redis.call('get', KEYS[1])", "1", "key:1"})
}
