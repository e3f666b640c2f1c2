package futures_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

func TestCancelPending(t *testing.T) {
	e := newExecutor(t, 1)
	g := newGate()
	fill(t, e, g, 0)
	var ran atomic.Bool
	f := futures.Submit(context.Background(), e, func(context.Context) (int, error) { ran.Store(true); return 1, nil })
	var called atomic.Int32
	f.OnDone(func() { called.Add(1) })
	waiting := make(chan error)
	go func() { _, err := f.Result(context.Background()); waiting <- err }()

	assert.True(t, f.Cancel())
	assert.Equal(t, futures.Canceled, f.State())
	assert.Equal(t, int32(1), called.Load(), "OnDone ran during Cancel")
	select {
	case <-f.Done():
	default:
		t.Fatal("Done is not closed after Cancel returned")
	}
	err := <-waiting
	assert.ErrorIs(t, err, futures.ErrCanceled)
	assert.ErrorIs(t, err, context.Canceled)
	assert.True(t, f.Cancel(), "a second Cancel")
	g.open()
	require.NoError(t, e.Close())
	assert.False(t, ran.Load(), "a canceled task ran")
	assert.Equal(t, int32(1), called.Load())
}

func TestCancelRunning(t *testing.T) {
	e := newExecutor(t, 1)
	started := make(chan struct{})
	f := futures.Submit(context.Background(), e, func(ctx context.Context) (string, error) {
		close(started)
		<-ctx.Done()
		return "partial", context.Cause(ctx)
	})
	<-started
	assert.False(t, f.Cancel())
	v, err := f.Result(context.Background())
	assert.Equal(t, "partial", v)
	assert.Equal(t, futures.ErrCanceled, err, "want context.Cause of the task's ctx")
	assert.Equal(t, futures.Failed, f.State())
}

func TestCancelRunningTaskThatIgnoresCtx(t *testing.T) {
	e := newExecutor(t, 1)
	g := newGate()
	f := futures.Submit(context.Background(), e, gateTask(g, 5))
	g.waitStarted(t, 1)
	assert.False(t, f.Cancel())
	g.open()
	v, err := f.Result(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 5, v)
	assert.False(t, f.Cancel(), "Cancel of a finished future")
}

func TestCancelRacesStart(t *testing.T) {
	e := newExecutor(t, 4)
	for range 2000 {
		var ran atomic.Bool
		f := futures.Submit(context.Background(), e, func(context.Context) (int, error) { ran.Store(true); return 1, nil })
		canceled := f.Cancel()
		<-f.Done()
		v, err := f.Result(context.Background())
		if canceled {
			assert.Equal(t, futures.Canceled, f.State())
			assert.ErrorIs(t, err, futures.ErrCanceled)
		} else {
			assert.Equal(t, futures.Succeeded, f.State())
			assert.Equal(t, 1, v)
		}
		assert.Equal(t, !canceled, ran.Load(), "ran, canceled=%v", canceled)
	}
}

func TestResultWhoseCtxEndsMidWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := futures.New(1)
		f := futures.Submit(context.Background(), e, func(context.Context) (int, error) {
			time.Sleep(2 * time.Second)
			return 42, nil
		})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := f.Result(ctx)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, futures.Running, f.State(), "a timed-out Result harmed the task")

		v, err := f.Result(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 42, v)
		require.NoError(t, e.Close())
	})
}

func TestResultWithDoneCtxPollsAFinishedFuture(t *testing.T) {
	e := newExecutor(t, 1)
	f := futures.Submit(context.Background(), e, value(3))
	<-f.Done()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	v, err := f.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, v)

	g := newGate()
	defer g.open()
	pending := futures.Submit(context.Background(), e, gateTask(g, 1))
	_, err = pending.Result(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestDoneIsTheSameChannel(t *testing.T) {
	e := newExecutor(t, 1)
	g := newGate()
	f := futures.Submit(context.Background(), e, gateTask(g, 1))
	before := f.Done()
	g.open()
	<-before
	assert.Equal(t, before, f.Done())

	late := futures.Submit(context.Background(), e, value(1))
	_, _ = late.Result(context.Background())
	assert.Equal(t, late.Done(), late.Done())
}

func TestOnDoneRunsInOrderOnceAfterTheOutcome(t *testing.T) {
	e := newExecutor(t, 1)
	g := newGate()
	f := futures.Submit(context.Background(), e, gateTask(g, 9))
	order := make(chan int, 10)
	for i := range 5 {
		f.OnDone(func() {
			assert.Equal(t, futures.Succeeded, f.State())
			v, err := f.Result(context.Background())
			assert.NoError(t, err)
			assert.Equal(t, 9, v)
			order <- i
		})
	}
	g.open()
	for want := range 5 {
		assert.Equal(t, want, <-order)
	}
	// Added after completion: runs at once, in this goroutine.
	f.OnDone(func() { order <- 5 })
	select {
	case got := <-order:
		assert.Equal(t, 5, got)
	default:
		t.Fatal("OnDone on a finished future did not run at once")
	}
	require.NoError(t, e.Close())
	assert.Empty(t, order, "a callback ran twice")
}

func TestOnDonePanicDoesNotKillTheWorkerOrOtherCallbacks(t *testing.T) {
	buf := captureLog(t) // a cleanup goroutine may log an unread panic meanwhile

	e := newExecutor(t, 1)
	g := newGate()
	f := futures.Submit(context.Background(), e, gateTask(g, 1))
	var after atomic.Bool
	f.OnDone(func() { panic("callback bug") })
	f.OnDone(func() { after.Store(true) })
	g.open()
	<-f.Done()
	// The worker survived: it runs the next task, and the callbacks ran before.
	_, err := futures.Submit(context.Background(), e, value(1)).Result(context.Background())
	require.NoError(t, err)
	assert.True(t, after.Load())
	assert.Contains(t, buf.String(), "callback bug")
}

func TestOnDoneNilPanics(t *testing.T) {
	e := newExecutor(t, 1)
	f := futures.Submit(context.Background(), e, value(1))
	requirePanics(t, func() { f.OnDone(nil) })
}

func TestThousandWaitersAllSeeDone(t *testing.T) {
	e := newExecutor(t, 8, futures.WithQueueSize(1000))
	release := make(chan struct{})
	fs := make([]*futures.Future[int], 1000)
	for i := range fs {
		fs[i] = futures.Submit(context.Background(), e, func(context.Context) (int, error) {
			<-release
			return i, nil
		})
	}
	var wg sync.WaitGroup
	var seen atomic.Int64
	for i, f := range fs {
		wg.Go(func() {
			v, err := f.Result(context.Background())
			if assert.NoError(t, err) && assert.Equal(t, i, v) {
				seen.Add(1)
			}
		})
	}
	close(release)
	wg.Wait()
	assert.Equal(t, int64(1000), seen.Load())
}

func TestStateString(t *testing.T) {
	assert.Equal(t, "Pending", futures.Pending.String())
	assert.Equal(t, "Running", futures.Running.String())
	assert.Equal(t, "Succeeded", futures.Succeeded.String())
	assert.Equal(t, "Failed", futures.Failed.String())
	assert.Equal(t, "Canceled", futures.Canceled.String())
	assert.Equal(t, "State(9)", futures.State(9).String())
}

func TestErrCanceledMatchesContextCanceled(t *testing.T) {
	assert.ErrorIs(t, futures.ErrCanceled, context.Canceled)
	assert.False(t, errors.Is(context.Canceled, futures.ErrCanceled))
}

// TestSubmitAllocatesOneSmallFuture guards the size the hot path was tuned for:
// a task that nobody waits on before it ends costs its submitter one future of
// 80 bytes (an int result), and nothing else.
func TestSubmitAllocatesOneSmallFuture(t *testing.T) {
	e := newExecutor(t, 1, futures.WithQueueSize(1000))
	ctx := context.Background()
	fn := func(context.Context) (int, error) { return 1, nil }
	_, err := futures.Submit(ctx, e, fn).Result(ctx) // the worker is started
	require.NoError(t, err)
	const n = 1000
	fs := make([]*futures.Future[int], 0, n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		fs = append(fs, futures.Submit(ctx, e, fn))
	}
	runtime.ReadMemStats(&after)
	for _, f := range fs {
		_, _ = f.Result(ctx)
	}
	perTask := float64(after.TotalAlloc-before.TotalAlloc) / n
	t.Logf("bytes allocated per Submit: %.1f", perTask)
	assert.LessOrEqual(t, perTask, 88.0, "one 80-byte future per task")
}

func TestSubmitAllocations(t *testing.T) {
	e := newExecutor(t, 2, futures.WithQueueSize(2000))
	ctx := context.Background()
	fn := func(context.Context) (int, error) { return 1, nil }
	fs := make([]*futures.Future[int], 0, 2000)
	submit := testing.AllocsPerRun(1000, func() {
		fs = append(fs, futures.Submit(ctx, e, fn))
	})
	for _, f := range fs {
		_, _ = f.Result(ctx)
	}
	roundTrip := testing.AllocsPerRun(1000, func() {
		_, _ = futures.Submit(ctx, e, fn).Result(ctx)
	})
	request, cancel := context.WithCancel(ctx) // a request's ctx
	defer cancel()
	fs = fs[:0]
	withCtx := testing.AllocsPerRun(1000, func() {
		fs = append(fs, futures.Submit(request, e, fn))
	})
	for _, f := range fs {
		_, _ = f.Result(ctx)
	}
	t.Logf("allocations per Submit: %.2f; with a cancelable ctx: %.2f; per Submit and Result: %.2f", submit, withCtx, roundTrip)
	assert.Equal(t, 1.0, submit, "the future is the only allocation")
	assert.Equal(t, 1.0, withCtx, "a cancelable ctx costs nothing while nobody waits")
	assert.LessOrEqual(t, roundTrip, 2.0, "the future, and a Done channel if Result must park")
}
