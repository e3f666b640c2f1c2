package futures_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

// stuck returns an executor of n workers, each held by a task that ignores its
// ctx until release is closed; the test closes release, then the executor.
func stuck(t *testing.T, n int, opts ...futures.Option) (e *futures.Executor, release func()) {
	t.Helper()
	e = futures.New(n, opts...)
	gt := newGate()
	for range n {
		futures.Submit(context.Background(), e, gateTask(gt, 0))
	}
	gt.waitStarted(t, n)
	return e, func() {
		gt.open()
		require.NoError(t, e.Close())
	}
}

func TestQueuedFutureEndsAtOnceWhenItsCtxEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, release := stuck(t, 2)
		defer release()
		cause := errors.New("client left")
		var fs []*futures.Future[int]
		var cancels []context.CancelCauseFunc
		for range 100 { // a hundred requests, each with one queued task
			ctx, cancel := context.WithCancelCause(context.Background())
			fs = append(fs, futures.Submit(ctx, e, value(1)))
			cancels = append(cancels, cancel)
		}
		var waiters sync.WaitGroup
		for _, f := range fs[:50] {
			waiters.Go(func() {
				_, err := f.Result(context.Background())
				assert.ErrorIs(t, err, cause)
			})
		}
		for _, cancel := range cancels {
			cancel(cause)
		}
		synctest.Wait() // every goroutine is blocked: only the workers' tasks still hold
		for i, f := range fs {
			require.Equal(t, futures.Canceled, f.State(), "future %d while every worker is busy", i)
			require.True(t, isClosed(f.Done()))
		}
		waiters.Wait()
		s := e.Stats()
		assert.Equal(t, uint64(100), s.Canceled)
		assert.Equal(t, 2, s.Running)
	})
}

func TestShutdownNowCancelsQueuedFuturesAtOnceWhileWorkersAreBusy(t *testing.T) {
	e, release := stuck(t, 2)
	var fs []*futures.Future[int]
	for range 10 {
		fs = append(fs, futures.Submit(context.Background(), e, value(1)))
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, e.ShutdownNow(done), context.Canceled, "the workers are still busy")
	for i, f := range fs {
		require.Equal(t, futures.Canceled, f.State(), "future %d", i)
		_, err := f.Result(done)
		assert.ErrorIs(t, err, futures.ErrShutdown)
	}
	release()
	s := e.Stats()
	assert.Equal(t, s.Submitted, s.Succeeded+s.Failed+s.Canceled, "%+v", s)
}

func TestHelpersReturnAtOnceWhenTheirCtxEnds(t *testing.T) {
	cases := map[string]func(ctx context.Context, e *futures.Executor) error{
		"Map": func(ctx context.Context, e *futures.Executor) error {
			_, err := futures.Map(ctx, e, []int{1, 2, 3}, func(_ context.Context, v int) (int, error) { return v, nil })
			return err
		},
		"MapSeq": func(ctx context.Context, e *futures.Executor) error {
			var last error
			for _, err := range futures.MapSeq(ctx, e, slices.Values([]int{1, 2, 3}), func(_ context.Context, v int) (int, error) { return v, nil }) {
				last = err
			}
			return last
		},
		"Group.Wait": func(ctx context.Context, e *futures.Executor) error {
			g := futures.NewGroup[int](ctx, e)
			for range 3 {
				g.Submit(value(1))
			}
			_, err := g.Wait()
			return err
		},
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e, release := stuck(t, 1)
				defer release()
				ctx, cancel := context.WithCancel(context.Background())
				returned := make(chan error, 1)
				go func() { returned <- call(ctx, e) }()
				synctest.Wait()
				cancel()
				synctest.Wait()
				select {
				case err := <-returned:
					assert.ErrorIs(t, err, context.Canceled)
				default:
					t.Fatalf("%s still waits while the only worker is busy", name)
				}
			})
		})
	}
}
