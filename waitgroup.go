package futures

import (
	"context"
	"iter"
	"slices"
	"sync"
)

// Awaitable is satisfied by *Future[T] for every T, so futures of different result
// types can be waited on together:
//
//	done, pending, err := futures.Wait(ctx, futures.AllCompleted, []futures.Awaitable{a, b}...)
//
// Its unexported methods keep other types out.
type Awaitable interface {
	// Done returns a channel that is closed when the future finishes.
	Done() <-chan struct{}
	// State returns the future's state now.
	State() State
	addWaiter(w waiter) bool
	removeWaiter(w waiter)
	owner() *pool
	run(t *tally) bool
}

// WaitMode says when [Wait] returns.
type WaitMode int

const (
	AllCompleted   WaitMode = iota // every future finished
	FirstCompleted                 // any future finished
	FirstError                     // any future Failed, or else every future finished
)

// Wait returns when mode is met or ctx is done (then err is ctx.Err()). done holds
// the futures finished when Wait returns and pending the others, both in the order
// of fs; a future listed twice is reported once. A future that is already finished
// counts at once, and an empty fs returns at once. A Canceled future is finished,
// not failed: FirstError does not stop for it. Wait panics on an unknown mode.
//
// Called from a task with its ctx, Wait runs pending futures of the task's own
// executor in the caller rather than wait for a worker, so it cannot deadlock.
func Wait[F Awaitable](ctx context.Context, mode WaitMode, fs ...F) (done, pending []F, err error) {
	if mode < AllCompleted || mode > FirstError {
		panic("futures: Wait called with an unknown WaitMode")
	}
	if ctx == nil {
		panic("futures: Wait called with a nil Context")
	}
	fs = distinct(fs)
	w := newWatch(fs)
	defer w.stop()
	for finished := 0; finished < len(fs); finished++ {
		if finished > 0 && mode == FirstCompleted {
			break
		}
		i, ok := w.next(ctx)
		if !ok {
			err = ctx.Err()
			break
		}
		if mode == FirstError && fs[i].State() == Failed {
			break
		}
	}
	for _, f := range fs {
		if isFinished(f.State()) {
			done = append(done, f)
		} else {
			pending = append(pending, f)
		}
	}
	return done, pending, err
}

// AsCompleted yields each distinct future of fs once, in the order they finish;
// already finished ones first, in the order of fs. It stops early when ctx is done
// (check ctx.Err() after the loop). Breaking out of the loop removes every
// registration it made on the futures. It takes time linear in len(fs) and starts
// no goroutine.
//
// Called from a task with its ctx, AsCompleted runs pending futures of the task's
// own executor in the caller rather than wait for a worker.
func AsCompleted[F Awaitable](ctx context.Context, fs ...F) iter.Seq[F] {
	if ctx == nil {
		panic("futures: AsCompleted called with a nil Context")
	}
	return func(yield func(F) bool) {
		fs := distinct(fs)
		w := newWatch(fs)
		defer w.stop()
		for range fs {
			i, ok := w.next(ctx)
			if !ok || !yield(fs[i]) {
				return
			}
		}
	}
}

func isFinished(s State) bool { return s >= Succeeded }

// distinct returns fs without repeats, keeping first places.
func distinct[F Awaitable](fs []F) []F {
	if len(fs) < 2 {
		return fs
	}
	seen := make(map[Awaitable]struct{}, len(fs))
	out := make([]F, 0, len(fs))
	for _, f := range fs {
		if _, ok := seen[f]; !ok {
			seen[f] = struct{}{}
			out = append(out, f)
		}
	}
	return out
}

// watch hears the futures of a list finish, by their index, without a goroutine.
type watch[F Awaitable] struct {
	fs     []F
	ready  []int    // finished before they could be registered, in order
	ch     chan int // indices of registered futures as they finish
	slots  []slot   // one registration per future
	heard  []bool   // the index has been returned by next
	cur    int      // where the search for a future to run inline goes on
	asked  *pool    // the executor last asked whether ctx is one of its tasks'
	inside bool     // its answer
}

// slot is a watch's registration on one future.
type slot struct {
	ch chan<- int
	i  int
}

// wake never blocks: ch has room for every future.
func (s *slot) wake() { s.ch <- s.i }

func newWatch[F Awaitable](fs []F) *watch[F] {
	w := &watch[F]{
		fs:    fs,
		ch:    make(chan int, len(fs)),
		slots: make([]slot, len(fs)),
		heard: make([]bool, len(fs)),
	}
	for i, f := range fs {
		w.slots[i] = slot{ch: w.ch, i: i}
		if !f.addWaiter(&w.slots[i]) {
			w.ready = append(w.ready, i)
		}
	}
	return w
}

// next returns the index of a future not returned before that has finished,
// waiting for one if need be; false if ctx is done first.
func (w *watch[F]) next(ctx context.Context) (int, bool) {
	i, ok := w.take(ctx)
	if ok {
		w.heard[i] = true
	}
	return i, ok
}

func (w *watch[F]) take(ctx context.Context) (int, bool) {
	if len(w.ready) > 0 {
		i := w.ready[0]
		w.ready = w.ready[1:]
		return i, true
	}
	select {
	case i := <-w.ch:
		return i, true
	default:
	}
	if ctx.Err() != nil {
		return 0, false
	}
	w.help(ctx)
	select {
	case i := <-w.ch:
		return i, true
	case <-ctx.Done():
		return 0, false
	}
}

// help runs one pending future in the caller, if ctx is a task's of its
// executor; the future then wakes its slot. Futures only leave Pending, and
// whether ctx is inside an executor does not change, so the search never goes
// back: all calls together take time linear in len(fs).
func (w *watch[F]) help(ctx context.Context) {
	for ; w.cur < len(w.fs); w.cur++ {
		f := w.fs[w.cur]
		if f.State() != Pending {
			continue
		}
		if p := f.owner(); p != w.asked {
			w.asked, w.inside = p, p.insideTask(ctx)
		}
		if w.inside && f.run(w.asked.inline()) {
			w.cur++
			return
		}
	}
}

// stop removes the registrations on the futures not heard from.
func (w *watch[F]) stop() {
	for i, f := range w.fs {
		if !w.heard[i] {
			f.removeWaiter(&w.slots[i])
		}
	}
}

// Group is structured concurrency on a shared executor: its tasks run on e with a
// ctx that is canceled when the group's ctx is, or when any of them fails; then
// the group's tasks still queued never run. It is errgroup with results, where
// the concurrency limit is the executor's, shared by every group on it.
//
// A Group is safe for concurrent use; tasks of the group may submit to it. It
// must not be copied, and the zero value is not usable: make one with [NewGroup].
type Group[T any] struct {
	p      *pool
	ctx    context.Context // the tasks' submit ctx
	cancel context.CancelCauseFunc
	wait   context.Context // ctx's values without its cancellation, for Wait

	woken sync.WaitGroup // the groupWaiters not yet run

	mu     sync.Mutex
	fs     []*Future[T]
	err    error // the first failure
	waited bool
}

// NewGroup returns an empty group whose tasks run on e under a ctx derived from
// ctx. It panics if ctx or e is nil.
func NewGroup[T any](ctx context.Context, e *Executor) *Group[T] {
	p := e.pool()
	if ctx == nil {
		panic("futures: NewGroup called with a nil Context")
	}
	gctx, cancel := context.WithCancelCause(ctx)
	return &Group[T]{p: p, ctx: gctx, cancel: cancel, wait: context.WithoutCancel(gctx)}
}

// Submit runs fn on the group's executor and returns its future. It never
// blocks on a full queue: then it runs fn at once in the caller (as Java's
// CallerRunsPolicy does), which both keeps a producer from racing ahead of the
// workers and keeps a task that submits to its own group from deadlocking. Such
// a call runs outside the workers, so without [WithWorkerInit]'s set-up.
// Once the group has failed, fn never runs: its future ends Canceled with the
// group's first error.
//
// Submit panics if fn is nil, or if it is called after [Group.Wait] returned.
func (g *Group[T]) Submit(fn func(ctx context.Context) (T, error)) *Future[T] {
	if fn == nil {
		panic("futures: Group.Submit called with a nil function")
	}
	g.mu.Lock()
	if g.waited {
		g.mu.Unlock()
		panic("futures: Group.Submit called after Group.Wait returned")
	}
	g.woken.Add(1) // before Wait can set waited, so before it waits on woken
	g.mu.Unlock()
	f := newFuture(g.ctx, g.p, fn)
	f.addWaiter(groupWaiter[T]{g, f})
	if err := g.p.submit(g.ctx, f, inline); err != nil {
		var zero T
		f.finish(Canceled, zero, err)
	}
	// Listed only now: until the executor has f, nothing but this call may
	// finish it. A task of the group that calls Submit is still running, so Wait
	// is still waiting and sees f.
	g.mu.Lock()
	g.fs = append(g.fs, f)
	g.mu.Unlock()
	return f
}

// groupWaiter tells its group when one of its futures fails.
type groupWaiter[T any] struct {
	g *Group[T]
	f *Future[T]
}

func (w groupWaiter[T]) wake() {
	if w.f.State() == Failed {
		w.g.fail(w.f.err)
	}
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
	fs := slices.Clone(g.fs)
	g.mu.Unlock()
	g.cancel(err)
	for _, f := range fs {
		f.cancel(err)
	}
}

// Wait waits for every task of the group, those its tasks submit while it waits
// included, and returns their results in the order their Submit calls returned
// (a task run in the caller comes after the tasks it submitted), or nil and the
// first error: the first failure in time, or else the error of a task that never
// ran (the group's ctx ended, or the executor shut down). When Wait returns, no task
// of the group is running, and the group's ctx is canceled.
//
// Called from a task of the same executor, with a group made from that task's
// ctx, Wait runs the group's queued tasks in the caller rather than wait for a
// worker.
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
		_, _ = f.Result(g.wait)
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
		return nil, err
	}
	out := make([]T, len(fs))
	for i, f := range fs {
		if f.err != nil {
			return nil, f.err
		}
		out[i] = f.value
	}
	return out, nil
}
