package futures_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

func TestMapKeepsInputOrder(t *testing.T) {
	for _, q := range []int{0, 1, 1024} {
		t.Run(fmt.Sprint("queue=", q), func(t *testing.T) {
			e := newExecutor(t, 3, futures.WithQueueSize(q))
			in := make([]int, 1000)
			for i := range in {
				in[i] = i
			}
			out, err := futures.Map(context.Background(), e, in, func(_ context.Context, i int) (string, error) {
				return strconv.Itoa(i * 2), nil
			})
			require.NoError(t, err)
			require.Len(t, out, len(in))
			for i, s := range out {
				require.Equal(t, strconv.Itoa(i*2), s)
			}
		})
	}
}

func TestMapEmpty(t *testing.T) {
	e := newExecutor(t, 1)
	out, err := futures.Map(context.Background(), e, nil, func(context.Context, int) (int, error) { return 0, nil })
	require.NoError(t, err)
	assert.Empty(t, out)
}

func TestMapFailsFastAndWaitsForRunningItems(t *testing.T) {
	e := newExecutor(t, 2)
	boom := errors.New("boom")
	slowStarted := make(chan struct{})
	var slowReturned, failed, startedAfter atomic.Bool
	in := make([]int, 100)
	for i := range in {
		in[i] = i
	}
	last := len(in) - 1
	out, err := futures.Map(context.Background(), e, in, func(ctx context.Context, i int) (int, error) {
		if failed.Load() {
			startedAfter.Store(true)
		}
		switch i {
		case 0: // slow, before the failure, and canceled by it
			close(slowStarted)
			<-ctx.Done()
			slowReturned.Store(true)
			return 0, ctx.Err()
		case last:
			<-slowStarted
			failed.Store(true)
			return 0, boom
		}
		return i, nil
	})
	assert.Nil(t, out)
	var ie *futures.IndexError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, last, ie.Index)
	assert.ErrorIs(t, err, boom)
	assert.True(t, slowReturned.Load(), "Map returned before a running item did")
	assert.False(t, startedAfter.Load(), "an item started after the failure")
}

func TestMapPanicNamesTheItem(t *testing.T) {
	e := newExecutor(t, 2)
	_, err := futures.Map(context.Background(), e, []int{0, 1, 2}, func(_ context.Context, i int) (int, error) {
		if i == 2 {
			panic("two")
		}
		return i, nil
	})
	var ie *futures.IndexError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, 2, ie.Index)
	var pe *futures.PanicError
	assert.ErrorAs(t, err, &pe)
	assert.Equal(t, "futures: Map item 2: futures: task panicked: two", err.Error())
}

func TestMapCtxDoneReturnsCtxErr(t *testing.T) {
	e := newExecutor(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	out, err := futures.Map(ctx, e, make([]int, 100), func(ctx context.Context, _ int) (int, error) {
		cancel()
		<-ctx.Done()
		return 0, ctx.Err()
	})
	assert.Nil(t, out)
	assert.Equal(t, context.Canceled, err)
}

func TestMapAfterShutdown(t *testing.T) {
	e := futures.New(1)
	require.NoError(t, e.Close())
	_, err := futures.Map(context.Background(), e, []int{1}, func(_ context.Context, i int) (int, error) { return i, nil })
	assert.ErrorIs(t, err, futures.ErrShutdown)
}

// naturals yields 0, 1, 2, ... for ever, counting what was pulled.
func naturals(pulled *atomic.Int64) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; ; i++ {
			pulled.Add(1)
			if !yield(i) {
				return
			}
		}
	}
}

func TestMapSeqOverAnInfiniteSequence(t *testing.T) {
	e := newExecutor(t, 2)
	var pulled atomic.Int64
	var got []int
	for v, err := range futures.MapSeq(context.Background(), e, naturals(&pulled), func(_ context.Context, i int) (int, error) {
		return i * i, nil
	}) {
		require.NoError(t, err)
		got = append(got, v)
		if len(got) == 3 {
			break
		}
	}
	assert.Equal(t, []int{0, 1, 4}, got)
	window := int64(2 * e.Workers()) // the window MapSeq documents
	assert.LessOrEqual(t, pulled.Load(), 3+window, "pulled beyond the window")
}

func TestMapSeqWindowBound(t *testing.T) {
	e := newExecutor(t, 2)
	window := 2 * e.Workers() // the window MapSeq documents
	release := make(chan struct{})
	var firstDone atomic.Bool
	pulledWindow := make(chan struct{})
	inputs := func(yield func(int) bool) {
		for i := 0; i < 3*window; i++ {
			switch {
			case i == window: // the window is full, and one more is in hand
				close(pulledWindow)
			case i > window:
				assert.True(t, firstDone.Load(), "pulled item %d while item 0 was in flight", i)
			}
			if !yield(i) {
				return
			}
		}
	}
	go func() {
		<-pulledWindow
		close(release)
	}()
	n := 0
	for v, err := range futures.MapSeq(context.Background(), e, inputs, func(_ context.Context, i int) (int, error) {
		if i == 0 {
			<-release
			firstDone.Store(true)
		}
		return i, nil
	}) {
		require.NoError(t, err)
		require.Equal(t, n, v)
		n++
	}
	assert.Equal(t, 3*window, n)
}

func TestMapSeqGoesOnAfterAnItemError(t *testing.T) {
	e := newExecutor(t, 2)
	var errs, oks int
	for _, err := range futures.MapSeq(context.Background(), e, slices.Values([]int{1, 2, 3, 4}), func(ctx context.Context, i int) (int, error) {
		if i%2 == 0 {
			return 0, context.DeadlineExceeded // the item's own timeout
		}
		return i, nil
	}) {
		if err != nil {
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			errs++
		} else {
			oks++
		}
	}
	assert.Equal(t, 2, errs)
	assert.Equal(t, 2, oks)
}

func TestMapSeqCtxEndYieldsItsErrorOnce(t *testing.T) {
	e := newExecutor(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var pulled atomic.Int64
	var got []error
	for _, err := range futures.MapSeq(ctx, e, naturals(&pulled), func(_ context.Context, i int) (int, error) {
		return i, nil
	}) {
		got = append(got, err)
		if len(got) == 5 {
			cancel()
		}
	}
	require.Len(t, got, 6)
	assert.Equal(t, context.Canceled, got[5])
	for _, err := range got[:5] {
		assert.NoError(t, err)
	}
}

func TestMapSeqBreakCancelsAndWaitsForInFlight(t *testing.T) {
	e := newExecutor(t, 2)
	var pulled atomic.Int64
	var running, returned atomic.Int32
	started := make(chan struct{}, 100)
	for range futures.MapSeq(context.Background(), e, naturals(&pulled), func(ctx context.Context, i int) (int, error) {
		if i == 0 {
			return 0, nil
		}
		running.Add(1)
		started <- struct{}{}
		<-ctx.Done()
		returned.Add(1)
		return 0, ctx.Err()
	}) {
		<-started // item 1 is running
		break
	}
	assert.Equal(t, running.Load(), returned.Load(), "the loop ended before in-flight tasks returned")
	assert.Positive(t, running.Load())
}

func TestMapSeqBadInputPanics(t *testing.T) {
	e := newExecutor(t, 1)
	requirePanics(t, func() {
		futures.MapSeq[int, int](context.Background(), e, nil, func(context.Context, int) (int, error) { return 0, nil })
	})
	requirePanics(t, func() {
		futures.Map[int, int](context.Background(), e, nil, nil)
	})
}

func TestNestedMapErrorReadsAsAPath(t *testing.T) {
	e := newExecutor(t, 2)
	leaf := errors.New("leaf failed")
	var level func(depth int) func(context.Context, int) (int, error)
	level = func(depth int) func(context.Context, int) (int, error) {
		return func(ctx context.Context, i int) (int, error) {
			if depth == 2 {
				if i == 3 {
					return 0, leaf
				}
				return i, nil
			}
			if i != 1 {
				return i, nil
			}
			_, err := futures.Map(ctx, e, []int{0, 1, 2, 3}, level(depth+1))
			return 0, err
		}
	}
	_, err := futures.Map(context.Background(), e, []int{0, 1, 2}, level(0))
	assert.EqualError(t, err, "futures: Map item 1/1/3: leaf failed")
	assert.ErrorIs(t, err, leaf)
	var ie *futures.IndexError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, 1, ie.Index)
	var inner *futures.IndexError
	require.ErrorAs(t, ie.Err, &inner)
	assert.Equal(t, 1, inner.Index)
}
