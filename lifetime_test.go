package futures_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

func TestResultReturnsOnlyOncePublished(t *testing.T) {
	e := newExecutor(t, 2)
	var wg sync.WaitGroup
	for i := range 5000 {
		f := futures.Submit(context.Background(), e, value(i))
		wg.Go(func() { <-f.Done() }) // someone else waits on Done too
		_, err := f.Result(context.Background())
		require.NoError(t, err)
		require.True(t, isClosed(f.Done()), "future %d: Result returned with Done open", i)
		require.Equal(t, futures.Succeeded, f.State(), "future %d", i)
	}
	wg.Wait()
}

func TestDoneAndStateAgreeWhileTasksFinish(t *testing.T) {
	e := newExecutor(t, 2)
	var wg sync.WaitGroup
	for i := range 2000 {
		f := futures.Submit(context.Background(), e, value(i))
		wg.Go(func() {
			<-f.Done()
			assert.Equal(t, futures.Succeeded, f.State(), "Done closed before the state was terminal")
		})
		wg.Go(func() {
			done := f.Done()
			for f.State() != futures.Succeeded {
				runtime.Gosched()
			}
			assert.True(t, isClosed(done), "terminal state with Done open")
		})
	}
	wg.Wait()
}

func TestReportsOfFinishedSeeItPublished(t *testing.T) {
	e := newExecutor(t, 1, futures.WithQueueSize(1000))
	gt := newGate()
	futures.Submit(context.Background(), e, gateTask(gt, 0))
	gt.waitStarted(t, 1)
	published := func(f *futures.Future[int]) bool {
		return f.State() == futures.Canceled && isClosed(f.Done())
	}
	var wg sync.WaitGroup
	for range 500 {
		f := futures.Submit(context.Background(), e, value(1))
		f.OnDone(func() { assert.True(t, published(f), "OnDone ran first") })
		start := make(chan struct{})
		for range 8 {
			wg.Go(func() {
				<-start
				if f.Cancel() {
					assert.True(t, published(f), "Cancel returned true first")
				}
			})
		}
		wg.Go(func() {
			<-start
			done, _, err := futures.Wait(context.Background(), futures.AllCompleted, f)
			assert.NoError(t, err)
			assert.True(t, published(done[0]), "Wait listed it done first")
		})
		wg.Go(func() {
			<-start
			for g := range futures.AsCompleted(context.Background(), f) {
				assert.True(t, published(g), "AsCompleted yielded it first")
			}
		})
		close(start)
	}
	wg.Wait()
	gt.open()
}

func TestExecutorInUseIsNotCollected(t *testing.T) {
	release := make(chan struct{})
	blocked := make(chan struct{})
	results := make(chan error, 2)
	func() {
		e := futures.New(1, futures.WithQueueSize(0))
		e.Go(context.Background(), func(context.Context) error { close(blocked); <-release; return nil })
		<-blocked
		g := futures.NewGroup[int](context.Background(), e)
		go func() { // a Submit blocked on the full queue
			_, err := e.Go(context.Background(), func(context.Context) error { return nil }).Result(context.Background())
			results <- err
		}()
		go func() { // a live group blocked on the full queue, nobody else holding e
			g.Submit(value(1))
			_, err := g.Wait()
			results <- err
		}()
	}()
	for range 3 {
		runtime.GC()
	}
	close(release)
	for range 2 {
		assert.NoError(t, <-results, "the executor was shut down while in use")
	}
}

func TestWorkerInitThatCallsGoexitBreaksTheExecutor(t *testing.T) {
	var inits atomic.Int64
	e := futures.New(2, futures.WithName("db"), futures.WithWorkerInit(func(int) error {
		inits.Add(1)
		runtime.Goexit()
		return nil
	}))
	f := futures.Submit(context.Background(), e, value(1))
	_, err := f.Result(context.Background())
	assert.ErrorIs(t, err, futures.ErrBroken)
	assert.ErrorIs(t, err, futures.ErrGoexit)
	assert.Equal(t, futures.Canceled, f.State())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang is the failure
	defer cancel()
	require.NoError(t, e.Shutdown(ctx))
	assert.LessOrEqual(t, inits.Load(), int64(2), "init ran again after it called Goexit")
}

func TestShutdownOfAnExitedExecutorReturnsNilEvenWithADoneCtx(t *testing.T) {
	e := futures.New(2)
	_, err := futures.Submit(context.Background(), e, value(1)).Result(context.Background())
	require.NoError(t, err)
	require.NoError(t, e.Close())
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for range 200 {
		require.NoError(t, e.Shutdown(done))
		require.NoError(t, e.ShutdownNow(done))
	}
}

func TestEveryErrorOfANamedExecutorNamesIt(t *testing.T) {
	named := func(t *testing.T, err, sentinel error) {
		t.Helper()
		require.ErrorIs(t, err, sentinel)
		assert.Contains(t, err.Error(), `"db"`, "the error does not name the executor")
	}
	e := futures.New(1, futures.WithName("db"), futures.WithQueueSize(0))
	gt := newGate()
	futures.Submit(context.Background(), e, gateTask(gt, 0))
	gt.waitStarted(t, 1)
	_, err := futures.TrySubmit(context.Background(), e, value(1))
	named(t, err, futures.ErrQueueFull)
	one := value(1)
	allocs := testing.AllocsPerRun(100, func() { _, _ = futures.TrySubmit(context.Background(), e, one) })
	assert.Zero(t, allocs, "a refused TrySubmit allocates")
	gt.open()

	_, err = e.Go(context.Background(), func(context.Context) error { runtime.Goexit(); return nil }).Result(context.Background())
	named(t, err, futures.ErrGoexit)
	_, err = e.Go(context.Background(), func(context.Context) error { return e.Close() }).Result(context.Background())
	named(t, err, futures.ErrShutdownInTask)
	_, err = futures.Submit(context.Background(), e, value(1)).Result(context.Background())
	named(t, err, futures.ErrShutdown)
	require.NoError(t, e.Close())

	b := futures.New(1, futures.WithName("db"), futures.WithWorkerInit(func(int) error { return errors.New("no database") }))
	_, err = futures.Submit(context.Background(), b, value(1)).Result(context.Background())
	named(t, err, futures.ErrBroken)
	assert.True(t, strings.Contains(err.Error(), "no database"), err.Error())
	require.NoError(t, b.Close())
}
