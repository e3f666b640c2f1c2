// Package futuresprom exports the [futures.Stats] of executors as Prometheus
// metrics. It lives in its own module so that the futures module itself needs
// nothing outside the standard library.
//
// Name each executor with [futures.WithName], put them all in one [Collector]
// and register it, once, on the registry that the program serves:
//
//	crawler := futures.New(16, futures.WithName("crawler"))
//	resizer := futures.New(runtime.GOMAXPROCS(0), futures.WithName("resizer"))
//	prometheus.MustRegister(futuresprom.NewCollector(crawler, resizer))
//	http.Handle("/metrics", promhttp.Handler())
//
// Every series carries the executor's name in the label "executor". The
// collector reads [futures.Executor.Stats] once per executor per scrape and
// keeps no state of its own: an executor that has shut down reports its final
// counts for as long as it stays registered.
//
// The counters make the usual rates. The mean time a task waited in the queue
// over the last five minutes, for instance, is
//
//	rate(futures_queue_wait_seconds_total[5m]) / (rate(futures_tasks_succeeded_total[5m]) + rate(futures_tasks_failed_total[5m]))
//
// and the share of the pool in use is futures_tasks_running / futures_workers.
package futuresprom
