package futures

import (
	"context"
	"iter"
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
	addWaiter(w waiter, watch ctxWatch) bool
	removeWaiter(w waiter)
	owner() *pool
	task
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
// Called with another ctx (context.Background, say) inside a task, it can
// deadlock a full pool: pass the task's ctx.
func Wait[F Awaitable](ctx context.Context, mode WaitMode, fs ...F) (done, pending []F, err error) {
	if mode < AllCompleted || mode > FirstError {
		panic("futures: Wait called with an unknown WaitMode")
	}
	if ctx == nil {
		panic("futures: Wait called with a nil Context")
	}
	fs = distinct(fs)
	w := newCompletions(fs)
	defer w.unregister()
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
		w := newCompletions(fs)
		defer w.unregister()
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

// completions hears the futures of a list finish, by their index, without a goroutine.
type completions[F Awaitable] struct {
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

func newCompletions[F Awaitable](fs []F) *completions[F] {
	w := &completions[F]{
		fs:    fs,
		ch:    make(chan int, len(fs)),
		slots: make([]slot, len(fs)),
		heard: make([]bool, len(fs)),
	}
	for i, f := range fs {
		w.slots[i] = slot{ch: w.ch, i: i}
		if !f.addWaiter(&w.slots[i], watchCtx) {
			w.ready = append(w.ready, i)
		}
	}
	return w
}

// next returns the index of a future not returned before that has finished,
// waiting for one if need be; false if ctx is done first.
func (w *completions[F]) next(ctx context.Context) (int, bool) {
	i, ok := w.take(ctx)
	if ok {
		w.heard[i] = true
	}
	return i, ok
}

func (w *completions[F]) take(ctx context.Context) (int, bool) {
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
func (w *completions[F]) help(ctx context.Context) {
	for ; w.cur < len(w.fs); w.cur++ {
		f := w.fs[w.cur]
		if f.State() != Pending {
			continue
		}
		if p := f.owner(); p != w.asked {
			w.asked, w.inside = p, p.insideTask(ctx)
		}
		if w.inside && w.asked.runHere(f) {
			w.cur++
			return
		}
	}
}

// unregister removes the registrations on the futures not heard from.
func (w *completions[F]) unregister() {
	for i, f := range w.fs {
		if !w.heard[i] {
			f.removeWaiter(&w.slots[i])
		}
	}
}
