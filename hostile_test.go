package futures_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

// The four behaviours of API.md v3 that broke under a service's habits:
// polling after Done, Goexit in a task run in its caller, TrySubmit in a
// callback, and a dashboard polling Stats.

func TestResultWithDoneCtxAfterDoneReturnsTheOutcome(t *testing.T) {
	e := newExecutor(t, 2)
	ctx := context.Background()
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 5000 {
				f := futures.Submit(ctx, e, value(g*5000+i))
				<-f.Done()
				v, err := f.Result(canceled)
				if !assert.NoError(t, err, "Result after Done, with a done ctx") {
					return
				}
				assert.Equal(t, g*5000+i, v)
				if !assert.Equal(t, futures.Succeeded, f.State(), "State after Done") {
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestGoexitInATaskRunInItsCallerLetsShutdownReturn(t *testing.T) {
	e := futures.New(1, futures.WithQueueSize(0))
	ctx := context.Background()
	parent := futures.Submit(ctx, e, func(ctx context.Context) (int, error) {
		child := futures.Submit(ctx, e, func(context.Context) (int, error) {
			runtime.Goexit()
			return 0, nil
		})
		_, err := child.Result(ctx) // queue 0, one worker: the child runs here
		return 1, err
	})
	_, err := parent.Result(ctx)
	require.ErrorIs(t, err, futures.ErrGoexit)
	stop, cancel := context.WithTimeout(ctx, 10*time.Second) // a bound on a hang, not a guess
	defer cancel()
	require.NoError(t, e.Shutdown(stop), "Shutdown after a child called Goexit in its caller")
	s := e.Stats()
	assert.Equal(t, s.Submitted, s.Succeeded+s.Failed+s.Canceled, "%+v", s)
}

func TestGoexitInAGroupTaskRunInItsCallerLetsShutdownReturn(t *testing.T) {
	e := futures.New(1, futures.WithQueueSize(0))
	ctx := context.Background()
	parent := futures.Submit(ctx, e, func(ctx context.Context) (int, error) {
		g := futures.NewGroup[int](ctx, e)
		g.Submit(func(context.Context) (int, error) { runtime.Goexit(); return 0, nil })
		_, err := g.Wait()
		return 1, err
	})
	_, err := parent.Result(ctx)
	require.ErrorIs(t, err, futures.ErrGoexit)
	stop, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, e.Shutdown(stop))
}

func TestGoexitInACallbackWakesTheOtherWaiters(t *testing.T) {
	e := newExecutor(t, 1)
	ctx := context.Background()
	release := make(chan struct{})
	f := futures.Submit(ctx, e, func(context.Context) (int, error) { <-release; return 1, nil })
	f.OnDone(func() { runtime.Goexit() })
	ran := make(chan struct{})
	f.OnDone(func() { close(ran) })
	close(release)
	select {
	case <-ran:
	case <-time.After(10 * time.Second): // a bound on a hang, not a guess
		t.Fatal("a callback's Goexit kept the next callback from running")
	}
	v, err := f.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, v)
	v, err = futures.Submit(ctx, e, value(2)).Result(ctx) // the worker was replaced
	require.NoError(t, err)
	assert.Equal(t, 2, v)
}

func TestTrySubmitInACallbackDoesNotWaitForItsOwnWorker(t *testing.T) {
	for _, workers := range []int{1, 2} {
		t.Run("workers="+string(rune('0'+workers)), func(t *testing.T) {
			e := newExecutor(t, workers, futures.WithQueueSize(1))
			ctx := context.Background()
			release := make(chan struct{})
			results := make(chan error, workers)
			var firsts []*futures.Future[int]
			for range workers {
				firsts = append(firsts, futures.Submit(ctx, e, func(context.Context) (int, error) { <-release; return 0, nil }))
			}
			futures.Submit(ctx, e, value(1)) // fills the queue
			for _, f := range firsts {
				f.OnDone(func() {
					_, err := futures.TrySubmit(ctx, e, value(2))
					results <- err
				})
			}
			close(release)
			var full int
			for range workers {
				select {
				case err := <-results:
					if errors.Is(err, futures.ErrQueueFull) {
						full++
					} else {
						require.NoError(t, err)
					}
				case <-time.After(10 * time.Second): // a bound on a hang, not a guess
					t.Fatal("TrySubmit in an OnDone callback waits for its own worker")
				}
			}
			// Each callback's worker holds the only place the others see free
			// at most once: at least one of them is refused.
			assert.GreaterOrEqual(t, full, 1)
		})
	}
}

func TestTrySubmitFromATaskStillUsesAnotherWorkersPlace(t *testing.T) {
	e := newExecutor(t, 2, futures.WithQueueSize(0))
	ctx := context.Background()
	release, started := make(chan struct{}), make(chan struct{})
	blocked := futures.Submit(ctx, e, func(context.Context) (int, error) { close(started); <-release; return 0, nil })
	<-started // on a worker: not run inline by the Result below
	v, err := futures.Submit(ctx, e, func(ctx context.Context) (int, error) {
		// One worker runs this task and the other is blocked: no room.
		_, err := futures.TrySubmit(ctx, e, value(1))
		if !errors.Is(err, futures.ErrQueueFull) {
			return 0, err
		}
		close(release)
		if _, err := blocked.Result(ctx); err != nil {
			return 0, err
		}
		// The other worker is free now: its place is room.
		f, err := futures.TrySubmit(ctx, e, value(1))
		if err != nil {
			return 0, err
		}
		return f.Result(ctx)
	}).Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, v)
}

func TestStatsCountersOnlyGrowWhileSubmitsGiveUp(t *testing.T) {
	e := newExecutor(t, 1, futures.WithQueueSize(1))
	ctx := context.Background()
	release := make(chan struct{})
	futures.Submit(ctx, e, func(context.Context) (int, error) { <-release; return 0, nil })
	futures.Submit(ctx, e, value(1)) // the queue is full from here on
	stop := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		prev := e.Stats()
		for {
			select {
			case <-stop:
				return
			default:
			}
			s := e.Stats()
			if !counterGrew(t, prev, s) {
				return
			}
			prev = s
		}
	}()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				giveUp, cancel := context.WithCancel(ctx)
				go cancel()
				f := futures.Submit(giveUp, e, value(2))
				assert.Equal(t, futures.Canceled, f.State())
			}
		})
	}
	wg.Wait()
	close(stop)
	<-polled
	close(release)
	require.NoError(t, e.Shutdown(ctx))
	s := e.Stats()
	assert.Equal(t, uint64(2), s.Submitted, "%+v", s)
	assert.Equal(t, uint64(1600), s.Rejected, "%+v", s)
	assert.Equal(t, s.Submitted, s.Succeeded+s.Failed+s.Canceled, "%+v", s)
}

// counterGrew asserts that no counter of s is below its value in prev.
func counterGrew(t *testing.T, prev, s futures.Stats) bool {
	t.Helper()
	ok := true
	for _, c := range []struct {
		name     string
		was, now uint64
	}{
		{"Submitted", prev.Submitted, s.Submitted},
		{"Succeeded", prev.Succeeded, s.Succeeded},
		{"Failed", prev.Failed, s.Failed},
		{"Panicked", prev.Panicked, s.Panicked},
		{"Canceled", prev.Canceled, s.Canceled},
		{"Rejected", prev.Rejected, s.Rejected},
		{"QueueTime", uint64(prev.QueueTime), uint64(s.QueueTime)},
		{"RunTime", uint64(prev.RunTime), uint64(s.RunTime)},
	} {
		ok = assert.GreaterOrEqual(t, c.now, c.was, "Stats.%s went down", c.name) && ok
	}
	return ok
}
