// Package benchmarks compares futures with the Go pools people use today, in one
// go test -bench run, with the same number of workers for every pool.
package benchmarks

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/alitto/pond/v2"
	"github.com/gammazero/workerpool"
	"github.com/panjf2000/ants/v2"
	"github.com/sourcegraph/conc/iter"
	"github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"

	"github.com/seed72edde46/futures"
)

// batch is how many tasks one op of the throughput workloads submits.
const batch = 1000

// spin is the tiny CPU task, about 50 ns.
//
//go:noinline
func spin(n int) int {
	x := n
	for i := range 20 {
		x = x*31 + i
	}
	return x
}

var sink [64]int

func workers() int { return runtime.GOMAXPROCS(0) }

// perTask reports the time per task of a workload that runs tasks per op.
func perTask(b *testing.B, tasks int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tasks), "ns/task")
}

// tinyBatches measures a pool without results: each op submits a batch of tiny
// tasks with submit and waits for them with a WaitGroup.
func tinyBatches(b *testing.B, submit func(task func())) {
	b.ReportAllocs()
	for b.Loop() {
		var wg sync.WaitGroup
		wg.Add(batch)
		for i := range batch {
			submit(func() { sink[i%64] = spin(i); wg.Done() })
		}
		wg.Wait()
	}
	perTask(b, batch)
}

// napBatches is tinyBatches for workload D: n tasks that sleep 1 ms an op.
func napBatches(b *testing.B, n int, submit func(task func())) {
	for b.Loop() {
		var wg sync.WaitGroup
		wg.Add(n)
		for range n {
			submit(func() { time.Sleep(time.Millisecond); wg.Done() })
		}
		wg.Wait()
	}
}

// BenchmarkA submits a batch of tiny tasks, then waits for all of them.
func BenchmarkA(b *testing.B) {
	n := workers()
	b.Run("lib=sequential", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i := range batch {
				sink[i%64] = spin(i)
			}
		}
		perTask(b, batch)
	})
	b.Run("lib=goroutines", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var wg sync.WaitGroup
			for i := range batch {
				wg.Go(func() { sink[i%64] = spin(i) })
			}
			wg.Wait()
		}
		perTask(b, batch)
	})
	b.Run("lib=errgroup", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var g errgroup.Group
			g.SetLimit(n)
			for i := range batch {
				g.Go(func() error { sink[i%64] = spin(i); return nil })
			}
			_ = g.Wait()
		}
		perTask(b, batch)
	})
	b.Run("lib=ants", func(b *testing.B) {
		p, _ := ants.NewPool(n)
		defer p.Release()
		tinyBatches(b, func(task func()) { _ = p.Submit(task) })
	})
	b.Run("lib=pond-go", func(b *testing.B) {
		p := pond.NewPool(n)
		defer p.StopAndWait()
		tinyBatches(b, func(task func()) { _ = p.Go(task) })
	})
	b.Run("lib=pond-result", func(b *testing.B) {
		p := pond.NewResultPool[int](n)
		defer p.StopAndWait()
		ts := make([]pond.Result[int], batch)
		b.ReportAllocs()
		for b.Loop() {
			for i := range batch {
				ts[i] = p.Submit(func() int { return spin(i) })
			}
			for _, t := range ts {
				_, _ = t.Wait()
			}
		}
		perTask(b, batch)
	})
	b.Run("lib=conc-pool", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := pool.New().WithMaxGoroutines(n)
			for i := range batch {
				p.Go(func() { sink[i%64] = spin(i) })
			}
			p.Wait()
		}
		perTask(b, batch)
	})
	b.Run("lib=conc-result", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := pool.NewWithResults[int]().WithMaxGoroutines(n)
			for i := range batch {
				p.Go(func() int { return spin(i) })
			}
			_ = p.Wait()
		}
		perTask(b, batch)
	})
	b.Run("lib=workerpool", func(b *testing.B) {
		p := workerpool.New(n)
		defer p.StopWait()
		tinyBatches(b, p.Submit)
	})
	b.Run("lib=futures", func(b *testing.B) {
		e := futures.New(n)
		defer e.Close()
		ctx := context.Background()
		fs := make([]*futures.Future[int], batch)
		b.ReportAllocs()
		for b.Loop() {
			for i := range batch {
				fs[i] = futures.Submit(ctx, e, func(context.Context) (int, error) { return spin(i), nil })
			}
			for _, f := range fs {
				_, _ = f.Result(ctx)
			}
		}
		perTask(b, batch)
	})
}

// BenchmarkG is workload A under a request's ctx: each op makes a cancelable
// ctx, runs the batch with it (per task where the library takes one, else per
// group), waits, and cancels the ctx, as a request handler does.
func BenchmarkG(b *testing.B) {
	n := workers()
	b.Run("lib=errgroup", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ctx, cancel := context.WithCancel(context.Background())
			g, gctx := errgroup.WithContext(ctx)
			g.SetLimit(n)
			for i := range batch {
				g.Go(func() error { sink[i%64] = spin(i); return gctx.Err() })
			}
			_ = g.Wait()
			cancel()
		}
		perTask(b, batch)
	})
	b.Run("lib=pond-go", func(b *testing.B) {
		p := pond.NewPool(n)
		defer p.StopAndWait()
		b.ReportAllocs()
		for b.Loop() {
			ctx, cancel := context.WithCancel(context.Background())
			g := p.NewGroupContext(ctx)
			for i := range batch {
				g.Submit(func() { sink[i%64] = spin(i) })
			}
			_ = g.Wait()
			cancel()
		}
		perTask(b, batch)
	})
	b.Run("lib=conc-pool", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ctx, cancel := context.WithCancel(context.Background())
			p := pool.New().WithMaxGoroutines(n).WithContext(ctx)
			for i := range batch {
				p.Go(func(ctx context.Context) error { sink[i%64] = spin(i); return ctx.Err() })
			}
			_ = p.Wait()
			cancel()
		}
		perTask(b, batch)
	})
	b.Run("lib=futures", func(b *testing.B) {
		e := futures.New(n)
		defer e.Close()
		fs := make([]*futures.Future[int], batch)
		b.ReportAllocs()
		for b.Loop() {
			ctx, cancel := context.WithCancel(context.Background())
			for i := range batch {
				fs[i] = futures.Submit(ctx, e, func(context.Context) (int, error) { return spin(i), nil })
			}
			for _, f := range fs {
				_, _ = f.Result(ctx)
			}
			cancel()
		}
		perTask(b, batch)
	})
}

// BenchmarkB submits one tiny task, waits for it, and repeats.
func BenchmarkB(b *testing.B) {
	n := workers()
	b.Run("lib=goroutines", func(b *testing.B) {
		done := make(chan int)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			go func() { done <- spin(i) }()
			<-done
		}
	})
	b.Run("lib=errgroup", func(b *testing.B) {
		var g errgroup.Group
		g.SetLimit(n)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			g.Go(func() error { sink[0] = spin(i); return nil })
			_ = g.Wait()
		}
	})
	b.Run("lib=ants", func(b *testing.B) {
		p, _ := ants.NewPool(n)
		defer p.Release()
		done := make(chan int)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = p.Submit(func() { done <- spin(i) })
			<-done
		}
	})
	b.Run("lib=pond-go", func(b *testing.B) {
		p := pond.NewPool(n)
		defer p.StopAndWait()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = p.Submit(func() { sink[0] = spin(i) }).Wait()
		}
	})
	b.Run("lib=pond-result", func(b *testing.B) {
		p := pond.NewResultPool[int](n)
		defer p.StopAndWait()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_, _ = p.Submit(func() int { return spin(i) }).Wait()
		}
	})
	b.Run("lib=conc-result", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			p := pool.NewWithResults[int]().WithMaxGoroutines(n)
			p.Go(func() int { return spin(i) })
			_ = p.Wait()
		}
	})
	b.Run("lib=workerpool", func(b *testing.B) {
		p := workerpool.New(n)
		defer p.StopWait()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			p.SubmitWait(func() { sink[0] = spin(i) })
		}
	})
	b.Run("lib=futures", func(b *testing.B) {
		e := futures.New(n)
		defer e.Close()
		ctx := context.Background()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_, _ = futures.Submit(ctx, e, func(context.Context) (int, error) { return spin(i), nil }).Result(ctx)
		}
	})
}

// mapItems is the input of workload C.
var mapItems = func() []int {
	in := make([]int, 10000)
	for i := range in {
		in[i] = i
	}
	return in
}()

// BenchmarkC maps 10,000 tiny items, results in input order.
func BenchmarkC(b *testing.B) {
	n := workers()
	b.Run("lib=sequential", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out := make([]int, len(mapItems))
			for i, v := range mapItems {
				out[i] = spin(v)
			}
		}
	})
	b.Run("lib=errgroup", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out := make([]int, len(mapItems))
			var g errgroup.Group
			g.SetLimit(n)
			for i, v := range mapItems {
				g.Go(func() error { out[i] = spin(v); return nil })
			}
			_ = g.Wait()
		}
	})
	b.Run("lib=pond-result", func(b *testing.B) {
		p := pond.NewResultPool[int](n)
		defer p.StopAndWait()
		b.ReportAllocs()
		for b.Loop() {
			g := p.NewGroup()
			for _, v := range mapItems {
				g.Submit(func() int { return spin(v) })
			}
			_, _ = g.Wait()
		}
	})
	b.Run("lib=conc-iter", func(b *testing.B) {
		m := iter.Mapper[int, int]{MaxGoroutines: n}
		b.ReportAllocs()
		for b.Loop() {
			_ = m.Map(mapItems, func(v *int) int { return spin(*v) })
		}
	})
	b.Run("lib=futures", func(b *testing.B) {
		e := futures.New(n)
		defer e.Close()
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			_, _ = futures.Map(ctx, e, mapItems, func(_ context.Context, v int) (int, error) { return spin(v), nil })
		}
	})
}

// ioWorkers is the pool size of workload D.
const ioWorkers = 64

// BenchmarkD runs 1,000 tasks that sleep 1 ms on 64 workers; the ideal is
// ceil(1000/64) ms = 16 ms an op.
func BenchmarkD(b *testing.B) {
	const tasks = 1000
	nap := func() { time.Sleep(time.Millisecond) }
	b.Run("lib=ideal", func(b *testing.B) {
		for b.Loop() {
			time.Sleep(16 * time.Millisecond)
		}
	})
	b.Run("lib=errgroup", func(b *testing.B) {
		for b.Loop() {
			var g errgroup.Group
			g.SetLimit(ioWorkers)
			for range tasks {
				g.Go(func() error { nap(); return nil })
			}
			_ = g.Wait()
		}
	})
	b.Run("lib=ants", func(b *testing.B) {
		p, _ := ants.NewPool(ioWorkers)
		defer p.Release()
		napBatches(b, tasks, func(task func()) { _ = p.Submit(task) })
	})
	b.Run("lib=pond-go", func(b *testing.B) {
		p := pond.NewPool(ioWorkers)
		defer p.StopAndWait()
		napBatches(b, tasks, func(task func()) { _ = p.Go(task) })
	})
	b.Run("lib=conc-pool", func(b *testing.B) {
		for b.Loop() {
			p := pool.New().WithMaxGoroutines(ioWorkers)
			for range tasks {
				p.Go(nap)
			}
			p.Wait()
		}
	})
	b.Run("lib=workerpool", func(b *testing.B) {
		p := workerpool.New(ioWorkers)
		defer p.StopWait()
		napBatches(b, tasks, p.Submit)
	})
	b.Run("lib=futures", func(b *testing.B) {
		e := futures.New(ioWorkers)
		defer e.Close()
		ctx := context.Background()
		fs := make([]*futures.Future[struct{}], tasks)
		for b.Loop() {
			for i := range fs {
				fs[i] = e.Go(ctx, func(context.Context) error { nap(); return nil })
			}
			for _, f := range fs {
				_, _ = f.Result(ctx)
			}
		}
	})
}

// BenchmarkE submits tiny tasks from 8 goroutines at once.
func BenchmarkE(b *testing.B) {
	n := workers()
	parallel := func(b *testing.B, submit func(i int, wg *sync.WaitGroup)) {
		b.ReportAllocs()
		b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
		var wg sync.WaitGroup
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				wg.Add(1)
				submit(i, &wg)
			}
		})
		wg.Wait()
	}
	b.Run("lib=errgroup", func(b *testing.B) {
		var g errgroup.Group
		g.SetLimit(n)
		parallel(b, func(i int, wg *sync.WaitGroup) { g.Go(func() error { sink[i%64] = spin(i); wg.Done(); return nil }) })
		_ = g.Wait()
	})
	b.Run("lib=ants", func(b *testing.B) {
		p, _ := ants.NewPool(n)
		defer p.Release()
		parallel(b, func(i int, wg *sync.WaitGroup) { _ = p.Submit(func() { sink[i%64] = spin(i); wg.Done() }) })
	})
	b.Run("lib=pond-go", func(b *testing.B) {
		p := pond.NewPool(n)
		defer p.StopAndWait()
		parallel(b, func(i int, wg *sync.WaitGroup) { _ = p.Go(func() { sink[i%64] = spin(i); wg.Done() }) })
	})
	b.Run("lib=conc-pool", func(b *testing.B) {
		p := pool.New().WithMaxGoroutines(n)
		parallel(b, func(i int, wg *sync.WaitGroup) { p.Go(func() { sink[i%64] = spin(i); wg.Done() }) })
		p.Wait()
	})
	b.Run("lib=workerpool", func(b *testing.B) {
		p := workerpool.New(n)
		defer p.StopWait()
		parallel(b, func(i int, wg *sync.WaitGroup) { p.Submit(func() { sink[i%64] = spin(i); wg.Done() }) })
	})
	b.Run("lib=futures", func(b *testing.B) {
		e := futures.New(n)
		defer e.Close()
		ctx := context.Background()
		parallel(b, func(i int, wg *sync.WaitGroup) {
			futures.Submit(ctx, e, func(context.Context) (int, error) { defer wg.Done(); return spin(i), nil })
		})
	})
}
