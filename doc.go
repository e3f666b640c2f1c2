// Package futures is a fixed-size worker pool with typed futures: Go's answer to
// Python's concurrent.futures.ThreadPoolExecutor.
//
// Create one [Executor] when the service starts and share it. [Submit] queues a
// function and returns its [Future] at once; [Future.Result] waits for what the
// function returned. [Map] runs a function over a slice in parallel, [MapSeq]
// streams over an iterator, [AsCompleted] yields futures as they finish, [Wait]
// waits for the first, the first failure or all of them, and [Group] is
// errgroup with results on the shared pool.
//
//	e := futures.New(8)
//	defer e.Close()
//	f := futures.Submit(ctx, e, func(ctx context.Context) (int, error) {
//		return fetchSize(ctx, url)
//	})
//	size, err := f.Result(ctx)
//
// # Goroutines
//
// An executor owns exactly its workers: [New] starts them, and [Executor.Shutdown]
// returns nil only once every one has exited. The package starts no other
// goroutine: not per task, not per waiter, not per helper call. [AsCompleted] and
// [Wait] register on the futures and are woken by the worker that finishes them;
// [MapSeq] waits for its in-flight tasks before its loop ends, even when the loop
// breaks. An executor that becomes unreachable without being shut down is shut
// down by the garbage collector; its queued tasks still run.
//
// # Cancellation
//
// The ctx given to Submit flows into the task: the task's ctx carries its values
// and deadline, and is canceled when the submit ctx is, when the future is
// canceled ([Future.Cancel]), by [Executor.ShutdownNow], and once the task
// returns (do not keep it). A queued task whose submit ctx ends never runs: its
// future ends Canceled with [context.Cause] of that ctx, so the work of a request
// that has gone away is dropped, not done. A task submitted with its parent
// task's ctx is canceled when the parent returns, as in errgroup: wait for it
// first.
//
// A pending future that is canceled never runs. A running one is asked to stop
// through its ctx (cause [ErrCanceled]) and ends with whatever it returns; Go
// cannot stop a goroutine from outside, so a task that ignores its ctx runs on.
//
// # Errors and panics
//
// Result returns exactly what the function returned. A task that panics fails
// with a [*PanicError] that holds the value and the stack; the worker recovers and
// goes on, so one bad task neither kills the process nor shrinks the pool. A task
// that calls [runtime.Goexit] fails with [ErrGoexit], and a new worker takes the
// place of the one that exited.
//
// # Blocking and backpressure
//
// The queue is a buffered channel ([DefaultQueueSize], or [WithQueueSize]).
// Submit blocks while it is full and gives up when its ctx ends or shutdown
// begins; [TrySubmit] never blocks. Nothing else blocks but the waits: Result,
// Wait, AsCompleted, the helpers, and Shutdown.
//
// # Nested tasks
//
// A task that submits to its own executor and waits for the result would
// deadlock a full pool in most pools (the workers all wait for tasks that no
// worker is left to run). Here it cannot, as long as the task passes the ctx it
// was given: Result, Wait, AsCompleted, Map, MapSeq and a Group made from that
// ctx run a pending task of the same executor in the waiting task itself, and
// Submit runs the task in place when the queue is full. Shutdown called from a
// task returns [ErrShutdownInTask] instead of waiting for itself.
//
// # Memory model
//
// The return of a task's function synchronizes before the return of
// [Future.Result] that reports it, before the close of the channel of
// [Future.Done], and before every [Future.OnDone] callback. By the time anything
// reports a future finished (Result returns, Wait lists it as done, AsCompleted
// yields it, a callback runs), its State is terminal and its Done channel is
// closed. See [the Go memory model].
//
// # Cost
//
// A task costs one allocation (the future, about 160 bytes, which is itself the
// queued item); the task's ctx and the future's Done channel are made only if
// someone asks for them before the task finishes. On a 2-core machine a tiny task
// costs 270 to 400 ns from Submit to a finished future when many are in flight,
// and 540 to 620 ns for one submit-and-wait round trip; most of it is the
// channel hand-off. [Map] takes about 15 ns of wall time per tiny item on two workers.
// benchmarks/ in the repository compares these with errgroup, ants, pond and conc.
//
// [the Go memory model]: https://go.dev/ref/mem
package futures
