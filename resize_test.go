package futures_test

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

func TestResizeUpStartsWorkersForQueuedTasks(t *testing.T) {
	e := newExecutor(t, 1, futures.WithQueueSize(8))
	ctx := context.Background()
	g := newGate()
	defer g.open()
	for range 4 {
		futures.Submit(ctx, e, gateTask(g, 0))
	}
	g.waitStarted(t, 1)
	assert.Equal(t, 3, e.Stats().Queued)
	e.Resize(4)
	assert.Equal(t, 4, e.Workers())
	assert.Equal(t, 4, e.Stats().Workers)
	g.waitStarted(t, 3) // hangs if the queued tasks wait for a worker that never starts
	assert.Equal(t, 4, e.Stats().Started)
}

func TestResizeUpLetsBlockedSubmitsOn(t *testing.T) {
	e := newExecutor(t, 1, futures.WithQueueSize(0))
	ctx := context.Background()
	g := newGate()
	defer g.open()
	futures.Submit(ctx, e, gateTask(g, 0))
	g.waitStarted(t, 1)
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		futures.Submit(ctx, e, gateTask(g, 0)) // waits: one worker, no queue
	}()
	e.Resize(2)
	g.waitStarted(t, 1)
	<-accepted
}

func TestResizeDownKeepsTheBoundForTasksThatStartAfter(t *testing.T) {
	e := newExecutor(t, 4, futures.WithQueueSize(16))
	ctx := context.Background()
	g := newGate()
	var running, worst atomic.Int64
	task := func(context.Context) (int, error) {
		n := running.Add(1)
		for w := worst.Load(); n > w && !worst.CompareAndSwap(w, n); w = worst.Load() {
		}
		for range 50 {
			runtime.Gosched()
		}
		running.Add(-1)
		return 0, nil
	}
	var first []*futures.Future[int]
	for range 4 {
		first = append(first, futures.Submit(ctx, e, func(ctx context.Context) (int, error) {
			running.Add(1)
			g.started <- struct{}{}
			<-g.release
			running.Add(-1)
			return 0, nil
		}))
	}
	g.waitStarted(t, 4)
	e.Resize(2)
	assert.Equal(t, 2, e.Workers())
	var later []*futures.Future[int]
	for range 16 {
		later = append(later, futures.Submit(ctx, e, task))
	}
	g.open()
	for _, f := range append(first, later...) {
		_, err := f.Result(ctx)
		require.NoError(t, err)
	}
	// A task that started after Resize saw at most 2 running, itself included.
	assert.LessOrEqual(t, worst.Load(), int64(2))
	require.NoError(t, e.Shutdown(ctx))
	assert.Zero(t, e.Stats().Started)
}

func TestResizeUnderLoadKeepsTheBound(t *testing.T) {
	e := newExecutor(t, 8, futures.WithQueueSize(4))
	ctx := context.Background()
	var running, after, over atomic.Int64
	var final atomic.Bool // Resize(3), the last, has returned
	task := func(context.Context) (int, error) {
		last := final.Load() // before it counts itself: then it started after Resize returned
		if n := running.Add(1); last {
			after.Add(1)
			if n > 3 {
				over.Add(1)
			}
		}
		runtime.Gosched()
		running.Add(-1)
		return 0, nil
	}
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for after.Load() < 2000 {
				_, _ = futures.Submit(ctx, e, task).Result(ctx)
			}
		})
	}
	for i := range 200 {
		n := 1 + i%8
		e.Resize(n)
		require.Equal(t, n, e.Workers())
	}
	e.Resize(3)
	final.Store(true)
	wg.Wait()
	assert.Zero(t, over.Load(), "tasks that started with 3 or more running, after Resize(3)")
	require.NoError(t, e.Shutdown(ctx))
	s := e.Stats()
	assert.Equal(t, s.Submitted, s.Succeeded+s.Failed+s.Canceled, "%+v", s)
	assert.Zero(t, s.Started, "%+v", s)
}

func TestTrySubmitIsExactAfterResize(t *testing.T) {
	e := newExecutor(t, 2, futures.WithQueueSize(0))
	ctx := context.Background()
	g := newGate()
	defer g.open()
	e.Resize(3)
	for range 3 {
		_, err := futures.TrySubmit(ctx, e, gateTask(g, 0))
		require.NoError(t, err)
	}
	_, err := futures.TrySubmit(ctx, e, gateTask(g, 0))
	require.ErrorIs(t, err, futures.ErrQueueFull)
	g.waitStarted(t, 3)
	e.Resize(1)
	_, err = futures.TrySubmit(ctx, e, gateTask(g, 0))
	require.ErrorIs(t, err, futures.ErrQueueFull, "3 tasks run on a pool of 1")
}

func TestResizeArguments(t *testing.T) {
	e := newExecutor(t, 2)
	requirePanics(t, func() { e.Resize(0) })
	requirePanics(t, func() { (*futures.Executor)(nil).Resize(1) })
	require.NoError(t, e.Close())
	e.Resize(5)
	assert.Equal(t, 5, e.Workers(), "after shutdown Resize records n")
	assert.Zero(t, e.Stats().Started)
}

func TestResizeDownHoldsTasksThatIdleWorkersTake(t *testing.T) {
	// Four workers wait for tasks when Resize(2) comes: the first two tasks
	// they take run, the next two wait until fewer than 2 run.
	e := newExecutor(t, 4, futures.WithQueueSize(0))
	burst(t, e, 4)
	e.Resize(2)
	ctx := context.Background()
	release := make(chan struct{})
	var running, worst atomic.Int64
	var fs []*futures.Future[int]
	for range 4 {
		fs = append(fs, futures.Submit(ctx, e, func(context.Context) (int, error) {
			n := running.Add(1)
			for w := worst.Load(); n > w && !worst.CompareAndSwap(w, n); w = worst.Load() {
			}
			<-release
			running.Add(-1)
			return 0, nil
		}))
	}
	for e.Stats().Running < 4 || running.Load() < 2 { // all four taken by workers: two run, two wait
		runtime.Gosched()
	}
	close(release)
	for _, f := range fs {
		_, err := f.Result(ctx)
		require.NoError(t, err)
	}
	assert.LessOrEqual(t, worst.Load(), int64(2), "tasks running on a pool resized to 2")
}
