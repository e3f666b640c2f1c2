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
// On Go 1.27 and later the same calls are also methods: e.Submit(ctx, fn),
// e.TrySubmit, e.Map, e.MapSeq and e.TryMap, each exactly its function.
//
// # Goroutines
//
// An executor owns exactly its workers. [New] starts none: a submission that
// finds no idle worker starts one, until the executor's size is reached, and
// they stay until shutdown ([Stats] counts them as Started), or, with
// [WithIdleTimeout], until the load no longer needs them. [Executor.Resize]
// changes the size while the executor runs. [Executor.Shutdown] returns nil
// only once every worker has exited and no task of the executor runs
// anywhere. The package starts no other goroutine of its own: not per task,
// not per waiter, not per helper call. [AsCompleted] and [Wait] register on
// the futures and are woken by the worker that finishes them; [MapSeq] waits
// for its in-flight tasks before its loop ends, even when the loop breaks. The
// one exception is brief: when the ctx of a queued task that someone waits on
// ends, [context.AfterFunc] runs the cancel of its future in a goroutine of
// its own, which returns at once (and which Shutdown waits for). An executor
// stays alive while anything uses it (a blocked Submit, a [Group]); one that
// becomes unreachable without being shut down is shut down by the garbage
// collector, and its queued tasks still run.
//
// # The bound
//
// An executor's size is a hard bound on how many of its tasks run at once,
// wherever they run: size it by what the backends behind it can take. A
// goroutine that is not one of its tasks never runs its tasks; only a task of
// the executor may run another in itself (see Nested tasks), and it waits for
// it meanwhile. [Group.SetLimit] caps one group below the executor's size, so
// one request cannot take every worker of a shared executor.
//
// # Cancellation
//
// The ctx given to Submit flows into the task: the task's ctx carries its values
// and deadline, and is canceled when the submit ctx is, when the future is
// canceled ([Future.Cancel]), by [Executor.ShutdownNow], and once the task
// returns (do not keep it). A queued task whose submit ctx ends never runs: its
// future ends Canceled with [context.Cause] of that ctx at once, waking its
// waiters, even while every worker is busy, so the work of a request that has
// gone away is dropped, not done, and its handler is not held up. [Map],
// [MapSeq] and [Group.Wait] whose ctx ends return at once too, waiting only for
// their running tasks. [Executor.ShutdownNow] ends every queued future at once.
//
// A task submitted with its parent task's ctx is canceled when the parent
// returns, as in errgroup, silently if nobody waits for it: wait for it first,
// or, for work the parent only starts (a crawler's next pages), submit it to a
// [Group] that outlives the parent and wait on the group.
//
// A pending future that is canceled never runs. A running one is asked to stop
// through its ctx (cause [ErrCanceled]) and ends with whatever it returns; Go
// cannot stop a goroutine from outside, so a task that ignores its ctx runs on.
//
// # Errors and panics
//
// Result returns exactly what the function returned. A task that panics fails
// with a [*PanicError] that holds the value and the stack; the worker recovers and
// goes on, so one bad task neither kills the process nor shrinks the pool. No
// panic is silent: [WithPanicHandler] hands every one, a [Map] item's
// included, to a function of yours (to report it to an error tracker, say),
// and without a handler a panic that nothing retrieved (with Result,
// Group.Wait, Map or MapSeq) is written to the standard logger, once its
// future is garbage collected (see [PanicError]). A task
// that calls [runtime.Goexit] fails with [ErrGoexit], and a new worker takes the
// place of the one that exited. A worker init function ([WithWorkerInit]) that
// fails, panics or calls runtime.Goexit breaks the executor: it is never rerun
// to try again. The errors of an executor named with [WithName] name it, and
// still match their sentinel with [errors.Is].
//
// # Blocking and backpressure
//
// The queue is a buffered channel ([DefaultQueueSize], or [WithQueueSize]).
// Submit and [Group.Submit] block while it is full and give up when their ctx
// ends or shutdown begins. Blocked submissions wait in line, and a burst is
// served in about arrival order: a request that has started (a [Map], a
// [MapSeq], the tasks of one [Group]) goes before the requests that have
// not, the one that arrived first first, so its fan-out is not interleaved
// call by call with every other request's, and the median request of a burst
// ends near the middle of the burst, not at its end. It keeps its place for
// as many calls as the executor has workers, then waits at the back; each
// plain Submit is a request of its own. The Try calls shed load instead: [TrySubmit] and
// [Group.TrySubmit] admit exactly as many unfinished tasks as the executor has
// workers plus queue slots, and [TryMap] admits a whole fan-out or none of it,
// so a saturated service can answer 503 at once. They never wait for a task,
// nor for the goroutine that calls them: from an OnDone callback on a worker
// whose own place is the only room, they return [ErrQueueFull]. Nothing else
// blocks but the waits: Result, Wait, AsCompleted, the helpers, and Shutdown.
//
// # Operating an executor
//
// [Executor.Stats] is what a dashboard polls: gauges of workers, running and
// queued tasks, and counters that only grow (tasks submitted, succeeded,
// failed, panicked, canceled and rejected; the time tasks waited in the queue
// and ran), so each can be exported as a Prometheus counter; the module
// github.com/seed72edde46/futures/futuresprom does so. Size a pool by its
// queue time: a mean wait that grows means the backends behind it are not the
// bottleneck, the pool is. [Executor.Resize] applies a new size from a config
// reload; [WithIdleTimeout] gives back the goroutines of a burst;
// [WithWorkerExit] closes what [WithWorkerInit] opened; [WithPanicHandler]
// reports panics; [WithName] names the pool in profiles, traces and errors.
//
// # Nested tasks
//
// A task that submits to its own executor and waits for the result would
// deadlock a full pool in most pools (the workers all wait for tasks that no
// worker is left to run). Here it cannot, as long as the task passes the ctx it
// was given: Result, Wait, AsCompleted, Map, MapSeq and a Group made from that
// ctx run a pending task of the same executor in the waiting task itself, and
// Submit runs the task in place when it would wait for room (the queue is full,
// or others wait in line). [Group.Submit], which takes no ctx, knows a task of
// its executor by the calling goroutine and runs the task in it when it would
// wait for room or the group is at its limit. Shutdown
// called from a task returns [ErrShutdownInTask] instead of waiting for itself.
//
// The trap: a task that waits with context.Background (or any ctx but its own)
// cannot be recognised, and on a full pool it waits for a worker that no one
// frees. The fix is one word: f.Result(ctx), with the task's ctx.
//
// # Memory model
//
// The return of a task's function synchronizes before the return of
// [Future.Result] that reports it, before the close of the channel of
// [Future.Done], and before every [Future.OnDone] callback. By the time anything
// reports a future finished (Result returns, Wait lists it as done, AsCompleted
// yields it, a callback runs, Cancel returns true), its State is terminal and
// its Done channel is closed; and a terminal State is never seen with Done
// open, nor a closed Done with a State that is not terminal. See
// [the Go memory model].
//
// # Cost
//
// A task costs one allocation: the future, 80 bytes for an int result, which is
// the queued item, and one send and one receive on the queue channel; a worker
// that waits for a task is woken by the send that hands it one. What few
// futures need (the task's real ctx, the Done channel, the waiters, the watch
// on a queued future's ctx) is made only when someone asks for it before the
// task finishes: one more allocation that holds them all, beside the channel
// or context itself. A Result that finds its task unfinished spins a few
// scheduler turns before it parks, so a tiny task costs no wake-up of the
// waiter. The times in Stats are read from the clock for one task in 16 while
// tasks are tiny, and for every task once they take 50 µs or more (see
// [Stats]). [Map] makes no future per item: it submits one task per worker,
// each taking runs of items. The README gives measured times beside
// errgroup, ants, pond and conc.
//
// # Tracing
//
// With runtime/trace on, each task is a trace task named after its executor
// ([WithName], or "futures") and the call that submitted it ("db.Submit",
// "db.Map", "db.Group.Submit"), from submission to its end, with a region
// "futures.run" while it runs: go tool trace shows each task's wait in the
// queue and its run time. With tracing off it costs one check per submission.
//
// [the Go memory model]: https://go.dev/ref/mem
package futures
