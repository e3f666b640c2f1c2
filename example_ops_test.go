package futures_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/seed72edde46/futures"
)

// Name reads back the executor's name, say for a metrics label.
func ExampleExecutor_Name() {
	e := futures.New(4, futures.WithName("db"))
	defer e.Close()
	fmt.Println(e.Name(), e.Stats().QueueSize)
	// Output: db 256
}

// Resize changes the size while tasks run, as a config reload does: growing
// starts workers for the queued tasks at once.
func ExampleExecutor_Resize() {
	e := futures.New(1)
	defer e.Close()
	ctx := context.Background()
	release := make(chan struct{})
	started := make(chan struct{}, 3)
	for range 3 {
		e.Go(ctx, func(context.Context) error {
			started <- struct{}{}
			<-release
			return nil
		})
	}
	<-started // one worker: the other two wait in the queue
	e.Resize(3)
	<-started
	<-started
	fmt.Println("workers:", e.Workers(), "running:", e.Stats().Running)
	close(release)
	// Output: workers: 3 running: 3
}

// TryMap admits a request's whole fan-out or none of it, so a saturated
// service answers 503 at once instead of queueing the request's calls.
func ExampleTryMap() {
	e := futures.New(2, futures.WithQueueSize(2))
	defer e.Close()
	ctx := context.Background()
	release := make(chan struct{})
	for range 3 { // 3 of the 4 places: 2 workers and 2 queue slots
		e.Go(ctx, func(context.Context) error { <-release; return nil })
	}
	backends := []string{"users", "orders"} // 2 calls, 1 free place
	_, err := futures.TryMap(ctx, e, backends, func(_ context.Context, name string) (string, error) {
		return "called " + name, nil
	})
	if errors.Is(err, futures.ErrQueueFull) {
		fmt.Println(http.StatusServiceUnavailable, "busy; nothing was called")
	}
	close(release)
	// Output: 503 busy; nothing was called
}

// Group.TrySubmit sheds the work a group cannot take now, as errgroup's
// TryGo does.
func ExampleGroup_TrySubmit() {
	e := futures.New(4)
	defer e.Close()
	g := futures.NewGroup[string](context.Background(), e)
	g.SetLimit(1)
	release := make(chan struct{})
	_, err := g.TrySubmit(func(context.Context) (string, error) { <-release; return "first", nil })
	fmt.Println("first:", err)
	_, err = g.TrySubmit(func(context.Context) (string, error) { return "second", nil })
	fmt.Println("second:", err)
	close(release)
	out, err := g.Wait()
	fmt.Println(out, err)
	// Output:
	// first: <nil>
	// second: futures: queue is full
	// [first] <nil>
}

// WithIdleTimeout gives back the goroutines of a burst once it is over; a
// later task starts a worker again.
func ExampleWithIdleTimeout() {
	e := futures.New(8, futures.WithIdleTimeout(10*time.Millisecond))
	defer e.Close()
	ctx := context.Background()
	_, _ = futures.Map(ctx, e, make([]int, 64), func(context.Context, int) (int, error) { return 0, nil })
	for e.Stats().Started > 0 { // retired within about 10 ms
		time.Sleep(time.Millisecond)
	}
	fmt.Println("after the burst:", e.Stats().Started)
	_, _ = futures.Submit(ctx, e, func(context.Context) (int, error) { return 0, nil }).Result(ctx)
	fmt.Println("after a task:", e.Stats().Started)
	// Output:
	// after the burst: 0
	// after a task: 1
}

// WithWorkerExit closes what WithWorkerInit opened, worker by worker, when a
// worker retires or the executor shuts down.
func ExampleWithWorkerExit() {
	var log strings.Builder
	conns := make([]string, 2)
	e := futures.New(2,
		futures.WithWorkerInit(func(w int) error { conns[w] = fmt.Sprint("conn", w); return nil }),
		futures.WithWorkerExit(func(w int) { conns[w] = "" }),
	)
	ctx := context.Background()
	_, _ = futures.Submit(ctx, e, func(context.Context) (int, error) { return 0, nil }).Result(ctx)
	fmt.Fprintln(&log, "while it runs:", conns[0])
	_ = e.Close()
	fmt.Fprintf(&log, "after Close: %q\n", conns[0])
	fmt.Print(log.String())
	// Output:
	// while it runs: conn0
	// after Close: ""
}
