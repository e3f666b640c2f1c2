package futures_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

// hang fails the test if ch is not closed within 10 s.
func hang(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("hang: " + what)
	}
}

// waitRunning waits until a worker took f.
// waitTaken waits until n tasks of e were taken by workers: running, or held
// (Pending) by a surplus worker after a shrink.
func waitTaken(t *testing.T, e *futures.Executor, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); e.Stats().Running < n; runtime.Gosched() {
		if time.Now().After(deadline) {
			t.Fatal("hang: no worker took the task")
		}
	}
}

// exactClock makes the executor's clock exact: one timed task (every 16th) ran >= 50µs.
func exactClock(t *testing.T, e *futures.Executor) {
	t.Helper()
	ctx := context.Background()
	for range 32 {
		_, err := futures.Submit(ctx, e, func(context.Context) (int, error) {
			time.Sleep(100 * time.Microsecond)
			return 0, nil
		}).Result(ctx)
		require.NoError(t, err)
	}
}

// API.md Stats.RunTime: "total time tasks ran, over finished tasks"; clock.go:
// once a timed task ran >= 50µs "every task is [timed], and the times are exact".
// TryMap's items failed it; Map's, the contrast, passed.
func TestHuntMapsCountInRunTime(t *testing.T) {
	item := func(context.Context, int) (int, error) {
		time.Sleep(20 * time.Millisecond)
		return 0, nil
	}
	for name, mapOn := range map[string]func(*futures.Executor) ([]int, error){
		"TryMap": func(e *futures.Executor) ([]int, error) {
			return futures.TryMap(context.Background(), e, []int{1}, item)
		},
		"Map": func(e *futures.Executor) ([]int, error) {
			return futures.Map(context.Background(), e, []int{1}, item)
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := newExecutor(t, 2)
			exactClock(t, e)
			before := e.Stats().RunTime
			_, err := mapOn(e)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, e.Stats().RunTime-before, 20*time.Millisecond, "an item ran 20ms")
		})
	}
}

// API.md TrySubmit: "with nothing canceled it admits exactly workers + queue size
// unfinished tasks" (Workers() is n at once after Resize; TryMap counts places the
// same way: workers + queue size − unfinished).
func TestHuntTrySubmitIsExactAfterShrinkWithAQueue(t *testing.T) {
	e, g := shrunkWithEveryPlaceHeld(t)
	defer g.open()
	f, err := futures.TrySubmit(context.Background(), e, gateTask(g, 0))
	assert.ErrorIs(t, err, futures.ErrQueueFull, "4 unfinished tasks on 1 worker + 2 slots")
	if f != nil {
		f.Cancel()
	}
}

// Same state: TryMap refuses a single item (as TrySubmit should).
func TestHuntTryMapIsExactAfterShrinkWithAQueue(t *testing.T) {
	e, g := shrunkWithEveryPlaceHeld(t)
	defer g.open()
	_, err := futures.TryMap(context.Background(), e, []int{1}, func(context.Context, int) (int, error) { return 0, nil })
	assert.ErrorIs(t, err, futures.ErrQueueFull)
}

// shrunkWithEveryPlaceHeld returns an executor of 3 workers and 2 queue slots
// running 3 tasks held by g, then resized to 1: 1 worker + 2 slots = 3
// places, all held.
func shrunkWithEveryPlaceHeld(t *testing.T) (*futures.Executor, *gate) {
	e := newExecutor(t, 3, futures.WithQueueSize(2))
	g := newGate()
	t.Cleanup(g.open) // before the executor's: a failed setup still ends
	for range 3 {
		_, err := futures.TrySubmit(context.Background(), e, gateTask(g, 0))
		require.NoError(t, err)
	}
	g.waitStarted(t, 3)
	e.Resize(1)
	return e, g
}

// API.md WithWorkerInit (v3): "a worker started again after idle retirement or
// Resize runs it again, with a number below Workers() that no live worker holds".
// A worker whose task called runtime.Goexit is started again after a Resize.
func TestHuntWorkerStartedAgainAfterGoexitAndShrinkTakesANumberBelowWorkers(t *testing.T) {
	var mu sync.Mutex
	var bad []int
	var e *futures.Executor
	e = newExecutor(t, 2, futures.WithWorkerInit(func(id int) error {
		mu.Lock()
		defer mu.Unlock()
		if e != nil && id >= e.Workers() {
			bad = append(bad, id)
		}
		return nil
	}))
	ctx := context.Background()
	g := newGate()
	var fs []*futures.Future[int]
	for range 2 {
		fs = append(fs, futures.Submit(ctx, e, func(context.Context) (int, error) {
			g.started <- struct{}{}
			<-g.release
			runtime.Goexit()
			return 0, nil
		}))
	}
	g.waitStarted(t, 2)
	mu.Lock()
	e.Resize(1)
	mu.Unlock()
	g.open()
	for _, f := range fs {
		_, err := f.Result(ctx)
		require.ErrorIs(t, err, futures.ErrGoexit)
	}
	require.NoError(t, e.Close())
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, bad, "init numbers >= Workers() = 1")
}

// API.md Semantics: "A task whose submit ctx is done before it starts never runs;
// its future ends Canceled"; Submit: "A queued task whose ctx ends finishes
// Canceled at once (its waiters wake), even while every worker is busy." After a
// shrink, an idle surplus worker that takes a task holds it (not started) until
// the running tasks finish.
func TestHuntTaskHeldAfterShrinkIsCanceledByItsCtx(t *testing.T) {
	e := newExecutor(t, 3)
	burst(t, e, 3) // three idle workers
	ctx := context.Background()
	g := newGate()
	defer g.open()
	futures.Submit(ctx, e, gateTask(g, 0))
	futures.Submit(ctx, e, gateTask(g, 0))
	g.waitStarted(t, 2)
	e.Resize(1) // 2 tasks run: none may start now

	tctx, cancel := context.WithCancel(ctx)
	ran := make(chan struct{}, 1)
	f := futures.Submit(tctx, e, func(context.Context) (int, error) {
		ran <- struct{}{}
		return 1, nil
	})
	waitTaken(t, e, 3) // the idle surplus worker took it, and holds it
	cancel()
	select {
	case <-f.Done():
	case <-time.After(2 * time.Second):
		t.Errorf("a task that never started is not Canceled when its ctx ends; State %v", f.State())
	}
	g.open()
	<-f.Done()
	assert.Equal(t, futures.Canceled, f.State())
	assert.Empty(t, ran, "the task ran although its ctx ended before it started")
}

// ShutdownNow: "cancels every queued task at once (its future ends Canceled with
// ErrShutdown and its waiters wake, even while every worker is busy)".
func TestHuntTaskHeldAfterShrinkIsCanceledByShutdownNow(t *testing.T) {
	e := futures.New(3)
	burst(t, e, 3)
	ctx := context.Background()
	g := newGate()
	defer g.open()
	futures.Submit(ctx, e, gateTask(g, 0))
	futures.Submit(ctx, e, gateTask(g, 0))
	g.waitStarted(t, 2)
	e.Resize(1)
	ran := make(chan struct{}, 1)
	f := futures.Submit(ctx, e, func(context.Context) (int, error) {
		ran <- struct{}{}
		return 1, nil
	})
	waitTaken(t, e, 3)
	sctx, scancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer scancel()
	_ = e.ShutdownNow(sctx) // the gated tasks ignore their ctx
	select {
	case <-f.Done():
	case <-time.After(2 * time.Second):
		t.Errorf("a task that never started is not Canceled by ShutdownNow; State %v", f.State())
	}
	g.open()
	require.NoError(t, e.Close())
	assert.Equal(t, futures.Canceled, f.State())
	assert.Empty(t, ran)
	_, err := f.Result(ctx)
	assert.ErrorIs(t, err, futures.ErrShutdown)
}

var _ = errors.Is

// API.md WithIdleTimeout: "a steady trickle that one worker could serve lets the
// others retire within a few d". Fire-and-forget trickle, hand-off queue.
func TestHuntIdleTrickleWithoutWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := futures.New(4, futures.WithIdleTimeout(100*time.Millisecond), futures.WithQueueSize(0))
		burst(t, e, 4)
		ctx := context.Background()
		for range 300 {
			futures.Submit(ctx, e, value(0))
			time.Sleep(5 * time.Millisecond)
		}
		synctest.Wait()
		assert.LessOrEqual(t, e.Stats().Started, 1, "workers left after 1.5 s of a trickle, d = 100 ms")
		require.NoError(t, e.Close())
	})
}

// Same, tasks that take a little time (1 ms every 5 ms).
func TestHuntIdleTrickleOfShortSleeps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := futures.New(4, futures.WithIdleTimeout(100*time.Millisecond))
		burst(t, e, 4)
		ctx := context.Background()
		for range 300 {
			futures.Submit(ctx, e, func(context.Context) (int, error) {
				time.Sleep(time.Millisecond)
				return 0, nil
			})
			time.Sleep(5 * time.Millisecond)
		}
		synctest.Wait()
		assert.LessOrEqual(t, e.Stats().Started, 1, "workers left after 1.5 s of a trickle, d = 100 ms")
		require.NoError(t, e.Close())
	})
}

// API.md WithPanicHandler: "calls fn with the *PanicError of every panic in code
// the executor runs for users (a task wherever it runs, a Map or MapSeq item, a
// Group task), once, ... after its future (if it has one) has finished".
func TestHuntPanicHandlerOncePerPanicEverywhere(t *testing.T) {
	var mu sync.Mutex
	seen := map[any]int{}
	e := newExecutor(t, 1, futures.WithQueueSize(0), futures.WithPanicHandler(func(pe *futures.PanicError) {
		mu.Lock()
		seen[pe.Value]++
		mu.Unlock()
	}))
	ctx := context.Background()
	boom := func(v string) func(context.Context) (int, error) {
		return func(context.Context) (int, error) { panic(v) }
	}
	_, _ = futures.Submit(ctx, e, boom("task")).Result(ctx)
	_, _ = futures.Submit(ctx, e, func(ctx context.Context) (int, error) {
		return futures.Submit(ctx, e, boom("nested")).Result(ctx) // runs in its caller
	}).Result(ctx)
	_, _ = futures.Map(ctx, e, []int{1}, func(context.Context, int) (int, error) { panic("map") })
	_, _ = futures.TryMap(ctx, e, []int{1}, func(context.Context, int) (int, error) { panic("trymap") })
	for range futures.MapSeq(ctx, e, func(y func(int) bool) { y(1) }, func(context.Context, int) (int, error) { panic("mapseq") }) {
	}
	grp := futures.NewGroup[int](ctx, e)
	grp.Submit(boom("group"))
	_, _ = grp.Wait()
	grp2 := futures.NewGroup[int](ctx, e)
	_, _ = futures.Submit(ctx, e, func(ctx context.Context) (int, error) {
		grp2.Submit(boom("group-inline")) // from a task: runs in the caller
		return 0, nil
	}).Result(ctx)
	_, _ = grp2.Wait()
	_, _ = futures.Submit(ctx, e, func(ctx context.Context) (int, error) {
		_, err := futures.Map(ctx, e, []int{1, 2}, func(context.Context, int) (int, error) { panic("nested-map") })
		return 0, err
	}).Result(ctx)
	require.NoError(t, e.Close())
	mu.Lock()
	defer mu.Unlock()
	want := map[any]int{"task": 1, "nested": 1, "map": 1, "trymap": 1, "mapseq": 1, "group": 1, "group-inline": 1}
	got := map[any]int{}
	for k, v := range seen {
		if k != "nested-map" {
			got[k] = v
		}
	}
	assert.Equal(t, want, got)
	assert.GreaterOrEqual(t, seen["nested-map"], 1)
	assert.LessOrEqual(t, seen["nested-map"], 2)
	assert.Equal(t, uint64(len(want))+uint64(seen["nested-map"]), e.Stats().Panicked)
}

// "once, in the goroutine that ran it, after its future (if it has one) has
// finished ... Shutdown returns only after every call of fn returned."
func TestHuntPanicHandlerAfterFutureAndBeforeShutdown(t *testing.T) {
	var f *futures.Future[int]
	ready, inHandler, release := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var doneInHandler bool
	e := futures.New(2, futures.WithPanicHandler(func(*futures.PanicError) {
		doneInHandler = isClosed(f.Done()) && f.State() == futures.Failed
		close(inHandler)
		<-release
	}))
	ctx := context.Background()
	f = futures.Submit(ctx, e, func(context.Context) (int, error) { <-ready; panic("x") })
	close(ready)
	hang(t, inHandler, "handler")
	assert.True(t, doneInHandler, "the future had not finished when the handler ran")
	sctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, e.Shutdown(sctx), context.DeadlineExceeded, "Shutdown returned while the handler runs")
	close(release)
	require.NoError(t, e.Close())
}

// A service: 100 goroutines submit in every way while the size changes and idle
// workers retire; then Shutdown returns nil, Stats balance, init/exit pair up.
func TestHuntServiceUnderResizeAndIdle(t *testing.T) {
	h := newHooks()
	e := futures.New(8, append(h.options(), futures.WithIdleTimeout(time.Millisecond), futures.WithQueueSize(4))...)
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Microsecond):
				e.Resize(1 + i%8)
			}
		}
	})
	var last futures.Stats
	var statsMu sync.Mutex
	work := func(context.Context) (int, error) { runtime.Gosched(); return 1, nil }
	for i := range 100 {
		wg.Go(func() {
			grp := futures.NewGroup[int](ctx, e)
			for j := range 50 {
				switch (i + j) % 6 {
				case 0:
					_, _ = futures.Submit(ctx, e, work).Result(ctx)
				case 1:
					if f, err := futures.TrySubmit(ctx, e, work); err == nil {
						_, _ = f.Result(ctx)
					}
				case 2:
					_, _ = futures.TryMap(ctx, e, []int{1, 2, 3}, func(context.Context, int) (int, error) { return 0, nil })
				case 3:
					_, _ = grp.TrySubmit(work)
				case 4:
					cctx, cancel := context.WithCancel(ctx)
					f := futures.Submit(cctx, e, work)
					cancel()
					<-f.Done()
				case 5:
					statsMu.Lock() // read and compare in order
					s := e.Stats()
					if s.Submitted < last.Submitted || s.Succeeded < last.Succeeded || s.Canceled < last.Canceled ||
						s.Rejected < last.Rejected || s.QueueTime < last.QueueTime || s.RunTime < last.RunTime {
						t.Errorf("a counter went down: %+v then %+v", last, s)
					}
					last = s
					statsMu.Unlock()
				}
			}
			_, _ = grp.Wait()
		})
	}
	time.Sleep(100 * time.Millisecond)
	close(stop)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	hang(t, done, "submitters")
	require.NoError(t, e.Shutdown(ctx))
	s := e.Stats()
	assert.Equal(t, s.Submitted, s.Succeeded+s.Failed+s.Canceled, "%+v", s)
	assert.Zero(t, s.Started)
	h.check(t)
}

// API.md Resize: "from when Resize returns, no task starts in a goroutine of its
// own (a worker, or a caller that is not a task) while n or more tasks run". An
// OnDone callback on a worker is not a task; its Group.Submit runs the group task
// in that worker while another task runs, after Resize(1).
func TestHuntResizeBoundHoldsForAGroupSubmitInACallback(t *testing.T) {
	e := newExecutor(t, 2, futures.WithQueueSize(0))
	ctx := context.Background()
	a, b := newGate(), newGate()
	defer a.open()
	futures.Submit(ctx, e, gateTask(a, 0))
	fb := futures.Submit(ctx, e, gateTask(b, 0))
	a.waitStarted(t, 1)
	b.waitStarted(t, 1)
	e.Resize(1)
	grp := futures.NewGroup[int](ctx, e)
	started := make(chan struct{})
	fb.OnDone(func() {
		grp.Submit(func(context.Context) (int, error) { close(started); return 0, nil })
	})
	b.open() // B ends; A still runs, and the pool has 1 worker
	select {
	case <-started:
		t.Error("a group task started in a worker's callback while A runs on a pool of 1")
	case <-time.After(100 * time.Millisecond):
	}
	a.open()
	hang(t, started, "the group task never ran")
	_, err := grp.Wait()
	require.NoError(t, err)
}

// API.md v3: TrySubmit (and Group.TrySubmit, TryMap) "called from a worker (a
// task, an OnDone callback, the panic handler) where the only room is that
// worker's own, it returns ErrQueueFull".
func TestHuntTryCallsFromThePanicHandlerDoNotWaitForThemselves(t *testing.T) {
	var e *futures.Executor
	var grp *futures.Group[int]
	errs := make(chan error, 3)
	e = newExecutor(t, 1, futures.WithQueueSize(0), futures.WithPanicHandler(func(*futures.PanicError) {
		_, err := futures.TrySubmit(context.Background(), e, value(1))
		errs <- err
		_, err = grp.TrySubmit(value(1))
		errs <- err
		_, err = futures.TryMap(context.Background(), e, []int{1}, func(context.Context, int) (int, error) { return 0, nil })
		errs <- err
	}))
	ctx := context.Background()
	grp = futures.NewGroup[int](ctx, e)
	f := futures.Submit(ctx, e, func(context.Context) (int, error) { panic("x") })
	<-f.Done()
	for range 3 {
		select {
		case err := <-errs:
			assert.ErrorIs(t, err, futures.ErrQueueFull)
		case <-time.After(5 * time.Second):
			t.Fatal("hang: a Try call in the panic handler waits for its own worker")
		}
	}
	_, _ = grp.Wait()
}
