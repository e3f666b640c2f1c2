package futures

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Group is structured concurrency on a shared executor: its tasks run on e with a
// ctx that is canceled when the group's ctx is, or when any of them fails; then
// the group's tasks still queued never run. It is errgroup with results, where
// the concurrency limit is the executor's, shared by every group on it, and
// [Group.SetLimit] can cap one group below it.
//
// A Group is safe for concurrent use; tasks of the group may submit to it. It
// must not be copied, and the zero value is not usable: make one with [NewGroup].
// A Group keeps its executor alive.
type Group[T any] struct {
	e      *Executor
	ctx    context.Context // the tasks' submit ctx
	cancel context.CancelCauseFunc
	wait   context.Context // ctx's values without its cancellation, for Wait

	req        request        // its calls wait in line as one
	woken      sync.WaitGroup // the groupWaiters not yet run
	unfinished atomic.Int64   // tasks submitted and not finished

	mu     sync.Mutex
	sem    chan struct{} // SetLimit's tokens; nil: no cap
	fs     []*Future[T]
	err    error // the first failure
	waited bool
}

// NewGroup returns an empty group whose tasks run on e under a ctx derived from
// ctx. It panics if ctx or e is nil.
func NewGroup[T any](ctx context.Context, e *Executor) *Group[T] {
	e.pool()
	if ctx == nil {
		panic("futures: NewGroup called with a nil Context")
	}
	gctx, cancel := context.WithCancelCause(ctx)
	return &Group[T]{e: e, ctx: gctx, cancel: cancel, wait: context.WithoutCancel(gctx)}
}

// SetLimit caps the group's unfinished tasks at n, as errgroup's SetLimit does,
// so that one request cannot take every worker of a shared executor: a Submit
// beyond the cap waits for a task of the group to finish. A Submit called from a
// task of the executor never waits for the cap: it runs fn in the calling task,
// so a recursive group cannot deadlock. n < 0 removes the cap.
//
// SetLimit panics if n is 0, or if tasks of the group are unfinished.
func (g *Group[T]) SetLimit(n int) {
	if n == 0 {
		panic("futures: Group.SetLimit called with 0: no task could ever start")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.unfinished.Load() != 0 {
		panic("futures: Group.SetLimit called while tasks of the group are unfinished")
	}
	g.sem = nil
	if n > 0 {
		g.sem = make(chan struct{}, n)
	}
}

// Submit runs fn on the group's executor and returns its future. Like [Submit]
// it waits while the queue is full, or while the group is at its limit (see
// [Group.SetLimit]), until the group's ctx ends or the executor shuts down: then
// the future is Canceled. Called from a task of the same executor, it never
// waits: it runs fn in the caller instead. So a Group never runs more tasks at
// once than the executor has workers, and a task that submits to its group
// cannot deadlock the pool. Once the group has failed, fn never runs: its future
// ends Canceled with the group's first error.
//
// Submit knows a task of the executor by its goroutine, paid only when it
// would otherwise wait: a quarter of a microsecond from a goroutine that is no
// worker (its stack's return addresses tell), some microseconds from a worker.
//
// Submit panics if fn is nil, or if it is called after [Group.Wait] returned.
func (g *Group[T]) Submit(fn func(ctx context.Context) (T, error)) *Future[T] {
	sem, _ := g.enter("Submit", fn, waitForRoom)
	f := newFuture(g.ctx, g.e.p, fn, "Group.Submit")
	mode, err := g.acquire(sem)
	token := err == nil && mode == groupWait && sem != nil
	f.addWaiter(groupWaiter[T]{g: g, f: f, sem: sem, token: token}, ignoreCtx)
	if err == nil {
		err = g.e.p.submit(g.ctx, f, mode, &g.req)
	}
	if err != nil {
		f.endUnaccepted(err)
	}
	g.list(f)
	return f
}

// TrySubmit is [Group.Submit] that never waits and never runs fn in the
// caller, as errgroup's TryGo: at the group's limit (see [Group.SetLimit]),
// or with no room on the executor (as for [TrySubmit]: called from a worker
// between tasks, say in an OnDone callback, its own place is no room), it
// returns nil and [ErrQueueFull], and counts once in [Stats].Rejected.
// Otherwise it is Submit: after the group failed or its ctx ended, or after
// the executor shut down, it returns a future already Canceled with the cause
// and a nil error.
//
// TrySubmit panics if fn is nil, or if it is called after [Group.Wait]
// returned.
func (g *Group[T]) TrySubmit(fn func(ctx context.Context) (T, error)) (*Future[T], error) {
	p := g.e.p
	sem, ok := g.enter("TrySubmit", fn, tryOnce)
	if !ok {
		return nil, p.refuseFull()
	}
	f := newFuture(g.ctx, p, fn, "Group.TrySubmit")
	f.addWaiter(groupWaiter[T]{g: g, f: f, sem: sem, token: sem != nil}, ignoreCtx)
	err := p.submit(g.ctx, f, tryOnce, &g.req)
	if err != nil {
		f.endUnaccepted(err) // gives back the token, and the counts enter took
	}
	if p.isFull(err) {
		return nil, err
	}
	g.list(f)
	return f, nil
}

// enter counts a task of the group in, for Wait, and returns the limit's
// tokens. With tryOnce, it takes a token if the group has a limit, or else
// counts nothing and reports false; it does the same when the executor has
// no room (checked cheaply first, so that a refusal makes no future).
func (g *Group[T]) enter(method string, fn func(ctx context.Context) (T, error), mode submitMode) (chan struct{}, bool) {
	try := mode == tryOnce
	if fn == nil {
		panic("futures: Group." + method + " called with a nil function")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.waited {
		panic("futures: Group." + method + " called after Group.Wait returned")
	}
	if try && g.e.p.full(g.ctx) {
		return nil, false
	}
	if try && g.sem != nil {
		select {
		case g.sem <- struct{}{}:
		default:
			return nil, false
		}
	}
	g.woken.Add(1) // before Wait can set waited, so before it waits on woken
	g.unfinished.Add(1)
	return g.sem, true
}

// list adds f to the group's futures, for Wait. Only now: until the executor
// has f, nothing but the call that submits it may finish it. A task of the
// group that submits to it is still running, so Wait is still waiting and
// sees f.
func (g *Group[T]) list(f *Future[T]) {
	runtime.KeepAlive(g)
	g.mu.Lock()
	g.fs = append(g.fs, f)
	g.mu.Unlock()
}

// acquire takes one of the limit's tokens, waiting for one outside the
// executor's tasks; it returns inCaller instead when a task of the executor finds
// none free, and the reason when it gave up.
func (g *Group[T]) acquire(sem chan struct{}) (submitMode, error) {
	if sem == nil {
		return groupWait, nil
	}
	select {
	case sem <- struct{}{}:
		return groupWait, nil
	default:
	}
	p := g.e.p
	if p.calledFromTask() {
		return inCaller, nil
	}
	select {
	case sem <- struct{}{}:
		return groupWait, nil
	case <-g.ctx.Done():
		return groupWait, p.refuseEnded(g.ctx)
	case <-p.shutdownBegun():
		return groupWait, p.refuseShutdown()
	}
}

// groupWaiter tells its group when one of its futures finishes.
type groupWaiter[T any] struct {
	g     *Group[T]
	f     *Future[T]
	sem   chan struct{}
	token bool // f holds one of sem's tokens
}

func (w groupWaiter[T]) wake() {
	if w.f.State() == Failed {
		w.g.fail(w.f.err)
	}
	if w.token {
		<-w.sem
	}
	w.g.unfinished.Add(-1)
	w.g.woken.Done()
}

// fail records the group's first failure, cancels the group's ctx and, at once,
// the group's tasks still queued.
func (g *Group[T]) fail(err error) {
	g.mu.Lock()
	if g.err != nil {
		g.mu.Unlock()
		return
	}
	g.err = err
	g.mu.Unlock()
	g.cancel(err)
	g.drop(err)
}

// drop cancels the group's tasks not started yet with err.
func (g *Group[T]) drop(err error) {
	g.mu.Lock()
	fs := slices.Clone(g.fs)
	g.mu.Unlock()
	for _, f := range fs {
		f.cancel(err)
	}
}

// Wait waits for every task of the group, those its tasks submit while it waits
// included, and returns their results in the order their Submit calls returned
// (a task run in the caller comes after the tasks it submitted), or nil and the
// first error: the first failure in time, or else the error of a task that never
// ran (the group's ctx ended, or the executor shut down). When the group's ctx
// ends, its queued tasks end Canceled at once, so Wait waits only for the
// running ones. When Wait returns, no task of the group is running, and the
// group's ctx is canceled. Without a panic handler, the [*PanicError] of a task
// that Wait does not return (another failed first) is logged once the group's
// futures are garbage collected, unless their Result returned it.
//
// Called from a task of the same executor, with a group made from that task's
// ctx, Wait runs the group's queued tasks in the caller rather than wait for a
// worker. A group made from context.Background inside a task cannot do that,
// and its Wait can deadlock a full pool: make the group from the task's ctx.
func (g *Group[T]) Wait() ([]T, error) {
	var fs []*Future[T]
	for i := 0; ; i++ {
		g.mu.Lock()
		if i == len(g.fs) {
			g.waited = true
			fs = g.fs
			g.mu.Unlock()
			break
		}
		f := g.fs[i]
		g.mu.Unlock()
		if _, err := f.result(g.ctx, ignoreCtx); err != nil && g.ctx.Err() != nil && !f.finished() {
			g.drop(context.Cause(g.ctx))
			_, _ = f.result(g.wait, ignoreCtx)
		}
	}
	// A future's waiters run just after it finishes (and a Submit that raced
	// this Wait has added one): wait for them, so that the first failure is
	// known and no task of the group is left running.
	g.woken.Wait()
	g.cancel(context.Canceled)
	g.mu.Lock()
	err := g.err
	g.mu.Unlock()
	if err != nil {
		retrieved(err, g)
		return nil, err
	}
	out := make([]T, len(fs))
	for i, f := range fs {
		if f.err != nil {
			retrieved(f.err, g)
			return nil, f.err
		}
		out[i] = f.value
	}
	return out, nil
}
