package futures

import (
	"context"
	"runtime"
)

// Executor is a fixed-size pool of worker goroutines that run submitted tasks
// from one bounded queue, first in, first out. Its size is a hard bound: no
// more of its tasks run at once than it has workers, wherever they run.
//
// An Executor is safe for concurrent use; create one with [New], share it, and
// shut it down with [Executor.Shutdown], [Executor.ShutdownNow] or
// [Executor.Close]. The workers are the executor's own: Shutdown returns nil only
// once every one of them has exited and no task of it runs anywhere. An Executor
// stays alive while anything uses it (a blocked Submit, a [Group]); one that
// becomes unreachable without being shut down is shut down by the garbage
// collector (its queued tasks still run), but only Shutdown says when that is
// done.
type Executor struct {
	p *pool
}

// New makes an executor of at most workers workers that consume a buffered task
// channel of [DefaultQueueSize] slots (see [WithQueueSize]). Workers start on
// demand, as Python's threads do: a submission that finds no idle worker
// starts one, until there are workers; then they stay until shutdown. A new
// executor costs no goroutine. New panics if workers < 1.
//
// For I/O-bound tasks, size the pool by how many calls the services behind them
// should see at once (tens to hundreds of workers cost little: a goroutine
// each); for CPU-bound tasks, use runtime.GOMAXPROCS(0).
func New(workers int, opts ...Option) *Executor {
	if workers < 1 {
		panic("futures: New called with fewer than 1 worker")
	}
	c := config{queue: -1}
	for _, opt := range opts {
		if opt == nil {
			panic("futures: New called with a nil Option")
		}
		opt(&c)
	}
	p := newPool(workers, c)
	e := &Executor{p: p}
	runtime.AddCleanup(e, (*pool).beginShutdown, p)
	return e
}

func (e *Executor) pool() *pool {
	if e == nil {
		panic("futures: nil *Executor")
	}
	return e.p
}

// Submit schedules fn on e and returns its future at once. It blocks only while
// the queue is full (backpressure), in line with the other blocked submissions
// (see the package doc), and gives up when ctx is done or the executor
// shuts down; then the returned future is already Canceled and its error says
// why: the cause of ctx ([context.Cause]), [ErrShutdown], or an [ErrBroken] error.
//
// The ctx passed to fn carries ctx's values and deadline, and is canceled when ctx
// is, when the future is canceled ([Future.Cancel]), by [Executor.ShutdownNow],
// and once fn returns: do not keep it. A task whose ctx is done before a worker
// reaches it never runs; its future ends Canceled with the cause of ctx.
//
// A queued task whose ctx ends finishes Canceled at once, with the cause of ctx,
// and its waiters wake, even while every worker is busy. The cost is paid only
// where it buys something: a future that someone waits on while it is queued
// (Result, Done, OnDone, Wait, AsCompleted) registers with [context.AfterFunc]
// and unregisters when it starts; one that nobody waits on costs nothing, and
// its State reports it Canceled as soon as ctx has ended (a worker that reaches
// it discards it). A ctx that cannot end costs nothing either way.
//
// A task that submits to its own executor must pass the ctx it was given: then a
// Submit that finds the queue full runs fn at once in the calling task instead of
// blocking, so nested work cannot deadlock the pool. A child submitted with its
// parent task's ctx is canceled when the parent returns; a child the parent does
// not wait for needs another ctx (or a [Group] that outlives the parent).
//
// Submit panics if ctx, e or fn is nil.
func Submit[T any](ctx context.Context, e *Executor, fn func(ctx context.Context) (T, error)) *Future[T] {
	return submitIn(ctx, e, fn, "Submit", waitForRoom, nil)
}

// submitIn is Submit for caller, which names the task in execution traces,
// in mode, as a call of r (nil: a request of its own).
func submitIn[T any](ctx context.Context, e *Executor, fn func(ctx context.Context) (T, error), caller string, mode submitMode, r *request) *Future[T] {
	f := prepare(ctx, e, fn, caller)
	if err := f.ctx.p.submit(ctx, f, mode, r); err != nil {
		f.endUnaccepted(err)
	}
	runtime.KeepAlive(e) // a Submit blocked on a full queue uses e
	return f
}

// TrySubmit is Submit that never waits for a task: it accepts the task while a
// worker is idle (or not started yet) or the queue has room, so with nothing
// canceled it admits exactly e.Workers() + queue size unfinished tasks (a
// canceled task keeps its place until a worker discards it). A worker's place
// is free again as soon as its task has finished, before the future's OnDone
// callbacks run. Otherwise TrySubmit returns a nil future and [ErrQueueFull]
// (counted in [Stats].Rejected); [ErrShutdown] after shutdown began, the
// cause of ctx when ctx is done, or an [ErrBroken] error when the executor is
// broken. It panics if ctx, e or fn is nil.
//
// An admitted task may wait a moment for a worker to come back to the queue:
// OnDone callbacks and the panic handler ([WithPanicHandler]) delay their
// worker's return, which is why they must be quick. TrySubmit never waits for
// the goroutine that calls it: called from a callback on a worker whose own
// place is the only room, it returns ErrQueueFull.
func TrySubmit[T any](ctx context.Context, e *Executor, fn func(ctx context.Context) (T, error)) (*Future[T], error) {
	if p := e.pool(); ctx != nil && fn != nil && p.full(ctx) {
		return nil, p.countRejected(p.errQueueFull) // without making a future
	}
	f := prepare(ctx, e, fn, "TrySubmit")
	err := f.ctx.p.submit(ctx, f, tryOnce, nil)
	runtime.KeepAlive(e)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Go is [Submit] for work with no result.
func (e *Executor) Go(ctx context.Context, fn func(ctx context.Context) error) *Future[struct{}] {
	if fn == nil {
		panic("futures: Go called with a nil function")
	}
	return Submit(ctx, e, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
}

// prepare checks a submission's arguments and makes its future.
func prepare[T any](ctx context.Context, e *Executor, fn func(context.Context) (T, error), caller string) *Future[T] {
	p := e.pool()
	if ctx == nil {
		panic("futures: " + caller + " called with a nil Context")
	}
	if fn == nil {
		panic("futures: " + caller + " called with a nil function")
	}
	return newFuture(ctx, p, fn, caller)
}

// Shutdown stops accepting tasks, lets queued and running tasks finish, and waits
// for the workers to exit or for ctx to be done (then it returns ctx.Err() and the
// drain goes on in the background). A Submit blocked on a full queue returns at
// once with a future Canceled with [ErrShutdown]. Shutdown is safe to call more
// than once and from many goroutines; each call waits.
//
// Shutdown returns nil only when no task of e runs anywhere: a task run in a
// caller's goroutine (nested work, or a [Group]'s) counts as much as one on a
// worker. Called from a task of e, Shutdown begins the shutdown and returns
// [ErrShutdownInTask] at once, since a task cannot wait for its own worker.
func (e *Executor) Shutdown(ctx context.Context) error {
	return e.pool().shutdown(ctx, letRun)
}

// ShutdownNow is Shutdown that also cancels every queued task at once (its
// future ends Canceled with [ErrShutdown] and its waiters wake, even while every
// worker is busy) and cancels the ctx of every running task (cause
// ErrShutdown). Tasks that ignore their ctx still run to the end.
func (e *Executor) ShutdownNow(ctx context.Context) error {
	return e.pool().shutdown(ctx, interrupt)
}

// Close is Shutdown(context.Background()); it makes `defer e.Close()` the Go
// spelling of Python's `with ThreadPoolExecutor(...) as executor:`.
func (e *Executor) Close() error {
	return e.Shutdown(context.Background())
}

// Workers returns the executor's size: the most workers it runs.
func (e *Executor) Workers() int { return int(e.pool().crew.size.Load()) }

// Name returns the name given with [WithName], or "".
func (e *Executor) Name() string { return e.pool().name }

// Resize changes the executor's size to n workers while it runs, as a service
// does from a config reload.
//
// Growing takes effect at once: workers start for the queued tasks and the
// Submits waiting for room. Shrinking lets the running tasks
// finish, and retires workers as they come back to the queue: from when Resize
// returns, no task starts in a goroutine of its own (a worker, or a caller
// that is not a task) while n or more tasks run. A running task still runs its
// own children in itself, as nested calls do (see [Submit]): that adds no
// concurrency. [Executor.Workers] and [Stats].Workers report n at once, while
// [Stats].Started and Running may stay above it until the surplus has
// finished its tasks (an idle surplus worker retires when it next takes a
// task, or after [WithIdleTimeout]). The queue's capacity does not change,
// and a [Map] or [MapSeq] already running keeps its runners.
//
// Resize panics if n < 1. After shutdown began it only records n.
func (e *Executor) Resize(n int) {
	if n < 1 {
		panic("futures: Resize called with fewer than 1 worker")
	}
	p := e.pool()
	p.crew.resize(p, n)
}
