package futures_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed72edde46/futures"
)

// One executor for the whole service, sized by what the backends behind its
// tasks can take; it starts workers only as work arrives.
func ExampleNew() {
	e := futures.New(16)
	defer e.Close()
	fmt.Println("size:", e.Workers(), "started:", e.Stats().Started)
	// Output: size: 16 started: 0
}

// Go is Submit for work that returns only an error.
func ExampleExecutor_Go() {
	e := futures.New(2)
	defer e.Close()
	ctx := context.Background()
	f := e.Go(ctx, func(ctx context.Context) error {
		return errors.New("disk full") // writing a file, say
	})
	_, err := f.Result(ctx)
	fmt.Println(err)
	// Output: disk full
}

// OnDone runs a callback when the future finishes, in the goroutine that
// finishes it; keep it short.
func ExampleFuture_OnDone() {
	e := futures.New(1)
	defer e.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Add(1)
	f := futures.Submit(ctx, e, func(ctx context.Context) (int, error) { return 7, nil })
	f.OnDone(func() {
		v, _ := f.Result(ctx) // finished: does not block
		fmt.Println("done:", v)
		wg.Done()
	})
	wg.Wait()
	// Output: done: 7
}

// State tells where a future is without waiting: Python's done(), running()
// and cancelled() in one call.
func ExampleFuture_State() {
	e := futures.New(1)
	defer e.Close()
	ctx := context.Background()
	release := make(chan struct{})
	started := make(chan struct{})
	running := e.Go(ctx, func(context.Context) error { close(started); <-release; return nil })
	<-started
	queued := futures.Submit(ctx, e, func(context.Context) (int, error) { return 1, nil })
	fmt.Println(running.State(), queued.State())
	queued.Cancel()
	close(release)
	_, _ = running.Result(ctx)
	fmt.Println(running.State(), queued.State())
	// Output:
	// Running Pending
	// Succeeded Canceled
}

// Done is a channel, so a future can be waited on in a select beside any
// other channel: here, a deadline of the caller's own.
func ExampleFuture_Done() {
	e := futures.New(1)
	defer e.Close()
	f := futures.Submit(context.Background(), e, func(context.Context) (string, error) {
		return "report ready", nil
	})
	select {
	case <-f.Done():
		v, _ := f.Result(context.Background())
		fmt.Println(v)
	case <-time.After(time.Minute):
		fmt.Println("too slow")
	}
	// Output: report ready
}

// A group per request on the executor the service shares: the request's ctx
// reaches every task, and the first failure cancels the rest.
func ExampleNewGroup() {
	e := futures.New(8)
	defer e.Close()
	g := futures.NewGroup[string](context.Background(), e)
	for _, user := range []string{"ada", "alan", "grace"} {
		g.Submit(func(ctx context.Context) (string, error) {
			return strings.ToUpper(user), nil // a query per user, say
		})
	}
	names, err := g.Wait()
	fmt.Println(names, err)
	// Output: [ADA ALAN GRACE] <nil>
}

// SetLimit caps one request's fan-out, so that it leaves workers of the shared
// executor to the other requests.
func ExampleGroup_SetLimit() {
	e := futures.New(8)
	defer e.Close()
	g := futures.NewGroup[int](context.Background(), e)
	g.SetLimit(2)
	var mu sync.Mutex
	running, peak := 0, 0
	for i := range 10 {
		g.Submit(func(ctx context.Context) (int, error) {
			mu.Lock()
			running++
			peak = max(peak, running)
			mu.Unlock()
			defer func() { mu.Lock(); running--; mu.Unlock() }()
			return i, nil
		})
	}
	results, err := g.Wait()
	fmt.Println(len(results), err, "at most 2 at once:", peak <= 2)
	// Output: 10 <nil> at most 2 at once: true
}

// Stats is what to export to a metrics system: gauges for Started, Running
// and Queued, counters for the rest.
func ExampleExecutor_Stats() {
	e := futures.New(4, futures.WithName("search"))
	ctx := context.Background()
	for i := range 3 {
		_, _ = futures.Submit(ctx, e, func(context.Context) (int, error) {
			if i == 2 {
				return 0, errors.New("backend down")
			}
			return i, nil
		}).Result(ctx)
	}
	_ = e.Close()
	s := e.Stats()
	fmt.Printf("submitted=%d succeeded=%d failed=%d running=%d queued=%d\n",
		s.Submitted, s.Succeeded, s.Failed, s.Running, s.Queued)
	// Output: submitted=3 succeeded=2 failed=1 running=0 queued=0
}

// WithName puts the executor's name in its errors (and in pprof labels on its
// workers), so a log line says which pool refused.
func ExampleWithName() {
	e := futures.New(1, futures.WithName("thumbnails"))
	_ = e.Close()
	_, err := futures.Submit(context.Background(), e, func(context.Context) (int, error) { return 0, nil }).Result(context.Background())
	fmt.Println(err)
	fmt.Println(errors.Is(err, futures.ErrShutdown))
	// Output:
	// futures: executor is shut down (executor "thumbnails")
	// true
}

// WithQueueSize(0) makes every task wait for an idle worker: with TrySubmit,
// that is load shedding at exactly the executor's size.
func ExampleWithQueueSize() {
	e := futures.New(2, futures.WithQueueSize(0))
	defer e.Close()
	ctx := context.Background()
	release := make(chan struct{})
	hold := func(context.Context) (int, error) { <-release; return 0, nil }
	var accepted []*futures.Future[int]
	refused := 0
	for range 5 {
		if f, err := futures.TrySubmit(ctx, e, hold); err == nil {
			accepted = append(accepted, f)
		} else {
			refused++
		}
	}
	close(release)
	fmt.Println("accepted:", len(accepted), "refused:", refused)
	// Output: accepted: 2 refused: 3
}

// A panicking task fails its future with a *PanicError; the worker lives on.
func ExamplePanicError() {
	e := futures.New(1)
	defer e.Close()
	ctx := context.Background()
	_, err := futures.Submit(ctx, e, func(context.Context) (int, error) {
		panic("config not loaded") // a bug
	}).Result(ctx)
	var pe *futures.PanicError
	if errors.As(err, &pe) {
		fmt.Println("panicked:", pe.Value)
		fmt.Println("stack recorded:", len(pe.Stack) > 0)
	}
	// Output:
	// panicked: config not loaded
	// stack recorded: true
}

// Map's error names the failing input's index, and wraps what fn returned.
func ExampleIndexError() {
	e := futures.New(2)
	defer e.Close()
	errNotFound := errors.New("not found")
	_, err := futures.Map(context.Background(), e, []string{"a.txt", "b.txt", "c.txt"},
		func(_ context.Context, name string) (int, error) {
			if name == "b.txt" {
				return 0, errNotFound
			}
			return len(name), nil
		})
	var ie *futures.IndexError
	fmt.Println(errors.As(err, &ie), ie.Index, errors.Is(err, errNotFound))
	// Output: true 1 true
}

// A recursive crawl where every page's task submits the pages it links to and
// does not wait for them. Done right: one Group for the whole crawl, made from
// the crawl's ctx, and each task submits to the group. (Submitting children
// with a task's own ctx and not waiting would cancel them, silently, as soon
// as the task returns.)
func Example_crawl() {
	links := map[string][]string{
		"/":         {"/docs", "/blog"},
		"/docs":     {"/docs/api", "/"},
		"/blog":     {"/blog/2026", "/docs"},
		"/docs/api": {},
		"/blog/2026": {
			"/",
		},
	}
	e := futures.New(4)
	defer e.Close()
	g := futures.NewGroup[string](context.Background(), e)
	var mu sync.Mutex
	seen := map[string]bool{}
	var visit func(page string) func(context.Context) (string, error)
	visit = func(page string) func(context.Context) (string, error) {
		return func(ctx context.Context) (string, error) {
			for _, next := range links[page] { // fetched over HTTP, say
				mu.Lock()
				isNew := !seen[next]
				seen[next] = true
				mu.Unlock()
				if isNew {
					g.Submit(visit(next))
				}
			}
			return page, nil
		}
	}
	seen["/"] = true
	g.Submit(visit("/"))
	pages, err := g.Wait()
	slices.Sort(pages)
	fmt.Println(pages, err)
	// Output: [/ /blog /blog/2026 /docs /docs/api] <nil>
}

// Wait returns the results in submission order, or the first failure; the
// failure cancels the ctx of the tasks still running, and those still queued
// never run.
func ExampleGroup_Wait() {
	e := futures.New(2)
	defer e.Close()
	g := futures.NewGroup[string](context.Background(), e)
	g.Submit(func(ctx context.Context) (string, error) { return "profile", nil })
	g.Submit(func(ctx context.Context) (string, error) { return "", errors.New("orders: timeout") })
	results, err := g.Wait()
	fmt.Println(results, err)
	// Output: [] orders: timeout
}

// A task of the group may submit more work to it: the group waits for those
// too, and on a full pool the task runs the new work itself.
func ExampleGroup_Submit() {
	e := futures.New(2)
	defer e.Close()
	g := futures.NewGroup[int](context.Background(), e)
	g.Submit(func(ctx context.Context) (int, error) {
		g.Submit(func(ctx context.Context) (int, error) { return 2, nil })
		return 1, nil
	})
	results, err := g.Wait()
	slices.Sort(results)
	fmt.Println(results, err)
	// Output: [1 2] <nil>
}

// Close is Python's with-statement: queued tasks still run, and Close returns
// once every worker has exited.
func ExampleExecutor_Close() {
	e := futures.New(2)
	var done atomic.Int32
	for range 5 {
		e.Go(context.Background(), func(context.Context) error { done.Add(1); return nil })
	}
	_ = e.Close()
	fmt.Println("tasks run before Close returned:", done.Load())
	// Output: tasks run before Close returned: 5
}
