package futuresprom_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/seed72edde46/futures"
	"github.com/seed72edde46/futures/futuresprom"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// families maps every metric family name to its type.
var families = map[string]dto.MetricType{
	"futures_workers":                  dto.MetricType_GAUGE,
	"futures_workers_started":          dto.MetricType_GAUGE,
	"futures_tasks_running":            dto.MetricType_GAUGE,
	"futures_tasks_queued":             dto.MetricType_GAUGE,
	"futures_queue_capacity":           dto.MetricType_GAUGE,
	"futures_tasks_submitted_total":    dto.MetricType_COUNTER,
	"futures_tasks_succeeded_total":    dto.MetricType_COUNTER,
	"futures_tasks_failed_total":       dto.MetricType_COUNTER,
	"futures_tasks_panicked_total":     dto.MetricType_COUNTER,
	"futures_tasks_canceled_total":     dto.MetricType_COUNTER,
	"futures_tasks_rejected_total":     dto.MetricType_COUNTER,
	"futures_queue_wait_seconds_total": dto.MetricType_COUNTER,
	"futures_task_run_seconds_total":   dto.MetricType_COUNTER,
}

// newExecutor returns an executor that is closed when the test ends.
func newExecutor(t *testing.T, workers int, opts ...futures.Option) *futures.Executor {
	t.Helper()
	e := futures.New(workers, opts...)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	return e
}

// succeed runs n tasks that succeed on e and waits for them.
func succeed(t *testing.T, e *futures.Executor, n int) {
	t.Helper()
	for range n {
		_, err := e.Go(t.Context(), func(context.Context) error { return nil }).Result(t.Context())
		require.NoError(t, err)
	}
}

func TestCollectorCountsTasks(t *testing.T) {
	e := newExecutor(t, 1, futures.WithName("test"), futures.WithQueueSize(1))
	ctx := t.Context()

	succeed(t, e, 3)
	_, err := e.Go(ctx, func(context.Context) error { return errors.New("boom") }).Result(ctx)
	require.EqualError(t, err, "boom")
	_, err = e.Go(ctx, func(context.Context) error { panic("oops") }).Result(ctx)
	var pe *futures.PanicError
	require.ErrorAs(t, err, &pe)

	// Hold the only worker, fill the queue, and have TrySubmit refused.
	// The release comes before Close even when the test fails.
	started, unblock := make(chan struct{}), make(chan struct{})
	release := sync.OnceFunc(func() { close(unblock) })
	t.Cleanup(release)
	blocked := e.Go(ctx, func(context.Context) error {
		close(started)
		<-unblock
		return nil
	})
	<-started
	queued := e.Go(ctx, func(context.Context) error { return nil })
	_, err = futures.TrySubmit(ctx, e, func(context.Context) (int, error) { return 0, nil })
	require.ErrorIs(t, err, futures.ErrQueueFull)
	require.True(t, queued.Cancel())

	c := futuresprom.NewCollector(e)
	const want = `
# HELP futures_workers Maximum number of tasks the executor runs at once.
# TYPE futures_workers gauge
futures_workers{executor="test"} 1
# HELP futures_workers_started Number of worker goroutines started and not yet exited.
# TYPE futures_workers_started gauge
futures_workers_started{executor="test"} 1
# HELP futures_tasks_running Number of tasks running, on workers or in their callers.
# TYPE futures_tasks_running gauge
futures_tasks_running{executor="test"} 1
# HELP futures_tasks_queued Number of tasks waiting in the queue, canceled ones included.
# TYPE futures_tasks_queued gauge
futures_tasks_queued{executor="test"} 1
# HELP futures_queue_capacity Number of tasks the queue holds when full.
# TYPE futures_queue_capacity gauge
futures_queue_capacity{executor="test"} 1
# HELP futures_tasks_submitted_total Total number of tasks accepted.
# TYPE futures_tasks_submitted_total counter
futures_tasks_submitted_total{executor="test"} 7
# HELP futures_tasks_succeeded_total Total number of tasks that returned a nil error.
# TYPE futures_tasks_succeeded_total counter
futures_tasks_succeeded_total{executor="test"} 3
# HELP futures_tasks_failed_total Total number of tasks that returned an error or panicked.
# TYPE futures_tasks_failed_total counter
futures_tasks_failed_total{executor="test"} 2
# HELP futures_tasks_panicked_total Total number of tasks that panicked.
# TYPE futures_tasks_panicked_total counter
futures_tasks_panicked_total{executor="test"} 1
# HELP futures_tasks_canceled_total Total number of accepted tasks canceled before they ran.
# TYPE futures_tasks_canceled_total counter
futures_tasks_canceled_total{executor="test"} 1
# HELP futures_tasks_rejected_total Total number of submissions the executor refused.
# TYPE futures_tasks_rejected_total counter
futures_tasks_rejected_total{executor="test"} 1
`
	// Every family but the two times, whose values depend on the clock.
	var names []string
	for name := range families {
		if !strings.HasSuffix(name, "_seconds_total") {
			names = append(names, name)
		}
	}
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want), names...))

	release()
	_, err = blocked.Result(ctx)
	require.NoError(t, err)
	const after = `
# HELP futures_tasks_running Number of tasks running, on workers or in their callers.
# TYPE futures_tasks_running gauge
futures_tasks_running{executor="test"} 0
# HELP futures_tasks_succeeded_total Total number of tasks that returned a nil error.
# TYPE futures_tasks_succeeded_total counter
futures_tasks_succeeded_total{executor="test"} 4
`
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(after),
		"futures_tasks_running", "futures_tasks_succeeded_total"))
}

func TestCollectorLint(t *testing.T) {
	e := newExecutor(t, 2, futures.WithName("lint"))
	succeed(t, e, 1)
	problems, err := testutil.CollectAndLint(futuresprom.NewCollector(e))
	require.NoError(t, err)
	assert.Empty(t, problems)
}

func TestScrape(t *testing.T) {
	e := newExecutor(t, 2, futures.WithName("scraped"), futures.WithQueueSize(8))
	succeed(t, e, 2)

	reg := prometheus.NewRegistry()
	reg.MustRegister(futuresprom.NewCollector(e))
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(srv.Close)

	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	got, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)

	require.Len(t, got, len(families))
	for name, typ := range families {
		mf := got[name]
		require.NotNil(t, mf, name)
		assert.Equal(t, typ, mf.GetType(), name)
		assert.NotEmpty(t, mf.GetHelp(), name)
		require.Len(t, mf.GetMetric(), 1, name)
		labels := mf.GetMetric()[0].GetLabel()
		require.Len(t, labels, 1, name)
		assert.Equal(t, "executor", labels[0].GetName(), name)
		assert.Equal(t, "scraped", labels[0].GetValue(), name)
	}
	assert.Equal(t, 2.0, got["futures_tasks_succeeded_total"].GetMetric()[0].GetCounter().GetValue())
	assert.Equal(t, 8.0, got["futures_queue_capacity"].GetMetric()[0].GetGauge().GetValue())
}

func TestTwoExecutors(t *testing.T) {
	a := newExecutor(t, 1, futures.WithName("a"))
	b := newExecutor(t, 3, futures.WithName("b"))
	succeed(t, a, 2)
	succeed(t, b, 5)

	c := futuresprom.NewCollector(a, b)
	assert.Equal(t, 2*len(families), testutil.CollectAndCount(c))
	const want = `
# HELP futures_tasks_succeeded_total Total number of tasks that returned a nil error.
# TYPE futures_tasks_succeeded_total counter
futures_tasks_succeeded_total{executor="a"} 2
futures_tasks_succeeded_total{executor="b"} 5
# HELP futures_workers Maximum number of tasks the executor runs at once.
# TYPE futures_workers gauge
futures_workers{executor="a"} 1
futures_workers{executor="b"} 3
`
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want),
		"futures_tasks_succeeded_total", "futures_workers"))

	// Both collectors describe the same metrics: a registry takes one.
	reg := prometheus.NewRegistry()
	require.NoError(t, reg.Register(c))
	assert.Error(t, reg.Register(futuresprom.NewCollector(newExecutor(t, 1, futures.WithName("c")))))
}

func TestNewCollectorPanics(t *testing.T) {
	a := newExecutor(t, 1, futures.WithName("same"))
	b := newExecutor(t, 1, futures.WithName("same"))
	assert.PanicsWithValue(t, `futuresprom: two executors named "same"`, func() { futuresprom.NewCollector(a, b) })
	assert.PanicsWithValue(t, `futuresprom: two executors named "same"`, func() { futuresprom.NewCollector(a, a) })
	assert.PanicsWithValue(t, "futuresprom: NewCollector called with a nil executor", func() { futuresprom.NewCollector(a, nil) })
	assert.NotPanics(t, func() { futuresprom.NewCollector() })
}
