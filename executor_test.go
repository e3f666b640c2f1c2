package futures_test

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/seed72edde46/futures"
)

func TestBadInputPanics(t *testing.T) {
	e := newExecutor(t, 1)
	ctx := context.Background()
	var nilExec *futures.Executor
	var nilFn func(context.Context) (int, error)
	cases := map[string]func(){
		"New(0)":              func() { futures.New(0) },
		"New(-1)":             func() { futures.New(-1) },
		"WithQueueSize(-1)":   func() { futures.WithQueueSize(-1) },
		"WithWorkerInit(nil)": func() { futures.WithWorkerInit(nil) },
		"nil Option":          func() { futures.New(1, nil) },
		"Submit nil fn":       func() { futures.Submit(ctx, e, nilFn) },
		"Submit nil executor": func() { futures.Submit(ctx, nilExec, value(1)) },
		//lint:ignore SA1012 a nil ctx is what this case tests
		"Submit nil ctx":   func() { futures.Submit(nil, e, value(1)) },
		"TrySubmit nil fn": func() { _, _ = futures.TrySubmit(ctx, e, nilFn) },
		"Go nil fn":        func() { e.Go(ctx, nil) },
		"Shutdown nil":     func() { _ = nilExec.Shutdown(ctx) },
		"Stats nil":        func() { nilExec.Stats() },
	}
	for name, fn := range cases {
		t.Run(name, func(t *testing.T) { requirePanics(t, fn) })
	}
}

func TestSubmitReturnsExactlyWhatFnReturned(t *testing.T) {
	e := newExecutor(t, 2)
	boom := errors.New("boom")
	f := futures.Submit(context.Background(), e, func(context.Context) (int, error) { return 7, boom })
	v, err := f.Result(context.Background())
	assert.Equal(t, 7, v)
	assert.Same(t, boom, err)
	assert.Equal(t, futures.Failed, f.State())

	g := futures.Submit(context.Background(), e, value("ok"))
	s, err := g.Result(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "ok", s)
	assert.Equal(t, futures.Succeeded, g.State())
}

func TestGo(t *testing.T) {
	e := newExecutor(t, 1)
	boom := errors.New("boom")
	_, err := e.Go(context.Background(), func(context.Context) error { return boom }).Result(context.Background())
	assert.Same(t, boom, err)
}

// fill occupies every worker and every queue slot of e with tasks held by g.
func fill(t *testing.T, e *futures.Executor, g *gate, queue int) []*futures.Future[int] {
	t.Helper()
	var fs []*futures.Future[int]
	for range e.Workers() {
		fs = append(fs, futures.Submit(context.Background(), e, gateTask(g, 0)))
	}
	g.waitStarted(t, e.Workers())
	for range queue {
		f, err := futures.TrySubmit(context.Background(), e, gateTask(g, 0))
		require.NoError(t, err)
		fs = append(fs, f)
	}
	return fs
}

func TestSubmitOnFullQueueGivesUpWhenCtxIsDone(t *testing.T) {
	e := newExecutor(t, 1, futures.WithQueueSize(1))
	g := newGate()
	defer g.open()
	fill(t, e, g, 1)

	cause := errors.New("request gone")
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan *futures.Future[int])
	go func() { done <- futures.Submit(ctx, e, value(1)) }()
	cancel(cause)
	f := <-done
	assert.Equal(t, futures.Canceled, f.State())
	_, err := f.Result(context.Background())
	assert.ErrorIs(t, err, cause)
	assert.Equal(t, uint64(1), e.Stats().Rejected)
}

func TestShutdownWakesBlockedSubmit(t *testing.T) {
	e := futures.New(1, futures.WithQueueSize(1))
	g := newGate()
	fill(t, e, g, 1)

	done := make(chan *futures.Future[int])
	go func() { done <- futures.Submit(context.Background(), e, value(1)) }()
	shut := make(chan error)
	go func() { shut <- e.Shutdown(context.Background()) }()
	f := <-done
	_, err := f.Result(context.Background())
	assert.ErrorIs(t, err, futures.ErrShutdown)
	assert.Equal(t, futures.Canceled, f.State())
	g.open()
	require.NoError(t, <-shut)
}

func TestTrySubmit(t *testing.T) {
	e := futures.New(1, futures.WithQueueSize(1))
	g := newGate()
	fill(t, e, g, 1)

	f, err := futures.TrySubmit(context.Background(), e, value(1))
	assert.Nil(t, f)
	assert.ErrorIs(t, err, futures.ErrQueueFull)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f, err = futures.TrySubmit(ctx, e, value(1))
	assert.Nil(t, f)
	assert.ErrorIs(t, err, context.Canceled)

	g.open()
	require.NoError(t, e.Close())
	f, err = futures.TrySubmit(context.Background(), e, value(1))
	assert.Nil(t, f)
	assert.ErrorIs(t, err, futures.ErrShutdown)
	assert.Equal(t, uint64(3), e.Stats().Rejected)
}

func TestQueuedTaskWhoseCtxEndsNeverRuns(t *testing.T) {
	e := newExecutor(t, 1)
	g := newGate()
	fill(t, e, g, 0)

	cause := errors.New("client went away")
	ctx, cancel := context.WithCancelCause(context.Background())
	var ran atomic.Bool
	f := futures.Submit(ctx, e, func(context.Context) (int, error) { ran.Store(true); return 1, nil })
	cancel(cause)
	g.open()
	_, err := f.Result(context.Background())
	assert.ErrorIs(t, err, cause)
	assert.Equal(t, futures.Canceled, f.State())
	assert.False(t, ran.Load())
}

func TestSubmitAfterShutdown(t *testing.T) {
	e := futures.New(2)
	require.NoError(t, e.Close())
	f := futures.Submit(context.Background(), e, value(1))
	assert.Equal(t, futures.Canceled, f.State())
	_, err := f.Result(context.Background())
	assert.ErrorIs(t, err, futures.ErrShutdown)
	s := e.Stats()
	assert.Equal(t, uint64(0), s.Submitted)
	assert.Equal(t, uint64(1), s.Rejected)
}

func TestShutdownDrainsQueuedTasks(t *testing.T) {
	e := futures.New(2, futures.WithQueueSize(100))
	g := newGate()
	fs := fill(t, e, g, 100)
	shut := make(chan error)
	go func() { shut <- e.Shutdown(context.Background()) }()
	g.open()
	require.NoError(t, <-shut)
	for _, f := range fs {
		assert.Equal(t, futures.Succeeded, f.State())
	}
	s := e.Stats()
	assert.Equal(t, uint64(102), s.Submitted)
	assert.Equal(t, uint64(102), s.Succeeded)
}

func TestShutdownNowCancelsQueuedAndRunning(t *testing.T) {
	e := futures.New(1, futures.WithQueueSize(10))
	started := make(chan struct{})
	running := futures.Submit(context.Background(), e, func(ctx context.Context) (int, error) {
		close(started)
		<-ctx.Done()
		return 0, context.Cause(ctx)
	})
	<-started
	var queued []*futures.Future[int]
	for range 10 {
		queued = append(queued, futures.Submit(context.Background(), e, value(1)))
	}
	require.NoError(t, e.ShutdownNow(context.Background()))
	_, err := running.Result(context.Background())
	assert.ErrorIs(t, err, futures.ErrShutdown)
	for _, f := range queued {
		assert.Equal(t, futures.Canceled, f.State())
		_, err := f.Result(context.Background())
		assert.ErrorIs(t, err, futures.ErrShutdown)
	}
	s := e.Stats()
	assert.Equal(t, s.Submitted, s.Succeeded+s.Failed+s.Canceled)
	assert.Equal(t, uint64(10), s.Canceled)
}

func TestShutdownNowCancelsTaskThatLooksLate(t *testing.T) {
	e := futures.New(1)
	started, proceed := make(chan struct{}), make(chan struct{})
	f := futures.Submit(context.Background(), e, func(ctx context.Context) (int, error) {
		close(started)
		<-proceed // ShutdownNow happens before this task ever looks at ctx
		<-ctx.Done()
		return 0, context.Cause(ctx)
	})
	<-started
	shut := make(chan error)
	go func() { shut <- e.ShutdownNow(context.Background()) }()
	// Wait until ShutdownNow has begun: Submit then refuses.
	for futures.Submit(context.Background(), e, value(0)).State() != futures.Canceled {
		runtime.Gosched()
	}
	close(proceed)
	require.NoError(t, <-shut)
	_, err := f.Result(context.Background())
	assert.ErrorIs(t, err, futures.ErrShutdown)
}

func TestShutdownIsIdempotentAndConcurrent(t *testing.T) {
	e := futures.New(4)
	for range 100 {
		futures.Submit(context.Background(), e, value(1))
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			switch i % 3 {
			case 0:
				assert.NoError(t, e.Shutdown(context.Background()))
			case 1:
				assert.NoError(t, e.ShutdownNow(context.Background()))
			default:
				assert.NoError(t, e.Close())
			}
		})
	}
	wg.Wait()
	s := e.Stats()
	assert.Equal(t, uint64(100), s.Submitted)
	assert.Equal(t, s.Submitted, s.Succeeded+s.Canceled)
}

func TestShutdownReturnsWhenCtxIsDone(t *testing.T) {
	e := futures.New(1)
	g := newGate()
	fill(t, e, g, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, e.Shutdown(ctx), context.Canceled)
	g.open()
	require.NoError(t, e.Close())
}

func TestSubmitRacesShutdown(t *testing.T) {
	for range 20 {
		e := futures.New(2, futures.WithQueueSize(4))
		var fs [8][]*futures.Future[int]
		var wg sync.WaitGroup
		for i := range fs {
			wg.Go(func() {
				for range 50 {
					fs[i] = append(fs[i], futures.Submit(context.Background(), e, value(1)))
				}
			})
		}
		wg.Go(func() { assert.NoError(t, e.Shutdown(context.Background())) })
		wg.Wait()
		require.NoError(t, e.Close())
		for _, list := range fs {
			for _, f := range list {
				v, err := f.Result(context.Background())
				if err != nil {
					assert.ErrorIs(t, err, futures.ErrShutdown)
					assert.Equal(t, futures.Canceled, f.State())
				} else {
					assert.Equal(t, 1, v)
				}
			}
		}
		s := e.Stats()
		assert.Equal(t, uint64(400), s.Submitted+s.Rejected)
		assert.Equal(t, s.Submitted, s.Succeeded)
	}
}

func TestWorkersStartOnDemandAndRunInitOnce(t *testing.T) {
	var mu sync.Mutex
	seen := map[int]int{}
	goleak.VerifyNone(t) // wait until earlier tests' goroutines are gone
	before := runtime.NumGoroutine()
	e := futures.New(4, futures.WithWorkerInit(func(w int) error {
		mu.Lock()
		seen[w]++
		mu.Unlock()
		return nil
	}))
	assert.Equal(t, before, runtime.NumGoroutine(), "New started goroutines")
	assert.Equal(t, 0, e.Stats().Started)
	gt := newGate()
	fs := make([]*futures.Future[int], 6)
	for i := range fs {
		fs[i] = futures.Submit(context.Background(), e, gateTask(gt, i))
	}
	gt.waitStarted(t, 4)
	assert.Equal(t, 4, e.Stats().Started, "six tasks on four workers")
	gt.open()
	for _, f := range fs {
		_, err := f.Result(context.Background())
		require.NoError(t, err)
	}
	require.NoError(t, e.Close())
	assert.Equal(t, map[int]int{0: 1, 1: 1, 2: 1, 3: 1}, seen)
	assert.Equal(t, 0, e.Stats().Started, "after shutdown")
}

func TestNewOfTenThousandStartsNoGoroutine(t *testing.T) {
	goleak.VerifyNone(t) // wait until earlier tests' goroutines are gone
	before := runtime.NumGoroutine()
	e := futures.New(10_000)
	assert.Equal(t, before, runtime.NumGoroutine())
	_, err := futures.Submit(context.Background(), e, value(1)).Result(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, e.Stats().Started, "one task, one worker")
	require.NoError(t, e.Close())
}

func TestWorkerInitFailureBreaksTheExecutor(t *testing.T) {
	for name, fail := range map[string]func() error{
		"error": func() error { return errors.New("no database") },
		"panic": func() error { panic("no database") },
	} {
		t.Run(name, func(t *testing.T) {
			proceed := make(chan struct{})
			e := futures.New(1, futures.WithName("db"), futures.WithWorkerInit(func(int) error {
				<-proceed
				return fail()
			}))
			queued := futures.Submit(context.Background(), e, value(1))
			close(proceed)
			_, err := queued.Result(context.Background())
			assert.ErrorIs(t, err, futures.ErrBroken)
			assert.ErrorContains(t, err, "no database")
			assert.ErrorContains(t, err, `"db"`)
			assert.Equal(t, futures.Canceled, queued.State())

			later := futures.Submit(context.Background(), e, value(1))
			_, err = later.Result(context.Background())
			assert.ErrorIs(t, err, futures.ErrBroken)
			require.NoError(t, e.Close())
			s := e.Stats()
			assert.Equal(t, s.Submitted, s.Canceled)
		})
	}
}

func TestWorkerInitErrorIsWrapped(t *testing.T) {
	cause := errors.New("no database")
	e := futures.New(1, futures.WithWorkerInit(func(int) error { return cause }))
	defer func() { require.NoError(t, e.Close()) }()
	// The init runs before the first task, so this task is refused either at
	// Submit or by the worker.
	_, err := futures.Submit(context.Background(), e, value(1)).Result(context.Background())
	assert.ErrorIs(t, err, futures.ErrBroken)
	assert.ErrorIs(t, err, cause)
}

func TestWithNameLabelsWorkersAndErrors(t *testing.T) {
	e := futures.New(1, futures.WithName("crawler"))
	g := newGate()
	fill(t, e, g, 0)
	var buf bytes.Buffer
	require.NoError(t, pprof.Lookup("goroutine").WriteTo(&buf, 1))
	assert.Contains(t, buf.String(), `"futures.executor":"crawler"`)
	g.open()
	require.NoError(t, e.Close())

	_, err := futures.TrySubmit(context.Background(), e, value(1))
	assert.ErrorIs(t, err, futures.ErrShutdown)
	assert.ErrorContains(t, err, `"crawler"`)
}

func TestPanicFailsTheFutureAndKeepsTheWorker(t *testing.T) {
	e := newExecutor(t, 2)
	boom := errors.New("boom")
	for range 5 {
		f := futures.Submit(context.Background(), e, func(context.Context) (int, error) { panic(boom) })
		_, err := f.Result(context.Background())
		var pe *futures.PanicError
		require.ErrorAs(t, err, &pe)
		assert.Same(t, boom, pe.Value)
		assert.ErrorIs(t, err, boom)
		assert.Contains(t, string(pe.Stack), "executor_test.go")
		assert.NotContains(t, pe.Error(), "\n")
		assert.Equal(t, futures.Failed, f.State())
	}
	// Both workers are still there: two tasks can run at once.
	g := newGate()
	fs := fill(t, e, g, 0)
	g.open()
	for _, f := range fs {
		_, err := f.Result(context.Background())
		require.NoError(t, err)
	}
	s := e.Stats()
	assert.Equal(t, uint64(5), s.Panicked)
	assert.Equal(t, uint64(5), s.Failed)
}

func TestPanicWithNonError(t *testing.T) {
	e := newExecutor(t, 1)
	_, err := futures.Submit(context.Background(), e, func(context.Context) (int, error) { panic("bad") }).Result(context.Background())
	var pe *futures.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "bad", pe.Value)
	assert.NoError(t, pe.Unwrap())
	assert.Equal(t, "futures: task panicked: bad", pe.Error())
}

func TestGoexitFailsTheFutureAndKeepsThePoolSize(t *testing.T) {
	e := newExecutor(t, 2)
	for range 3 {
		f := futures.Submit(context.Background(), e, func(context.Context) (int, error) {
			runtime.Goexit()
			return 1, nil
		})
		_, err := f.Result(context.Background())
		assert.ErrorIs(t, err, futures.ErrGoexit)
		assert.Equal(t, futures.Failed, f.State())
	}
	g := newGate()
	fs := fill(t, e, g, 0)
	g.open()
	for _, f := range fs {
		_, err := f.Result(context.Background())
		require.NoError(t, err)
	}
}

func TestTaskCtxCarriesValuesAndDeadline(t *testing.T) {
	type key struct{}
	e := newExecutor(t, 1)
	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), key{}, "v"), 1<<40)
	defer cancel()
	want, _ := ctx.Deadline()
	f := futures.Submit(ctx, e, func(ctx context.Context) (any, error) {
		d, ok := ctx.Deadline()
		assert.True(t, ok)
		assert.Equal(t, want, d)
		return ctx.Value(key{}), ctx.Err()
	})
	v, err := f.Result(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "v", v)
}

func TestTaskCtxIsCanceledWithSubmitCtx(t *testing.T) {
	e := newExecutor(t, 1)
	cause := errors.New("request done")
	ctx, cancel := context.WithCancelCause(context.Background())
	started := make(chan struct{})
	f := futures.Submit(ctx, e, func(ctx context.Context) (int, error) {
		close(started)
		<-ctx.Done()
		return 0, context.Cause(ctx)
	})
	<-started
	cancel(cause)
	_, err := f.Result(context.Background())
	assert.Same(t, cause, err)
}

func TestTaskCtxIsCanceledOnceFnReturns(t *testing.T) {
	e := newExecutor(t, 1)
	for name, touch := range map[string]func(context.Context){
		"untouched": func(context.Context) {},
		"touched":   func(ctx context.Context) { _ = ctx.Done() },
	} {
		t.Run(name, func(t *testing.T) {
			f := futures.Submit(context.Background(), e, func(ctx context.Context) (context.Context, error) {
				touch(ctx)
				require.NoError(t, ctx.Err())
				return ctx, nil
			})
			ctx, err := f.Result(context.Background())
			require.NoError(t, err)
			assert.ErrorIs(t, ctx.Err(), context.Canceled)
			<-ctx.Done()
			assert.ErrorIs(t, context.Cause(ctx), context.Canceled)
		})
	}
}

func TestDerivedTaskCtxIsCanceled(t *testing.T) {
	e := newExecutor(t, 1)
	started := make(chan struct{})
	f := futures.Submit(context.Background(), e, func(ctx context.Context) (int, error) {
		child, cancel := context.WithCancel(ctx)
		defer cancel()
		close(started)
		<-child.Done()
		return 0, context.Cause(child)
	})
	<-started
	assert.False(t, f.Cancel())
	_, err := f.Result(context.Background())
	assert.ErrorIs(t, err, futures.ErrCanceled)
}

func TestStatsAddUpAtRest(t *testing.T) {
	e := futures.New(2, futures.WithQueueSize(9))
	g := newGate()
	fs := fill(t, e, g, 8)
	fs[5].Cancel()
	fs[6].Cancel()
	mid := e.Stats()
	assert.Equal(t, 2, mid.Running)
	assert.Equal(t, 8, mid.Queued)
	assert.Equal(t, 2, mid.Workers)
	futures.Submit(context.Background(), e, func(context.Context) (int, error) { return 0, errors.New("x") })
	g.open()
	require.NoError(t, e.Close())
	s := e.Stats()
	assert.Equal(t, uint64(11), s.Submitted)
	assert.Equal(t, uint64(1), s.Failed)
	assert.Equal(t, uint64(8), s.Succeeded)
	assert.Equal(t, uint64(2), s.Canceled)
	assert.Equal(t, s.Submitted, s.Succeeded+s.Failed+s.Canceled)
	assert.Equal(t, 0, s.Running)
}

func TestUnreachableExecutorStopsItsWorkers(t *testing.T) {
	func() {
		e := futures.New(4)
		_, err := futures.Submit(context.Background(), e, value(1)).Result(context.Background())
		require.NoError(t, err)
	}()
	for range 5 {
		runtime.GC()
	}
	goleak.VerifyNone(t)
}

func TestShutdownFromATask(t *testing.T) {
	e := futures.New(1)
	f := futures.Submit(context.Background(), e, func(context.Context) (error, error) {
		return e.Close(), nil
	})
	got, err := f.Result(context.Background())
	require.NoError(t, err)
	assert.ErrorIs(t, got, futures.ErrShutdownInTask)
	require.NoError(t, e.Close())
}
