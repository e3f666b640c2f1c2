package futures_test

// Each test here is a bug other pools have had (named in the test's comment),
// written so that it fails on the buggy behaviour.

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/seed72edde46/futures"
)

// workerpool#76, pond#20, pond#43: Submit racing or following shutdown panics
// (send on a closed channel).
func TestPeerBugSubmitDuringShutdownNeverPanics(t *testing.T) {
	for range 50 {
		e := futures.New(2, futures.WithQueueSize(1))
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 20 {
					assert.NotPanics(t, func() {
						f := futures.Submit(context.Background(), e, value(1))
						if _, err := f.Result(context.Background()); err != nil {
							assert.ErrorIs(t, err, futures.ErrShutdown)
						}
					})
				}
			})
		}
		wg.Go(func() { assert.NoError(t, e.ShutdownNow(context.Background())) })
		wg.Wait()
		require.NoError(t, e.Close())
	}
}

// pond#61, pond#138: shutdown hangs when queued tasks were canceled.
func TestPeerBugShutdownWithCanceledQueuedTasks(t *testing.T) {
	e := futures.New(1, futures.WithQueueSize(10))
	g := newGate()
	fs := fill(t, e, g, 5)
	ctx, cancel := context.WithCancel(context.Background())
	var withCtx []*futures.Future[int]
	for range 5 {
		withCtx = append(withCtx, futures.Submit(ctx, e, value(0)))
	}
	cancel()
	for _, f := range fs[1:4] {
		f.Cancel()
	}
	g.open()
	require.NoError(t, e.Close())
	for _, f := range withCtx {
		assert.Equal(t, futures.Canceled, f.State())
	}
	s := e.Stats()
	assert.Equal(t, uint64(11), s.Submitted)
	assert.Equal(t, uint64(8), s.Canceled)
	assert.Equal(t, s.Submitted, s.Succeeded+s.Canceled)
}

// CPython gh-109934: a future canceled while pending leaves its waiters hanging.
func TestPeerBugCanceledFutureWakesResultWaiters(t *testing.T) {
	e := newExecutor(t, 1)
	g := newGate()
	defer g.open()
	fill(t, e, g, 0)
	f := futures.Submit(context.Background(), e, value(1))
	errs := make(chan error)
	for range 3 {
		go func() { _, err := f.Result(context.Background()); errs <- err }()
	}
	f.Cancel()
	for range 3 {
		assert.ErrorIs(t, <-errs, futures.ErrCanceled)
	}
}

// golang/go#54045: after the first error of a group, its queued work still runs.
func TestPeerBugGroupQueuedWorkRunsAfterError(t *testing.T) {
	e := newExecutor(t, 1, futures.WithQueueSize(100))
	g := futures.NewGroup[int](context.Background(), e)
	proceed := make(chan struct{})
	g.Submit(func(context.Context) (int, error) {
		<-proceed
		return 0, errors.New("first")
	})
	ran := make(chan int, 100)
	for i := range 50 {
		g.Submit(func(context.Context) (int, error) { ran <- i; return i, nil })
	}
	close(proceed)
	_, err := g.Wait()
	assert.EqualError(t, err, "first")
	assert.Empty(t, ran, "queued tasks ran after the group's first error")
}

// ants#35, ants#146, golang/go#74275: a panic kills the worker (and the process)
// or stays hidden until Wait.
func TestPeerBugPanicIsTheFuturesErrorAtOnce(t *testing.T) {
	e := newExecutor(t, 1)
	g := futures.NewGroup[int](context.Background(), e)
	f := g.Submit(func(context.Context) (int, error) { panic("at once") })
	_, err := f.Result(context.Background()) // before Wait
	var pe *futures.PanicError
	require.ErrorAs(t, err, &pe)
	_, err = futures.Submit(context.Background(), e, value(1)).Result(context.Background())
	require.NoError(t, err, "the only worker died with the panic")
	_, err = g.Wait()
	assert.ErrorAs(t, err, &pe)
}

// pond: a task that calls runtime.Goexit leaves its future pending for ever.
func TestPeerBugGoexitLeavesFuturePending(t *testing.T) {
	e := newExecutor(t, 1)
	f := e.Go(context.Background(), func(context.Context) error {
		runtime.Goexit()
		return nil
	})
	<-f.Done()
	_, err := f.Result(context.Background())
	assert.ErrorIs(t, err, futures.ErrGoexit)
}

// pond: a result is lost because the submit ctx was canceled after the task
// had finished.
func TestPeerBugResultLostToLateCancel(t *testing.T) {
	e := newExecutor(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	f := futures.Submit(ctx, e, value(42))
	<-f.Done()
	cancel()
	v, err := f.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, 42, v)
	assert.Equal(t, futures.Succeeded, f.State())
}

// ants#212, ants#263: goroutines are left behind after shutdown.
func TestPeerBugGoroutinesLeftAfterShutdown(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := futures.New(16, futures.WithName("leak"))
	for range 100 {
		e.Go(context.Background(), func(ctx context.Context) error {
			<-ctx.Done() // a task that needs the shutdown to end it
			return ctx.Err()
		})
	}
	require.NoError(t, e.ShutdownNow(context.Background()))
}

// reugn/async: a Result whose ctx times out poisons the future for later calls.
func TestPeerBugResultTimeoutPoisonsTheFuture(t *testing.T) {
	e := newExecutor(t, 1)
	g := newGate()
	f := futures.Submit(context.Background(), e, gateTask(g, 7))
	g.waitStarted(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.Result(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	g.open()
	v, err := f.Result(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 7, v)
}
