package futures_test

import (
	"bytes"
	"context"
	"runtime/trace"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

func TestTasksAppearInExecutionTraces(t *testing.T) {
	if trace.IsEnabled() {
		t.Skip("tracing is on already (go test -trace)")
	}
	var buf bytes.Buffer
	require.NoError(t, trace.Start(&buf))
	e := futures.New(2, futures.WithName("db"))
	ctx := context.Background()
	_, err := futures.Submit(ctx, e, value(1)).Result(ctx)
	require.NoError(t, err)
	_, err = futures.Map(ctx, e, []int{1, 2}, func(_ context.Context, v int) (int, error) { return v, nil })
	require.NoError(t, err)
	g := futures.NewGroup[int](ctx, e)
	g.Submit(value(2))
	_, err = g.Wait()
	require.NoError(t, err)
	require.NoError(t, e.Close())
	trace.Stop()
	for _, name := range []string{"db.Submit", "db.Map", "db.Group.Submit", "futures.run"} {
		assert.True(t, bytes.Contains(buf.Bytes(), []byte(name)), "the trace has no %q", name)
	}
}
