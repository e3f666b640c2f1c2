package futures_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync/atomic"
	"time"

	"github.com/seed72edde46/futures"
)

// fetchSize stands in for an HTTP call: it returns a size for url.
func fetchSize(_ context.Context, url string) (int, error) {
	return len(url) * 100, nil
}

// Submit tasks, then collect their results in submission order.
func Example() {
	e := futures.New(5)
	defer e.Close()

	ctx := context.Background()
	urls := []string{"https://example.com/a", "https://example.com/bb", "https://example.com/ccc"}
	var fs []*futures.Future[int]
	for _, url := range urls {
		fs = append(fs, futures.Submit(ctx, e, func(ctx context.Context) (int, error) {
			return fetchSize(ctx, url)
		}))
	}
	for i, f := range fs {
		size, err := f.Result(ctx)
		if err != nil {
			fmt.Println(urls[i], "failed:", err)
			continue
		}
		fmt.Println(urls[i], size)
	}
	// Output:
	// https://example.com/a 2100
	// https://example.com/bb 2200
	// https://example.com/ccc 2300
}

// Submit one task and wait for its result; an error comes back as it was returned.
func ExampleSubmit() {
	e := futures.New(2)
	defer e.Close()

	ctx := context.Background()
	f := futures.Submit(ctx, e, func(context.Context) (string, error) {
		return "", errors.New("upstream said no")
	})
	_, err := f.Result(ctx)
	fmt.Println(f.State(), err)
	// Output: Failed upstream said no
}

// Map keeps the input order, whatever order the items finish in.
func ExampleMap() {
	e := futures.New(3)
	defer e.Close()

	double := func(_ context.Context, n int) (int, error) { return 2 * n, nil }
	out, err := futures.Map(context.Background(), e, []int{1, 2, 3, 4, 5}, double)
	fmt.Println(out, err)
	// Output: [2 4 6 8 10] <nil>
}

// The first failure stops the Map: the items not started never run, and the
// error names the item.
func ExampleMap_failFast() {
	e := futures.New(1)
	defer e.Close()

	parse := func(_ context.Context, s string) (int, error) {
		var n int
		_, err := fmt.Sscanf(s, "%d", &n)
		return n, err
	}
	_, err := futures.Map(context.Background(), e, []string{"1", "two", "3"}, parse)
	var ie *futures.IndexError
	if errors.As(err, &ie) {
		fmt.Println("item", ie.Index, "failed:", ie.Err)
	}
	// Output: item 1 failed: expected integer
}

// Handle each result as soon as its task finishes, errors included.
func ExampleAsCompleted() {
	e := futures.New(4)
	defer e.Close()

	ctx := context.Background()
	files := []string{"file1.zip", "file2.pdf", "broken.iso", "file4.tar.gz"}
	byFuture := map[*futures.Future[string]]string{}
	for _, name := range files {
		f := futures.Submit(ctx, e, func(context.Context) (string, error) {
			if strings.HasPrefix(name, "broken") {
				return "", errors.New("checksum mismatch")
			}
			return name + " downloaded", nil
		})
		byFuture[f] = name
	}
	var fs []*futures.Future[string]
	for f := range byFuture {
		fs = append(fs, f)
	}
	for f := range futures.AsCompleted(ctx, fs...) {
		msg, err := f.Result(ctx)
		if err != nil {
			fmt.Println(byFuture[f], "failed:", err)
			continue
		}
		fmt.Println(msg)
	}
	// Unordered output:
	// file1.zip downloaded
	// file2.pdf downloaded
	// broken.iso failed: checksum mismatch
	// file4.tar.gz downloaded
}

// Result with a deadline: the wait gives up, the task goes on, and a later
// Result still gets its value.
func ExampleFuture_Result_timeout() {
	e := futures.New(1)
	defer e.Close()

	release := make(chan struct{})
	f := futures.Submit(context.Background(), e, func(context.Context) (string, error) {
		<-release // a slow call
		return "late result", nil
	})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := f.Result(ctx); errors.Is(err, context.DeadlineExceeded) {
		fmt.Println("timed out; the task is", f.State())
	}

	close(release)
	v, _ := f.Result(context.Background())
	fmt.Println(v)
	// Output:
	// timed out; the task is Running
	// late result
}

// Wait for the first of several tasks to finish, or for the first failure.
func ExampleWait() {
	e := futures.New(3)
	defer e.Close()

	ctx := context.Background()
	hold := make(chan struct{})
	defer close(hold)
	slow := futures.Submit(ctx, e, func(context.Context) (string, error) { <-hold; return "slow", nil })
	fast := futures.Submit(ctx, e, func(context.Context) (string, error) { return "fast", nil })

	done, pending, _ := futures.Wait(ctx, futures.FirstCompleted, slow, fast)
	fmt.Println(len(done), "done:", done[0] == fast, "|", len(pending), "pending")

	bad := futures.Submit(ctx, e, func(context.Context) (string, error) { return "", errors.New("bad") })
	done, _, _ = futures.Wait(ctx, futures.FirstError, slow, bad)
	_, err := done[0].Result(ctx)
	fmt.Println("first error:", err)
	// Output:
	// 1 done: true | 1 pending
	// first error: bad
}

// Shutdown lets queued work finish; after it, Submit gives a canceled future.
func ExampleExecutor_Shutdown() {
	e := futures.New(4)
	ctx := context.Background()
	var fs []*futures.Future[int]
	for i := range 10 {
		fs = append(fs, futures.Submit(ctx, e, func(context.Context) (int, error) { return i * 2, nil }))
	}
	if err := e.Shutdown(ctx); err != nil {
		fmt.Println(err)
	}
	sum := 0
	for _, f := range fs {
		v, _ := f.Result(ctx)
		sum += v
	}
	fmt.Println("sum:", sum)

	_, err := futures.Submit(ctx, e, func(context.Context) (int, error) { return 0, nil }).Result(ctx)
	fmt.Println(err)
	// Output:
	// sum: 90
	// futures: executor is shut down
}

// ShutdownNow drops the queued tasks and cancels the running ones, like Python's
// shutdown(cancel_futures=True).
func ExampleExecutor_ShutdownNow() {
	e := futures.New(1)
	ctx := context.Background()
	started := make(chan struct{})
	running := futures.Submit(ctx, e, func(ctx context.Context) (int, error) {
		close(started)
		<-ctx.Done() // a well-behaved task stops when asked
		return 0, context.Cause(ctx)
	})
	<-started
	queued := futures.Submit(ctx, e, func(context.Context) (int, error) { return 1, nil })

	_ = e.ShutdownNow(ctx)
	_, err := running.Result(ctx)
	fmt.Println("running:", err)
	fmt.Println("queued:", queued.State())
	// Output:
	// running: futures: executor is shut down
	// queued: Canceled
}

// A task canceled before it starts never runs.
func ExampleFuture_Cancel() {
	e := futures.New(1)
	defer e.Close()

	ctx := context.Background()
	started, hold := make(chan struct{}), make(chan struct{})
	busy := futures.Submit(ctx, e, func(context.Context) (int, error) {
		close(started)
		<-hold
		return 0, nil
	})
	<-started
	queued := futures.Submit(ctx, e, func(context.Context) (int, error) {
		fmt.Println("never printed")
		return 0, nil
	})

	fmt.Println("canceled:", queued.Cancel())
	_, err := queued.Result(ctx)
	fmt.Println(err, errors.Is(err, context.Canceled))
	fmt.Println("a running task:", busy.Cancel())
	close(hold)
	// Output:
	// canceled: true
	// futures: future canceled true
	// a running task: false
}

// TrySubmit never blocks: a full queue is an error to act on (shed load, retry
// later, answer 503).
func ExampleTrySubmit() {
	e := futures.New(1, futures.WithQueueSize(1))
	defer e.Close()

	ctx := context.Background()
	started, hold := make(chan struct{}, 3), make(chan struct{})
	defer close(hold)
	task := func(context.Context) (int, error) {
		started <- struct{}{}
		<-hold
		return 0, nil
	}
	for i := range 3 {
		_, err := futures.TrySubmit(ctx, e, task)
		fmt.Println(i, err)
		if i == 0 {
			<-started // the worker holds the first; the queue has room for one
		}
	}
	// Output:
	// 0 <nil>
	// 1 <nil>
	// 2 futures: queue is full
}

// A Group fails as a whole: the first error cancels the rest.
func ExampleGroup() {
	e := futures.New(4)
	defer e.Close()

	g := futures.NewGroup[string](context.Background(), e)
	for _, user := range []string{"ada", "grace", "linus"} {
		g.Submit(func(context.Context) (string, error) { return strings.ToUpper(user), nil })
	}
	names, err := g.Wait()
	fmt.Println(names, err)
	// Output: [ADA GRACE LINUS] <nil>
}

// MapSeq streams over an endless sequence, a bounded window at a time.
func ExampleMapSeq() {
	e := futures.New(2)
	defer e.Close()

	naturals := func(yield func(int) bool) {
		for n := 1; yield(n); n++ {
		}
	}
	square := func(_ context.Context, n int) (int, error) { return n * n, nil }
	for sq, err := range futures.MapSeq(context.Background(), e, iter.Seq[int](naturals), square) {
		if err != nil || sq > 30 {
			break // cancels and waits for the squares in flight
		}
		fmt.Print(sq, " ")
	}
	fmt.Println()
	// Output: 1 4 9 16 25
}

// A task may submit to its own executor and wait, even on one worker, as long as
// it passes on the ctx it was given.
func Example_nested() {
	e := futures.New(1)
	defer e.Close()

	var fib func(ctx context.Context, n int) (int, error)
	fib = func(ctx context.Context, n int) (int, error) {
		if n < 2 {
			return n, nil
		}
		a := futures.Submit(ctx, e, func(ctx context.Context) (int, error) { return fib(ctx, n-1) })
		b := futures.Submit(ctx, e, func(ctx context.Context) (int, error) { return fib(ctx, n-2) })
		x, _ := a.Result(ctx)
		y, _ := b.Result(ctx)
		return x + y, nil
	}
	v, err := futures.Submit(context.Background(), e, func(ctx context.Context) (int, error) {
		return fib(ctx, 15)
	}).Result(context.Background())
	fmt.Println(v, err)
	// Output: 610 <nil>
}

// Each worker runs an initializer once, like Python's initializer argument.
func ExampleWithWorkerInit() {
	var inits atomic.Int32
	e := futures.New(2, futures.WithWorkerInit(func(worker int) error {
		inits.Add(1) // open a connection per worker, say
		return nil
	}))
	fmt.Println("workers before any task:", e.Stats().Started)
	release := make(chan struct{})
	wait := func(context.Context) error { <-release; return nil }
	a, b := e.Go(context.Background(), wait), e.Go(context.Background(), wait)
	close(release)
	_, _ = a.Result(context.Background())
	_, _ = b.Result(context.Background())
	_ = e.Close()
	fmt.Println("workers initialised:", inits.Load())
	// Output:
	// workers before any task: 0
	// workers initialised: 2
}
