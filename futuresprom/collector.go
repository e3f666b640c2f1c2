package futuresprom

import (
	"fmt"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/seed72edde46/futures"
)

// A metric is one field of futures.Stats, exported as one metric family.
type metric struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(*futures.Stats) float64
}

func newMetric(name, help string, kind prometheus.ValueType, value func(*futures.Stats) float64) metric {
	desc := prometheus.NewDesc(prometheus.BuildFQName("futures", "", name), help, []string{"executor"}, nil)
	return metric{desc, kind, value}
}

func gauge(name, help string, value func(*futures.Stats) int) metric {
	return newMetric(name, help, prometheus.GaugeValue, func(s *futures.Stats) float64 { return float64(value(s)) })
}

func counter(name, help string, value func(*futures.Stats) uint64) metric {
	return newMetric(name, help, prometheus.CounterValue, func(s *futures.Stats) float64 { return float64(value(s)) })
}

// metrics lists the metric families of every executor, in the order of the
// fields of futures.Stats.
var metrics = []metric{
	gauge("workers", "Maximum number of tasks the executor runs at once.",
		func(s *futures.Stats) int { return s.Workers }),
	gauge("workers_started", "Number of worker goroutines started and not yet exited.",
		func(s *futures.Stats) int { return s.Started }),
	gauge("tasks_running", "Number of tasks running, on workers or in their callers.",
		func(s *futures.Stats) int { return s.Running }),
	gauge("tasks_queued", "Number of tasks waiting in the queue, canceled ones included.",
		func(s *futures.Stats) int { return s.Queued }),
	gauge("queue_capacity", "Number of tasks the queue holds when full.",
		func(s *futures.Stats) int { return s.QueueSize }),
	counter("tasks_submitted_total", "Total number of tasks accepted.",
		func(s *futures.Stats) uint64 { return s.Submitted }),
	counter("tasks_succeeded_total", "Total number of tasks that returned a nil error.",
		func(s *futures.Stats) uint64 { return s.Succeeded }),
	counter("tasks_failed_total", "Total number of tasks that returned an error or panicked.",
		func(s *futures.Stats) uint64 { return s.Failed }),
	counter("tasks_panicked_total", "Total number of tasks that panicked.",
		func(s *futures.Stats) uint64 { return s.Panicked }),
	counter("tasks_canceled_total", "Total number of accepted tasks canceled before they ran.",
		func(s *futures.Stats) uint64 { return s.Canceled }),
	counter("tasks_rejected_total", "Total number of submissions the executor refused.",
		func(s *futures.Stats) uint64 { return s.Rejected }),
	newMetric("queue_wait_seconds_total", "Total time tasks waited in the queue before they started, in seconds.",
		prometheus.CounterValue, func(s *futures.Stats) float64 { return s.QueueTime.Seconds() }),
	newMetric("task_run_seconds_total", "Total time tasks spent running, in seconds.",
		prometheus.CounterValue, func(s *futures.Stats) float64 { return s.RunTime.Seconds() }),
}

// Collector is a [prometheus.Collector] of the [futures.Stats] of a fixed set
// of executors. It is safe for concurrent use.
//
// Register one Collector per registry, holding every executor that the registry
// exports: two Collectors describe the same metrics, so a registry refuses the
// second.
type Collector struct {
	executors []*futures.Executor
}

// NewCollector returns a collector of the Stats of the executors, labelled by
// executor name ([futures.Executor.Name]). It panics if an executor is nil or
// if two executors have the same name, since their series would collide; an
// unnamed executor is labelled with the empty string.
func NewCollector(executors ...*futures.Executor) *Collector {
	seen := make(map[string]bool, len(executors))
	for _, e := range executors {
		if e == nil {
			panic("futuresprom: NewCollector called with a nil executor")
		}
		if seen[e.Name()] {
			panic(fmt.Sprintf("futuresprom: two executors named %q", e.Name()))
		}
		seen[e.Name()] = true
	}
	return &Collector{executors: slices.Clone(executors)}
}

// Describe sends the descriptors of every metric that Collect may send.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range metrics {
		ch <- m.desc
	}
}

// Collect reads the Stats of each executor once and sends its metrics.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, e := range c.executors {
		s, name := e.Stats(), e.Name()
		for _, m := range metrics {
			ch <- prometheus.MustNewConstMetric(m.desc, m.kind, m.value(&s), name)
		}
	}
}
