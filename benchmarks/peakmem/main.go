// Command peakmem runs workload F for one library, 1,000,000 tasks of a 10 µs
// sleep on 10,000 workers, and prints the process's peak resident memory.
//
//	go run ./peakmem -lib futures
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/alitto/pond/v2"
	"github.com/gammazero/workerpool"
	"github.com/panjf2000/ants/v2"
	"github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"

	"github.com/seed72edde46/futures"
)

const (
	tasks   = 1_000_000
	workers = 10_000
)

func nap() { time.Sleep(10 * time.Microsecond) }

var libs = map[string]func(){
	"errgroup": func() {
		var g errgroup.Group
		g.SetLimit(workers)
		for range tasks {
			g.Go(func() error { nap(); return nil })
		}
		_ = g.Wait()
	},
	"ants": func() {
		p, _ := ants.NewPool(workers)
		var wg sync.WaitGroup
		wg.Add(tasks)
		for range tasks {
			_ = p.Submit(func() { nap(); wg.Done() })
		}
		wg.Wait()
		p.Release()
	},
	"pond-go": func() {
		p := pond.NewPool(workers)
		for range tasks {
			_ = p.Go(nap)
		}
		p.StopAndWait()
	},
	"conc-pool": func() {
		p := pool.New().WithMaxGoroutines(workers)
		for range tasks {
			p.Go(nap)
		}
		p.Wait()
	},
	"workerpool": func() {
		p := workerpool.New(workers)
		for range tasks {
			p.Submit(nap)
		}
		p.StopWait()
	},
	"futures": func() {
		e := futures.New(workers)
		ctx := context.Background()
		for range tasks {
			e.Go(ctx, func(context.Context) error { nap(); return nil })
		}
		if err := e.Close(); err != nil {
			log.Fatal(err)
		}
	},
}

func main() {
	lib := flag.String("lib", "futures", "the library to run")
	flag.Parse()
	run, ok := libs[*lib]
	if !ok {
		log.Fatalf("unknown -lib %q", *lib)
	}
	start := time.Now()
	run()
	fmt.Printf("lib=%s wall=%v peak_rss_kib=%s\n", *lib, time.Since(start).Round(time.Millisecond), peakRSS())
}

// peakRSS reads the process's peak resident set (VmHWM) from /proc.
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSuffix(strings.TrimSpace(v), " kB")
		}
	}
	return "unknown"
}
