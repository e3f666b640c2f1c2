package futuresprom_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/seed72edde46/futures"
	"github.com/seed72edde46/futures/futuresprom"
)

func Example() {
	e := futures.New(4, futures.WithName("crawler"), futures.WithQueueSize(16))
	defer e.Close()

	// Register the collector; a program then serves the registry, with
	// http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{})).
	reg := prometheus.NewRegistry()
	reg.MustRegister(futuresprom.NewCollector(e))

	ctx := context.Background()
	var fs []*futures.Future[struct{}]
	for i := range 5 {
		fs = append(fs, e.Go(ctx, func(context.Context) error {
			if i == 3 {
				return errors.New("page not found")
			}
			return nil
		}))
	}
	for _, f := range fs {
		f.Result(ctx)
	}

	families, err := reg.Gather()
	if err != nil {
		log.Fatal(err)
	}
	for _, mf := range families {
		switch name := mf.GetName(); name {
		case "futures_workers", "futures_tasks_running", "futures_queue_capacity":
			m := mf.GetMetric()[0]
			fmt.Printf("%s{executor=%q} %g\n", name, m.GetLabel()[0].GetValue(), m.GetGauge().GetValue())
		case "futures_tasks_submitted_total", "futures_tasks_succeeded_total", "futures_tasks_failed_total":
			m := mf.GetMetric()[0]
			fmt.Printf("%s{executor=%q} %g\n", name, m.GetLabel()[0].GetValue(), m.GetCounter().GetValue())
		}
	}
	// Output:
	// futures_queue_capacity{executor="crawler"} 16
	// futures_tasks_failed_total{executor="crawler"} 1
	// futures_tasks_running{executor="crawler"} 0
	// futures_tasks_submitted_total{executor="crawler"} 5
	// futures_tasks_succeeded_total{executor="crawler"} 4
	// futures_workers{executor="crawler"} 4
}
