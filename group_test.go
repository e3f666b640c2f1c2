package futures_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

func TestGroupReturnsResultsInSubmissionOrder(t *testing.T) {
	e := newExecutor(t, 4)
	g := futures.NewGroup[int](context.Background(), e)
	for i := range 100 {
		g.Submit(value(i))
	}
	got, err := g.Wait()
	require.NoError(t, err)
	for i, v := range got {
		require.Equal(t, i, v)
	}
	requirePanics(t, func() { g.Submit(value(1)) })
}

func TestGroupFirstFailureCancelsTheRest(t *testing.T) {
	e := newExecutor(t, 2, futures.WithQueueSize(200))
	boom := errors.New("boom")
	g := futures.NewGroup[int](context.Background(), e)
	started := make(chan struct{})
	var ran atomic.Int32
	blocker := g.Submit(func(ctx context.Context) (int, error) {
		close(started)
		<-ctx.Done() // canceled by the failure
		return 0, ctx.Err()
	})
	<-started
	failing := g.Submit(func(context.Context) (int, error) { return 0, boom })
	var rest []*futures.Future[int]
	<-failing.Done()
	for range 98 {
		rest = append(rest, g.Submit(func(context.Context) (int, error) { ran.Add(1); return 1, nil }))
	}
	got, err := g.Wait()
	assert.Nil(t, got)
	assert.Same(t, boom, err)
	assert.Equal(t, int32(0), ran.Load(), "queued tasks ran after the group failed")
	for _, f := range rest {
		assert.Equal(t, futures.Canceled, f.State())
	}
	_, err = blocker.Result(context.Background())
	assert.ErrorIs(t, err, context.Canceled)
}

func TestGroupOneFailureAmongHundred(t *testing.T) {
	e := newExecutor(t, 4)
	boom := errors.New("boom")
	g := futures.NewGroup[int](context.Background(), e)
	for i := range 100 {
		g.Submit(func(context.Context) (int, error) {
			if i == 57 {
				return 0, boom
			}
			return i, nil
		})
	}
	got, err := g.Wait()
	assert.Nil(t, got)
	assert.Same(t, boom, err)
	s := e.Stats()
	assert.Equal(t, uint64(1), s.Failed)
}

func TestGroupPanicFailsTheGroup(t *testing.T) {
	e := newExecutor(t, 2)
	g := futures.NewGroup[int](context.Background(), e)
	g.Submit(func(context.Context) (int, error) { panic("oops") })
	_, err := g.Wait()
	var pe *futures.PanicError
	assert.ErrorAs(t, err, &pe)
}

func TestGroupCtxCanceledBeforeTasksRun(t *testing.T) {
	e := newExecutor(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	g := futures.NewGroup[int](ctx, e)
	cancel()
	g.Submit(value(1))
	_, err := g.Wait()
	assert.ErrorIs(t, err, context.Canceled)
}

func TestGroupBadInputPanics(t *testing.T) {
	e := newExecutor(t, 1)
	requirePanics(t, func() { futures.NewGroup[int](context.Background(), nil) })
	g := futures.NewGroup[int](context.Background(), e)
	requirePanics(t, func() { g.Submit(nil) })
}

func TestGroupSubmitRacesFailure(t *testing.T) {
	e := newExecutor(t, 2)
	for range 200 {
		g := futures.NewGroup[int](context.Background(), e)
		var wg sync.WaitGroup
		wg.Go(func() {
			g.Submit(func(context.Context) (int, error) { return 0, errors.New("fail") })
		})
		wg.Go(func() {
			for range 5 {
				g.Submit(value(1))
			}
		})
		wg.Wait()
		_, err := g.Wait()
		assert.EqualError(t, err, "fail")
	}
	require.NoError(t, e.Close())
	s := e.Stats()
	assert.Equal(t, s.Submitted, s.Succeeded+s.Failed+s.Canceled, "stats %+v", s)
}

func TestGroupSubmitRacingWaitLeavesNothingRunning(t *testing.T) {
	e := newExecutor(t, 2)
	for range 200 {
		g := futures.NewGroup[int](context.Background(), e)
		g.Submit(value(0))
		raced := make(chan *futures.Future[int], 1)
		go func() {
			defer func() {
				if recover() != nil { // Submit after Wait returned: a clear panic
					raced <- nil
				}
			}()
			raced <- g.Submit(value(1))
		}()
		_, err := g.Wait()
		require.NoError(t, err)
		if f := <-raced; f != nil {
			// Submit got in before Wait returned: Wait must have waited for it.
			require.GreaterOrEqual(t, f.State(), futures.Succeeded, "still %v after Wait", f.State())
		}
	}
}

func TestGroupsFromManyRequestsNeverExceedTheExecutorSize(t *testing.T) {
	e := newExecutor(t, 8, futures.WithQueueSize(4))
	var pr probe
	var wg sync.WaitGroup
	for range 100 { // request handlers, each fanning out through a group
		wg.Go(func() {
			g := futures.NewGroup[int](context.Background(), e)
			for range 5 {
				g.Submit(busy(&pr))
			}
			got, err := g.Wait()
			assert.NoError(t, err)
			assert.Len(t, got, 5)
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, pr.peak.Load(), int64(8), "tasks at once on New(8)")
}

func TestGroupSubmitOutsideTasksWaitsForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := futures.New(1, futures.WithQueueSize(0))
		gt := newGate()
		hold := futures.Submit(context.Background(), e, gateTask(gt, 0))
		gt.waitStarted(t, 1)
		g := futures.NewGroup[int](context.Background(), e)
		submitted := make(chan *futures.Future[int])
		go func() { submitted <- g.Submit(value(7)) }()
		synctest.Wait()
		select {
		case <-submitted:
			t.Fatal("Group.Submit returned while the only worker was busy: it ran the task in its caller")
		default:
		}
		gt.open()
		f := <-submitted
		got, err := g.Wait()
		require.NoError(t, err)
		assert.Equal(t, []int{7}, got)
		assert.Equal(t, futures.Succeeded, f.State())
		_, _ = hold.Result(context.Background())
		require.NoError(t, e.Close())
	})
}

func TestGroupSubmitOutsideTasksGivesUpWhenItsCtxEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := futures.New(1, futures.WithQueueSize(0))
		gt := newGate()
		futures.Submit(context.Background(), e, gateTask(gt, 0))
		gt.waitStarted(t, 1)
		ctx, cancel := context.WithCancelCause(context.Background())
		g := futures.NewGroup[int](ctx, e)
		submitted := make(chan *futures.Future[int])
		go func() { submitted <- g.Submit(value(7)) }()
		synctest.Wait()
		cause := errors.New("client left")
		cancel(cause)
		f := <-submitted
		_, err := f.Result(context.Background())
		assert.ErrorIs(t, err, cause)
		assert.Equal(t, futures.Canceled, f.State())
		gt.open()
		_, err = g.Wait()
		assert.ErrorIs(t, err, cause)
		require.NoError(t, e.Close())
	})
}

func TestGroupSubmitFromATaskRunsInItOnAFullQueue(t *testing.T) {
	e := newExecutor(t, 1, futures.WithQueueSize(0))
	g := futures.NewGroup[int](context.Background(), e) // not a task's ctx
	var inner *futures.Future[int]
	outer := g.Submit(func(context.Context) (int, error) {
		inner = g.Submit(value(2)) // the only worker is this task: run it here
		return 1, nil
	})
	_, err := outer.Result(context.Background())
	require.NoError(t, err)
	assert.Equal(t, futures.Succeeded, inner.State(), "ran in the calling task")
	got, err := g.Wait()
	require.NoError(t, err)
	assert.ElementsMatch(t, []int{1, 2}, got)
}

func TestGroupLimitHoldsForConcurrentRequests(t *testing.T) {
	e := newExecutor(t, 8)
	var all probe
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			var mine probe
			g := futures.NewGroup[int](context.Background(), e)
			g.SetLimit(2)
			for range 20 {
				g.Submit(func(ctx context.Context) (int, error) {
					mine.enter()
					defer mine.leave()
					return busy(&all)(ctx)
				})
			}
			_, err := g.Wait()
			assert.NoError(t, err)
			assert.LessOrEqual(t, mine.peak.Load(), int64(2), "one request's tasks at once")
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, all.peak.Load(), int64(8))
}

func TestRecursiveCrawlOnALimitedGroupFinishes(t *testing.T) {
	e := newExecutor(t, 2, futures.WithQueueSize(0))
	g := futures.NewGroup[int](context.Background(), e)
	g.SetLimit(1)
	var crawl func(depth int) func(context.Context) (int, error)
	crawl = func(depth int) func(context.Context) (int, error) {
		return func(context.Context) (int, error) {
			if depth < 4 {
				for range 3 {
					g.Submit(crawl(depth + 1)) // at the limit: runs here
				}
			}
			return depth, nil
		}
	}
	g.Submit(crawl(0))
	got, err := g.Wait()
	require.NoError(t, err)
	assert.Len(t, got, 1+3+9+27+81, "pages crawled")
}

func TestGroupSetLimitMisusePanics(t *testing.T) {
	e := newExecutor(t, 1)
	g := futures.NewGroup[int](context.Background(), e)
	requirePanics(t, func() { g.SetLimit(0) })
	gt := newGate()
	g.Submit(gateTask(gt, 1))
	requirePanics(t, func() { g.SetLimit(3) })
	gt.open()
	_, err := g.Wait()
	require.NoError(t, err)
	g.SetLimit(-1) // nothing unfinished: allowed
}

func TestGroupSubmitThatGivesUpAtTheLimitKeepsTheLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := futures.New(4)
		ctx, cancel := context.WithCancel(context.Background())
		g := futures.NewGroup[int](ctx, e)
		g.SetLimit(1)
		gt := newGate()
		g.Submit(gateTask(gt, 1))
		refused := make(chan *futures.Future[int])
		go func() { refused <- g.Submit(value(2)) }() // waits for the limit
		synctest.Wait()
		cancel()
		f := <-refused
		assert.Equal(t, futures.Canceled, f.State())
		gt.open()
		_, err := g.Wait()
		assert.ErrorIs(t, err, context.Canceled)
		require.NoError(t, e.Close())
	})
}
