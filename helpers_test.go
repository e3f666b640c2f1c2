package futures_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

// newExecutor returns an executor that the test closes when it ends.
func newExecutor(t testing.TB, workers int, opts ...futures.Option) *futures.Executor {
	t.Helper()
	e := futures.New(workers, opts...)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	return e
}

// gate holds tasks until it is opened, and tells when they have started.
type gate struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func newGate() *gate {
	return &gate{started: make(chan struct{}, 1024), release: make(chan struct{})}
}

// open releases the tasks; opening twice is fine.
func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

// task returns a task that signals its start, waits for the gate, and returns v.
func gateTask[T any](g *gate, v T) func(context.Context) (T, error) {
	return func(context.Context) (T, error) {
		g.started <- struct{}{}
		<-g.release
		return v, nil
	}
}

// waitStarted waits until n tasks have started.
func (g *gate) waitStarted(t testing.TB, n int) {
	t.Helper()
	for range n {
		<-g.started
	}
}

// requirePanics requires fn to panic with a message that starts "futures: ".
func requirePanics(t *testing.T, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		require.NotNil(t, r, "did not panic")
		msg, ok := r.(string)
		require.True(t, ok, "panic value %#v is not a string", r)
		require.True(t, strings.HasPrefix(msg, "futures: "), "panic message %q", msg)
	}()
	fn()
}

func value[T any](v T) func(context.Context) (T, error) {
	return func(context.Context) (T, error) { return v, nil }
}

// probe measures how many tasks run at once: each calls enter as it starts
// and leave as it returns.
type probe struct{ now, peak atomic.Int64 }

func (p *probe) enter() {
	n := p.now.Add(1)
	for m := p.peak.Load(); n > m && !p.peak.CompareAndSwap(m, n); m = p.peak.Load() {
	}
}

func (p *probe) leave() { p.now.Add(-1) }

// isClosed reports whether ch is closed, without waiting.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
