package futures_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

// busy is a task that holds its worker, counted by pr, for a few turns of the
// scheduler, so that queues fill up.
func busy(pr *probe) func(context.Context) (int, error) {
	return func(context.Context) (int, error) {
		pr.enter()
		defer pr.leave()
		for range 20 {
			runtime.Gosched()
		}
		return 1, nil
	}
}

func TestShutdownWaitsForTasksRunInCallers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := futures.New(1, futures.WithQueueSize(0))
		childStarted, releaseChild := make(chan struct{}), make(chan struct{})
		helperDone := make(chan *futures.Future[int])
		parent := e.Go(context.Background(), func(ctx context.Context) error {
			// A goroutine of the task submits with the task's ctx on a full
			// queue, so it runs the child itself, outside the workers.
			go func() {
				helperDone <- futures.Submit(ctx, e, func(context.Context) (int, error) {
					close(childStarted)
					<-releaseChild
					return 3, nil
				})
			}()
			<-childStarted
			return nil
		})
		_, err := parent.Result(context.Background())
		require.NoError(t, err)
		closed := make(chan error)
		go func() { closed <- e.Close() }()
		synctest.Wait()
		select {
		case <-closed:
			t.Fatal("Close returned while a task ran in a caller")
		default:
		}
		assert.Equal(t, 1, e.Stats().Running)
		close(releaseChild)
		child := <-helperDone
		require.NoError(t, <-closed)
		got, err := child.Result(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 3, got)
		s := e.Stats()
		assert.Equal(t, s.Submitted, s.Succeeded+s.Failed+s.Canceled, "%+v", s)
		assert.Equal(t, 0, s.Running)
	})
}

func TestTrySubmitOnAFreshExecutorWithNoQueueIsAccepted(t *testing.T) {
	for range 200 {
		e := futures.New(1, futures.WithQueueSize(0))
		f, err := futures.TrySubmit(context.Background(), e, value(1))
		require.NoError(t, err, "the worker was not started yet, so it was idle")
		_, err = f.Result(context.Background())
		require.NoError(t, err)
		require.NoError(t, e.Close())
	}
}

func TestTrySubmitAfterResultFindsTheWorkerIdle(t *testing.T) {
	e := newExecutor(t, 1, futures.WithQueueSize(0))
	for range 500 {
		f, err := futures.TrySubmit(context.Background(), e, value(1))
		require.NoError(t, err)
		_, err = f.Result(context.Background())
		require.NoError(t, err)
	}
}

func TestTrySubmitAdmitsExactlyWorkersPlusQueue(t *testing.T) {
	for _, c := range []struct{ workers, queue int }{{1, 0}, {3, 2}, {8, 8}} {
		e := futures.New(c.workers, futures.WithQueueSize(c.queue))
		gt := newGate()
		var accepted sync.WaitGroup
		var mu sync.Mutex
		var fs []*futures.Future[int]
		var full int
		for range 32 { // many submitters at once, none of whose tasks can finish
			accepted.Go(func() {
				for range 4 {
					f, err := futures.TrySubmit(context.Background(), e, gateTask(gt, 1))
					mu.Lock()
					if err == nil {
						fs = append(fs, f)
					} else {
						assert.ErrorIs(t, err, futures.ErrQueueFull)
						full++
					}
					mu.Unlock()
				}
			})
		}
		accepted.Wait()
		assert.Len(t, fs, c.workers+c.queue, "workers %d, queue %d", c.workers, c.queue)
		assert.Equal(t, 128-c.workers-c.queue, full)
		gt.open()
		for _, f := range fs {
			_, err := f.Result(context.Background())
			require.NoError(t, err)
		}
		require.NoError(t, e.Close())
	}
}
