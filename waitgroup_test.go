package futures_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

// mixed returns, on e, a succeeded, a failed, a canceled and a blocked future,
// in that order; the blocked one waits for g.
func mixed(t *testing.T, e *futures.Executor, g *gate) []futures.Awaitable {
	t.Helper()
	ok := futures.Submit(context.Background(), e, value(1))
	bad := futures.Submit(context.Background(), e, func(context.Context) (string, error) { return "", errors.New("bad") })
	_, _ = ok.Result(context.Background())
	_, _ = bad.Result(context.Background())
	blocked := futures.Submit(context.Background(), e, gateTask(g, 1.5))
	g.waitStarted(t, 1)
	canceled := futures.Submit(context.Background(), e, value(struct{}{}))
	canceled.Cancel()
	return []futures.Awaitable{ok, bad, canceled, blocked}
}

func TestWaitModes(t *testing.T) {
	e := newExecutor(t, 1)
	g := newGate()
	defer g.open()
	fs := mixed(t, e, g)
	ctx := context.Background()

	done, pending, err := futures.Wait(ctx, futures.FirstCompleted, fs...)
	require.NoError(t, err)
	assert.Equal(t, fs[:3], done)
	assert.Equal(t, fs[3:], pending)

	done, pending, err = futures.Wait(ctx, futures.FirstError, fs...)
	require.NoError(t, err)
	assert.Equal(t, fs[:3], done)
	assert.Equal(t, fs[3:], pending)

	expired, cancel := context.WithCancel(ctx)
	cancel()
	done, pending, err = futures.Wait(expired, futures.AllCompleted, fs...)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, fs[:3], done)
	assert.Equal(t, fs[3:], pending)

	g.open()
	done, pending, err = futures.Wait(ctx, futures.AllCompleted, fs...)
	require.NoError(t, err)
	assert.Equal(t, fs, done)
	assert.Empty(t, pending)
}

func TestWaitFirstErrorIgnoresCanceledAndWaitsForAll(t *testing.T) {
	e := newExecutor(t, 2)
	g := newGate()
	blocked := futures.Submit(context.Background(), e, gateTask(g, 1))
	g.waitStarted(t, 1)
	canceled := futures.Submit(context.Background(), e, gateTask(g, 2))
	canceled.Cancel()
	result := make(chan []*futures.Future[int])
	go func() {
		done, _, err := futures.Wait(context.Background(), futures.FirstError, blocked, canceled)
		assert.NoError(t, err)
		result <- done
	}()
	g.open()
	assert.Len(t, <-result, 2)
}

func TestWaitFirstErrorStopsAtAFailure(t *testing.T) {
	e := newExecutor(t, 2)
	g := newGate()
	defer g.open()
	blocked := futures.Submit(context.Background(), e, gateTask(g, 1))
	g.waitStarted(t, 1)
	proceed := make(chan struct{})
	failing := futures.Submit(context.Background(), e, func(context.Context) (int, error) {
		<-proceed
		return 0, errors.New("bad")
	})
	result := make(chan []*futures.Future[int])
	go func() {
		done, _, err := futures.Wait(context.Background(), futures.FirstError, blocked, failing)
		assert.NoError(t, err)
		result <- done
	}()
	close(proceed)
	assert.Equal(t, []*futures.Future[int]{failing}, <-result)
}

func TestWaitWakesWhenAPendingFutureIsCanceled(t *testing.T) {
	// CPython gh-109934: a waiter on a future canceled while pending hangs there.
	e := newExecutor(t, 1)
	g := newGate()
	defer g.open()
	fill(t, e, g, 0)
	f := futures.Submit(context.Background(), e, value(1))
	result := make(chan error)
	go func() {
		_, _, err := futures.Wait(context.Background(), futures.AllCompleted, f)
		result <- err
	}()
	f.Cancel()
	require.NoError(t, <-result)
}

func TestWaitEmptyAndDuplicates(t *testing.T) {
	done, pending, err := futures.Wait[futures.Awaitable](context.Background(), futures.AllCompleted)
	require.NoError(t, err)
	assert.Empty(t, done)
	assert.Empty(t, pending)

	e := newExecutor(t, 1)
	f := futures.Submit(context.Background(), e, value(1))
	h := futures.Submit(context.Background(), e, value(2))
	twice, _, err := futures.Wait(context.Background(), futures.AllCompleted, f, h, f, f)
	require.NoError(t, err)
	assert.Equal(t, []*futures.Future[int]{f, h}, twice)
}

func TestWaitUnknownModePanics(t *testing.T) {
	requirePanics(t, func() { futures.Wait[futures.Awaitable](context.Background(), futures.WaitMode(7)) })
	requirePanics(t, func() { futures.Wait[futures.Awaitable](context.Background(), futures.WaitMode(-1)) })
}

func TestAsCompletedYieldsInCompletionOrder(t *testing.T) {
	e := newExecutor(t, 4)
	gates := []*gate{newGate(), newGate(), newGate()}
	var fs []*futures.Future[int]
	for i, g := range gates {
		fs = append(fs, futures.Submit(context.Background(), e, gateTask(g, i)))
	}
	finished := futures.Submit(context.Background(), e, value(9))
	_, _ = finished.Result(context.Background())
	for _, g := range gates {
		g.waitStarted(t, 1)
	}
	var got []int
	for f := range futures.AsCompleted(context.Background(), append([]*futures.Future[int]{fs[2]}, append(fs, finished, fs[0])...)...) {
		v, err := f.Result(context.Background())
		require.NoError(t, err)
		got = append(got, v)
		switch len(got) {
		case 1: // the finished one first
			gates[1].open()
		case 2:
			gates[2].open()
		case 3:
			gates[0].open()
		}
	}
	assert.Equal(t, []int{9, 1, 2, 0}, got)
}

func TestAsCompletedWithExpiredCtxYieldsTheFinished(t *testing.T) {
	e := newExecutor(t, 1)
	g := newGate()
	defer g.open()
	fs := mixed(t, e, g)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var got []futures.Awaitable
	for f := range futures.AsCompleted(ctx, fs...) {
		got = append(got, f)
	}
	assert.Equal(t, fs[:3], got)
	assert.Error(t, ctx.Err())
}

func TestAsCompletedBreakLeavesNothingBehind(t *testing.T) {
	e := newExecutor(t, 1)
	g := newGate()
	blocked := futures.Submit(context.Background(), e, gateTask(g, 0))
	g.waitStarted(t, 1)
	var fs []*futures.Future[int]
	for i := range 10 {
		fs = append(fs, futures.Submit(context.Background(), e, value(i)))
	}
	fs[3].Cancel()
	for range futures.AsCompleted(context.Background(), append(fs, blocked)...) {
		break
	}
	g.open()
	for _, f := range fs {
		<-f.Done()
	}
	// goleak (TestMain) checks that no goroutine is left; the executor runs on.
	_, err := blocked.Result(context.Background())
	require.NoError(t, err)
}

func TestAsCompletedManyFutures(t *testing.T) {
	e := newExecutor(t, 2)
	ctx := context.Background()
	fs := make([]*futures.Future[int], 20000)
	for i := range fs {
		fs[i] = futures.Submit(ctx, e, value(i))
	}
	seen := make(map[*futures.Future[int]]bool, len(fs))
	for f := range futures.AsCompleted(ctx, fs...) {
		assert.False(t, seen[f], "yielded twice")
		seen[f] = true
	}
	assert.Len(t, seen, len(fs))
}
