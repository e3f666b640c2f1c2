package futures

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nest calls fn under depth more calls.
//
//go:noinline
func nest(depth int, fn func()) {
	if depth == 0 {
		fn()
		return
	}
	nest(depth-1, fn)
}

func TestWorkerGoroutineKnowsWorkersAtAnyDepth(t *testing.T) {
	assert.False(t, workerGoroutine(), "the test's goroutine")
	for _, e := range []*Executor{New(2), New(2, WithName("labeled"))} { // a named one's workers run under pprof.Do
		testWorkerGoroutine(t, e)
		require.NoError(t, e.Close())
	}
}

func testWorkerGoroutine(t *testing.T, e *Executor) {
	for _, depth := range []int{0, 1, 55, 59, 60, 61, 64, 200} {
		var plain bool
		nest(depth, func() { plain = workerGoroutine() })
		assert.False(t, plain, "depth %d outside a worker", depth)
		f := Submit(context.Background(), e, func(context.Context) (bool, error) {
			var in bool
			nest(depth, func() { in = workerGoroutine() })
			return in, nil
		})
		in, err := f.Result(context.Background())
		require.NoError(t, err)
		assert.True(t, in, "depth %d on a worker", depth)
	}
}
