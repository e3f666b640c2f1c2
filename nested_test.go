package futures_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

// fib computes Fibonacci numbers by submitting both halves to e and waiting.
func fib(e *futures.Executor) func(ctx context.Context, n int) (int, error) {
	var f func(ctx context.Context, n int) (int, error)
	f = func(ctx context.Context, n int) (int, error) {
		if n < 2 {
			return n, nil
		}
		a := futures.Submit(ctx, e, func(ctx context.Context) (int, error) { return f(ctx, n-1) })
		b := futures.Submit(ctx, e, func(ctx context.Context) (int, error) { return f(ctx, n-2) })
		x, err := a.Result(ctx)
		if err != nil {
			return 0, err
		}
		y, err := b.Result(ctx)
		return x + y, err
	}
	return f
}

func TestNestedSubmitAndResultNeverDeadlock(t *testing.T) {
	for _, c := range []struct{ workers, queue int }{{1, 0}, {1, 4}, {2, 0}, {2, 1024}} {
		t.Run(fmt.Sprintf("workers=%d/queue=%d", c.workers, c.queue), func(t *testing.T) {
			e := newExecutor(t, c.workers, futures.WithQueueSize(c.queue))
			f := fib(e)
			v, err := futures.Submit(context.Background(), e, func(ctx context.Context) (int, error) {
				return f(ctx, 20)
			}).Result(context.Background())
			require.NoError(t, err)
			assert.Equal(t, 6765, v)
		})
	}
}

func TestMapInsideMap(t *testing.T) {
	e := newExecutor(t, 1, futures.WithQueueSize(1))
	rows := [][]int{{1, 2, 3}, {4, 5}, {6}, {}, {7, 8, 9, 10}}
	sums, err := futures.Map(context.Background(), e, rows, func(ctx context.Context, row []int) (int, error) {
		doubled, err := futures.Map(ctx, e, row, func(_ context.Context, v int) (int, error) { return 2 * v, nil })
		sum := 0
		for _, v := range doubled {
			sum += v
		}
		return sum, err
	})
	require.NoError(t, err)
	assert.Equal(t, []int{12, 18, 12, 0, 68}, sums)
}

func TestGroupInsideATask(t *testing.T) {
	e := newExecutor(t, 1, futures.WithQueueSize(2))
	got, err := futures.Submit(context.Background(), e, func(ctx context.Context) ([]int, error) {
		g := futures.NewGroup[int](ctx, e)
		for i := range 10 {
			g.Submit(value(i))
		}
		return g.Wait()
	}).Result(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, got)
}

func TestWaitAndAsCompletedInsideATask(t *testing.T) {
	e := newExecutor(t, 1)
	got, err := futures.Submit(context.Background(), e, func(ctx context.Context) ([]int, error) {
		var fs []*futures.Future[int]
		for i := range 5 {
			fs = append(fs, futures.Submit(ctx, e, value(i)))
		}
		if _, _, err := futures.Wait(ctx, futures.FirstCompleted, fs...); err != nil {
			return nil, err
		}
		var out []int
		for f := range futures.AsCompleted(ctx, fs...) {
			v, _ := f.Result(ctx)
			out = append(out, v)
		}
		_, _, err := futures.Wait(ctx, futures.AllCompleted, fs...)
		return out, err
	}).Result(context.Background())
	require.NoError(t, err)
	slices.Sort(got)
	assert.Equal(t, []int{0, 1, 2, 3, 4}, got)
}

func TestMapSeqInsideATask(t *testing.T) {
	e := newExecutor(t, 1, futures.WithQueueSize(0))
	got, err := futures.Submit(context.Background(), e, func(ctx context.Context) ([]int, error) {
		var out []int
		for v, err := range futures.MapSeq(ctx, e, slices.Values([]int{1, 2, 3, 4, 5}), func(_ context.Context, v int) (int, error) {
			return v * v, nil
		}) {
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}).Result(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []int{1, 4, 9, 16, 25}, got)
}

func TestShutdownFromATaskDoesNotWaitForItself(t *testing.T) {
	e := futures.New(2)
	queued := make(chan *futures.Future[int], 1)
	f := futures.Submit(context.Background(), e, func(ctx context.Context) (error, error) {
		// Not ctx: a task submitted with its parent's ctx ends with the parent.
		queued <- futures.Submit(context.Background(), e, value(1))
		return e.Shutdown(ctx), nil
	})
	got, err := f.Result(context.Background())
	require.NoError(t, err)
	assert.ErrorIs(t, got, futures.ErrShutdownInTask)
	require.NoError(t, e.Close())
	v, err := (<-queued).Result(context.Background())
	require.NoError(t, err, "a task queued before the shutdown was dropped")
	assert.Equal(t, 1, v)
}
