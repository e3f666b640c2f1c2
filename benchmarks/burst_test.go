package benchmarks

import (
	"context"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/alitto/pond/v2"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/seed72edde46/futures"
)

// The burst of workloads H and I: burstRequests requests released at once, each
// calling burstCalls backends and done when all of them returned.
const (
	burstRequests = 2000
	burstCalls    = 8
)

// burstTable holds every backend call's duration, 2 to 20 ms, drawn once from a
// seeded PCG, so every library serves the same burst.
var burstTable = func() *[burstRequests][burstCalls]time.Duration {
	rng := rand.New(rand.NewPCG(72, 46))
	t := new([burstRequests][burstCalls]time.Duration)
	for i := range t {
		for j := range t[i] {
			t[i][j] = 2*time.Millisecond + time.Duration(rng.Int64N(int64(18*time.Millisecond)+1))
		}
	}
	return t
}()

// backend is one backend call: it takes d, or returns early when ctx ends.
func backend(ctx context.Context, d time.Duration) (time.Duration, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return d, nil
	case <-ctx.Done():
		return 0, context.Cause(ctx)
	}
}

// burstResult is what one burst measured.
type burstResult struct {
	p50, p99, makespan time.Duration
}

// burst runs one burst: it starts a goroutine per request, parks them all on
// one channel, then closes it; request i runs serve(ctx, i). A request's
// latency is from the release to its serve returning; the makespan is the
// longest of them. burst returns once every request goroutine is done, and
// times only the release onwards.
func burst(b *testing.B, serve func(ctx context.Context, i int)) burstResult {
	ctx := context.Background()
	lat := make([]time.Duration, burstRequests)
	release := make(chan struct{})
	var ready, done sync.WaitGroup
	ready.Add(burstRequests)
	var start time.Time
	for i := range burstRequests {
		done.Go(func() {
			ready.Done()
			<-release
			serve(ctx, i)
			lat[i] = time.Since(start)
		})
	}
	ready.Wait()
	b.StartTimer()
	start = time.Now()
	close(release)
	done.Wait()
	b.StopTimer()
	slices.Sort(lat)
	return burstResult{p50: lat[rank(50)], p99: lat[rank(99)], makespan: lat[len(lat)-1]}
}

// rank is the index of the pct-th percentile of the sorted latencies (nearest
// rank).
func rank(pct int) int { return (pct*burstRequests+99)/100 - 1 }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// runBursts runs b.N bursts and reports the mean over them of each burst's
// p50 and p99 latency, makespan, and p50/makespan. ns/op is the mean makespan
// measured from outside (the set-up of the parked goroutines is not timed).
func runBursts(b *testing.B, serve func(ctx context.Context, i int)) {
	b.StopTimer()
	var p50, p99, span, ratio float64
	for range b.N {
		r := burst(b, serve)
		p50 += ms(r.p50)
		p99 += ms(r.p99)
		span += ms(r.makespan)
		ratio += float64(r.p50) / float64(r.makespan)
	}
	n := float64(b.N)
	b.ReportMetric(p50/n, "p50-ms")
	b.ReportMetric(p99/n, "p99-ms")
	b.ReportMetric(span/n, "makespan-ms")
	b.ReportMetric(ratio/n, "p50/makespan")
}

// BenchmarkH is a burst on one shared pool: 2,000 requests released at once,
// each fanning out to 8 backend calls of 2-20 ms (the same for every library)
// and done when all 8 returned, on a pool of 256 or 2,048 workers made before
// the burst with default options. An op is one whole burst; the metrics are
// the means over the op's bursts (one with -benchtime 1x): p50-ms and p99-ms
// are request latencies from the release, makespan-ms is the release to the
// last request done. The ideal makespan at size=256 is the work over the
// workers, 2000*8*11 ms/256, about 0.7 s; at size=2048 it is about the
// slowest request, 20 ms.
func BenchmarkH(b *testing.B) {
	for _, size := range []int{256, 2048} {
		b.Run("size="+strconv.Itoa(size), func(b *testing.B) { burstPeers(b, size) })
	}
}

func burstPeers(b *testing.B, size int) {
	b.Run("lib=futures-map", func(b *testing.B) {
		e := futures.New(size)
		defer e.Close()
		runBursts(b, func(ctx context.Context, i int) {
			_, _ = futures.Map(ctx, e, burstTable[i][:], backend)
		})
	})
	b.Run("lib=futures-group", func(b *testing.B) {
		e := futures.New(size)
		defer e.Close()
		runBursts(b, func(ctx context.Context, i int) {
			g := futures.NewGroup[time.Duration](ctx, e)
			for _, d := range burstTable[i] {
				g.Submit(func(ctx context.Context) (time.Duration, error) { return backend(ctx, d) })
			}
			_, _ = g.Wait()
		})
	})
	b.Run("lib=futures-submit", func(b *testing.B) {
		e := futures.New(size)
		defer e.Close()
		runBursts(b, func(ctx context.Context, i int) {
			var fs [burstCalls]*futures.Future[time.Duration]
			for j, d := range burstTable[i] {
				fs[j] = futures.Submit(ctx, e, func(ctx context.Context) (time.Duration, error) { return backend(ctx, d) })
			}
			_, _, _ = futures.Wait(ctx, futures.AllCompleted, fs[:]...)
		})
	})
	// pond's default queue is unbounded; with a queue size, Submit blocks on a
	// full queue, since WithNonBlocking defaults to false.
	for _, q := range []struct {
		name string
		opts []pond.Option
	}{
		{"pond-unbounded", nil},
		{"pond-queue256", []pond.Option{pond.WithQueueSize(256)}},
	} {
		b.Run("lib="+q.name, func(b *testing.B) {
			p := pond.NewResultPool[time.Duration](size, q.opts...)
			defer p.StopAndWait()
			runBursts(b, func(ctx context.Context, i int) {
				g := p.NewGroup()
				for _, d := range burstTable[i] {
					g.SubmitErr(func() (time.Duration, error) { return backend(ctx, d) })
				}
				_, _ = g.Wait()
			})
		})
	}
	b.Run("lib=semaphore", func(b *testing.B) {
		sem := semaphore.NewWeighted(int64(size))
		runBursts(b, func(ctx context.Context, i int) {
			if sem.Acquire(ctx, burstCalls) != nil {
				return
			}
			var wg sync.WaitGroup
			for _, d := range burstTable[i] {
				wg.Go(func() { _, _ = backend(ctx, d) })
			}
			wg.Wait()
			sem.Release(burstCalls)
		})
	})
}

// footprint is the process's goroutines and stack memory in use, after a GC.
func footprint() (goroutines int, stack uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return runtime.NumGoroutine(), m.StackInuse
}

// idleWait is how long workload I waits after its burst before it measures:
// longer than the 1 s idle timeout that futures is given.
const idleWait = 1500 * time.Millisecond

// memoryBack runs b.N times: start makes a pool (and returns how a request is
// served on it and how the pool is shut down); the goroutines and stack in use
// are measured, a burst is served, and after idleWait they are measured again
// before the pool is shut down. It reports the means of the differences.
func memoryBack(b *testing.B, start func() (serve func(ctx context.Context, i int), stop func())) {
	b.StopTimer()
	var goroutines, stack float64
	for range b.N {
		serve, stop := start()
		g0, s0 := footprint()
		burst(b, serve)
		time.Sleep(idleWait)
		g1, s1 := footprint()
		stop()
		goroutines += float64(g1 - g0)
		stack += (float64(s1) - float64(s0)) / (1 << 20)
	}
	n := float64(b.N)
	b.ReportMetric(goroutines/n, "goroutines-after-minus-before")
	b.ReportMetric(stack/n, "stack-MiB-after-minus-before")
}

// BenchmarkI is how much comes back after the burst of H at size=2048: the
// goroutines and stack memory in use 1.5 s after the burst, minus those just
// before it (each after a GC). futures runs the burst with Map on an executor
// whose idle workers retire after 1 s (WithIdleTimeout); pond retires a worker
// as soon as the queue is empty; errgroup starts a goroutine per call, under
// a SetLimit(2048) group per burst. ns/op is the burst alone.
func BenchmarkI(b *testing.B) {
	const size = 2048
	b.Run("lib=futures", func(b *testing.B) {
		memoryBack(b, func() (func(context.Context, int), func()) {
			e := futures.New(size, futures.WithIdleTimeout(time.Second))
			serve := func(ctx context.Context, i int) {
				_, _ = futures.Map(ctx, e, burstTable[i][:], backend)
			}
			return serve, func() { _ = e.Close() }
		})
	})
	b.Run("lib=pond", func(b *testing.B) {
		memoryBack(b, func() (func(context.Context, int), func()) {
			p := pond.NewResultPool[time.Duration](size)
			serve := func(ctx context.Context, i int) {
				g := p.NewGroup()
				for _, d := range burstTable[i] {
					g.SubmitErr(func() (time.Duration, error) { return backend(ctx, d) })
				}
				_, _ = g.Wait()
			}
			return serve, p.StopAndWait
		})
	})
	b.Run("lib=errgroup", func(b *testing.B) {
		memoryBack(b, func() (func(context.Context, int), func()) {
			g := new(errgroup.Group)
			g.SetLimit(size)
			serve := func(ctx context.Context, i int) {
				var wg sync.WaitGroup
				wg.Add(burstCalls)
				for _, d := range burstTable[i] {
					g.Go(func() error {
						defer wg.Done()
						_, err := backend(ctx, d)
						return err
					})
				}
				wg.Wait()
			}
			return serve, func() { _ = g.Wait() }
		})
	})
}
