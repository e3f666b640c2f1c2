//go:build go1.27

package futures_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

func TestMethodsAreTheFunctions(t *testing.T) {
	ctx := context.Background()
	e := newExecutor(t, 1, futures.WithQueueSize(0))

	v, err := e.Submit(ctx, value(42)).Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, 42, v)

	f, err := e.TrySubmit(ctx, value("a"))
	require.NoError(t, err)
	s, err := f.Result(ctx)
	require.NoError(t, err)
	assert.Equal(t, "a", s)
	gt := newGate()
	e.Submit(ctx, gateTask(gt, 0))
	gt.waitStarted(t, 1)
	_, err = e.TrySubmit(ctx, value(1))
	assert.ErrorIs(t, err, futures.ErrQueueFull)
	gt.open()

	double := func(_ context.Context, n int) (int, error) { return 2 * n, nil }
	out, err := e.Map(ctx, []int{1, 2, 3}, double)
	require.NoError(t, err)
	assert.Equal(t, []int{2, 4, 6}, out)
	_, err = e.Map(ctx, []int{1}, func(context.Context, int) (int, error) { return 0, errors.New("no") })
	var ie *futures.IndexError
	assert.ErrorAs(t, err, &ie)

	var got []int
	for v, err := range e.MapSeq(ctx, slices.Values([]int{1, 2, 3}), double) {
		require.NoError(t, err)
		got = append(got, v)
	}
	assert.Equal(t, []int{2, 4, 6}, got)
}
