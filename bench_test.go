package futures_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"

	"github.com/seed72edde46/futures"
)

// spin is a tiny CPU task of about 50 ns.
func spin(n int) int {
	x := n
	for i := range 20 {
		x = x*31 + i
	}
	return x
}

func tiny(context.Context) (int, error) { return spin(7), nil }

// batch submits tiny tasks and waits for them a batch at a time, so that a
// benchmark holds a bounded number of futures.
type batch struct{ fs []*futures.Future[int] }

func newBatch(size int) *batch { return &batch{fs: make([]*futures.Future[int], 0, size)} }

func (bt *batch) submit(ctx context.Context, e *futures.Executor) {
	bt.fs = append(bt.fs, futures.Submit(ctx, e, tiny))
	if len(bt.fs) == cap(bt.fs) {
		bt.wait(ctx)
	}
}

func (bt *batch) wait(ctx context.Context) {
	for _, f := range bt.fs {
		_, _ = f.Result(ctx)
	}
	bt.fs = bt.fs[:0]
}

func BenchmarkSubmit(b *testing.B) {
	ctx := context.Background()
	b.Run("wait=all", func(b *testing.B) {
		e := futures.New(runtime.GOMAXPROCS(0))
		defer e.Close()
		bt := newBatch(4096)
		b.ReportAllocs()
		for b.Loop() {
			bt.submit(ctx, e)
		}
		bt.wait(ctx)
	})
	b.Run("wait=each", func(b *testing.B) {
		e := futures.New(runtime.GOMAXPROCS(0))
		defer e.Close()
		b.ReportAllocs()
		for b.Loop() {
			_, _ = futures.Submit(ctx, e, tiny).Result(ctx)
		}
	})
	b.Run("submitters=8", func(b *testing.B) {
		e := futures.New(runtime.GOMAXPROCS(0))
		defer e.Close()
		b.ReportAllocs()
		b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			bt := newBatch(256)
			for pb.Next() {
				bt.submit(ctx, e)
			}
			bt.wait(ctx)
		})
	})
}

// BenchmarkSubmitRequestCtx is workload G: wait=all, each batch under a
// request's cancelable ctx, canceled once the batch is done, as a service does.
func BenchmarkSubmitRequestCtx(b *testing.B) {
	e := futures.New(runtime.GOMAXPROCS(0))
	defer e.Close()
	bt := newBatch(4096)
	ctx, cancel := context.WithCancel(context.Background())
	b.ReportAllocs()
	for b.Loop() {
		bt.fs = append(bt.fs, futures.Submit(ctx, e, tiny))
		if len(bt.fs) == cap(bt.fs) {
			bt.wait(ctx)
			cancel()
			ctx, cancel = context.WithCancel(context.Background())
		}
	}
	bt.wait(ctx)
	cancel()
}

func BenchmarkMap(b *testing.B) {
	ctx := context.Background()
	e := futures.New(runtime.GOMAXPROCS(0))
	defer e.Close()
	in := make([]int, 10000)
	for i := range in {
		in[i] = i
	}
	fn := func(_ context.Context, n int) (int, error) { return spin(n), nil }
	b.Run("n=10000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := futures.Map(ctx, e, in, fn); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkMapSeq(b *testing.B) {
	ctx := context.Background()
	e := futures.New(runtime.GOMAXPROCS(0))
	defer e.Close()
	fn := func(_ context.Context, n int) (int, error) { return spin(n), nil }
	b.Run("n=10000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, err := range futures.MapSeq(ctx, e, slices.Values(make([]int, 10000)), fn) {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// finished returns n futures that have all finished.
func finished(b *testing.B, e *futures.Executor, n int) []*futures.Future[int] {
	b.Helper()
	ctx := context.Background()
	fs := make([]*futures.Future[int], n)
	for i := range fs {
		fs[i] = futures.Submit(ctx, e, tiny)
	}
	for _, f := range fs {
		_, _ = f.Result(ctx)
	}
	return fs
}

func BenchmarkAsCompleted(b *testing.B) {
	ctx := context.Background()
	e := futures.New(runtime.GOMAXPROCS(0))
	defer e.Close()
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprint("n=", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				fs := make([]*futures.Future[int], n)
				for i := range fs {
					fs[i] = futures.Submit(ctx, e, tiny)
				}
				b.StartTimer()
				count := 0
				for range futures.AsCompleted(ctx, fs...) {
					count++
				}
				if count != n {
					b.Fatalf("yielded %d of %d", count, n)
				}
			}
		})
	}
}

func BenchmarkWait(b *testing.B) {
	ctx := context.Background()
	e := futures.New(runtime.GOMAXPROCS(0))
	defer e.Close()
	for _, n := range []int{10, 1000} {
		fs := finished(b, e, n)
		b.Run(fmt.Sprint("n=", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := futures.Wait(ctx, futures.AllCompleted, fs...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
