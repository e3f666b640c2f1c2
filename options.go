package futures

import "time"

// Option configures an [Executor]; pass options to [New].
type Option func(*config)

type config struct {
	queue  int // -1: the default
	init   func(worker int) error
	name   string
	idle   time.Duration
	exit   func(worker int)
	panics func(*PanicError)
}

// DefaultQueueSize is the capacity of an executor's task queue when [WithQueueSize]
// is not given, unless the executor has more workers than this; then the queue
// holds as many tasks as there are workers. It is deep enough that the fan-out of
// one request rarely blocks, and shallow enough that a producer that outruns the
// workers is held back by [Submit] instead of buffering without end. Deeper
// queues measured slower, too: a submitter blocked on a full queue leaves the
// processors to the workers instead of contending with them for the queue.
const DefaultQueueSize = 256

func (c config) queueSize(workers int) int {
	if c.queue >= 0 {
		return c.queue
	}
	return max(DefaultQueueSize, workers)
}

// WithQueueSize sets the capacity of the task queue: how many submitted tasks may
// wait for a worker before [Submit] blocks and [TrySubmit] fails. With 0, every
// Submit hands its task straight to an idle worker. It panics if n is negative.
func WithQueueSize(n int) Option {
	if n < 0 {
		panic("futures: WithQueueSize called with a negative size")
	}
	return func(c *config) { c.queue = n }
}

// WithWorkerInit sets a function that each worker runs once as it starts, before
// its first task, with the worker's number from 0 to workers-1; use it for
// per-worker set-up such as a connection. If fn returns an error or panics, the
// executor is broken: the tasks it has queued, and every task submitted later,
// end Canceled with an error that matches both [ErrBroken] and fn's error, and
// shutdown still drains and returns. It panics if fn is nil.
func WithWorkerInit(fn func(worker int) error) Option {
	if fn == nil {
		panic("futures: WithWorkerInit called with a nil function")
	}
	return func(c *config) { c.init = fn }
}

// WithName names the executor: its workers carry the pprof labels
// futures.executor=name and futures.worker=N, so profiles show which pool did the
// work; its tasks appear in execution traces as name.Submit, name.Map and so
// on; and every error it makes ([ErrShutdown], [ErrQueueFull], [ErrBroken],
// [ErrGoexit], [ErrShutdownInTask]) names it, while [errors.Is] still matches
// the sentinel. The named errors are made once, in [New], so a refusal costs
// no allocation.
func WithName(name string) Option {
	return func(c *config) { c.name = name }
}

// WithIdleTimeout retires workers that the load does not need: a worker that
// waited d for a task with none coming exits, and a later submission starts
// one again, as on a new executor (running [WithWorkerInit] again). Idle
// workers wait in a stack, the most recently idle first, so a steady trickle
// that one worker can serve goes to that worker, and the others retire within
// about d. With d <= 0, the default, workers stay until shutdown.
func WithIdleTimeout(d time.Duration) Option {
	return func(c *config) { c.idle = d }
}

// WithWorkerExit sets a function that each worker runs as it exits, retired by
// [WithIdleTimeout] or [Executor.Resize] or at shutdown, after its last task,
// with the same number its [WithWorkerInit] function got: the place to close
// what that function opened. A panic in fn is recovered and written to the
// standard logger. It panics if fn is nil.
func WithWorkerExit(fn func(worker int)) Option {
	if fn == nil {
		panic("futures: WithWorkerExit called with a nil function")
	}
	return func(c *config) { c.exit = fn }
}

// WithPanicHandler sets a function called with the [*PanicError] of every panic
// in code the executor runs for users: a task wherever it runs (on a worker, or
// in a task that runs it in itself), a [Map] or [MapSeq] item, a [Group] task.
// It is called once a panic, in the goroutine that ran the code: for a task,
// after its future has finished (its Done channel is closed and its
// [Future.OnDone] callbacks have run), and the future still fails with the
// same *PanicError; for a Map item, which has no future, once the item has
// failed, after the task that ran it has finished. Each panic also counts in
// [Stats].Panicked, a Map item's included.
//
// fn must be quick and must not block: like a callback, it holds up the
// worker that runs it. [Executor.Shutdown] returns only after every call of
// fn has returned. A panic in fn is recovered and written to the standard
// logger with its stack; a fn that calls [runtime.Goexit] ends its goroutine
// (a worker is replaced, as for a task that calls it) but not the executor's
// counts. It panics if fn is nil.
//
// Without a handler a panic is not silent either: one that nothing retrieves
// is written to the standard logger (see [PanicError]). With one, nothing is
// logged: the handler has seen every panic.
func WithPanicHandler(fn func(*PanicError)) Option {
	if fn == nil {
		panic("futures: WithPanicHandler called with a nil function")
	}
	return func(c *config) { c.panics = fn }
}
