// How a future moves from Pending to its end: who may start, cancel and
// publish it, and how its waiters are told.

package futures

import (
	"context"
	"log"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// publishing is the state between Pending or Running and the terminal state
// while the outcome is written and the Done channel closed. Whoever moved the
// future into it publishes; everyone else waits it out (see settled), so that
// a terminal State and a closed Done channel are never seen one without the
// other.
const publishing = uint32(Canceled) + 1

// ctxWatch says whether a wait on a pending future makes it watch its submit
// ctx, so that it ends Canceled at once when that ctx ends (see watchCtx).
// The helpers, which end their futures themselves when their ctx ends,
// ignore it.
type ctxWatch bool

const (
	watchCtx  ctxWatch = true
	ignoreCtx ctxWatch = false
)

// watchedBit is set in the state word, under mu, by the first waiter (Done,
// OnDone, Wait, AsCompleted) of a future not finished yet, so that the one who
// finishes it takes mu only when there is someone to tell; stateMask keeps the
// state itself. A worker finishes an unwatched future with one compare-and-swap
// from Running to the terminal state, which fails once a waiter has set the bit.
//
// ctxBit is set, once, by the first waiter that asks for the future to watch
// its submit ctx (see watch).
const (
	watchedBit = 1 << 4
	ctxBit     = 1 << 5
	stateMask  = watchedBit - 1
)

// extra holds what few futures need, so that the others are smaller (a
// future is 80 bytes with an int result): what waiters of a pending future
// need, the task's real context, and its part in an execution trace. It is
// made by the first that needs it (see taskCtx.more), or at submission while
// tracing is on.
type extra struct {
	trace *traced // set at submission while tracing is on, then never changed

	mu        sync.Mutex    // guards what follows, and the watched bit's setting
	done      chan struct{} // the channel of Done, made on its first call
	waiters   []waiter
	stopWatch func() bool // stops the context.AfterFunc of a queued task's watch

	live   atomic.Bool // ctx and cancel are set, and never change again
	ctxMu  sync.Mutex  // held while making ctx, and while canceling it
	ctx    context.Context
	cancel context.CancelCauseFunc
}

// traced returns f's part in an execution trace, or nil.
func (f *Future[T]) traced() *traced {
	if x := f.ctx.x.Load(); x != nil {
		return x.trace
	}
	return nil
}

// waiter is told once that a future finished.
type waiter interface{ wake() }

// callback is a waiter made from an [Future.OnDone] function.
type callback func()

// wake runs the callback; a panic in it is logged, not spread, so that it kills
// neither the worker nor the callbacks after it.
func (fn callback) wake() {
	defer func() {
		if r := recover(); r != nil {
			log.Printf("futures: OnDone callback panicked: %v\n%s", r, debug.Stack())
		}
	}()
	fn()
}

// closedChan is the Done channel of futures that finished before anyone asked.
var closedChan = make(chan struct{})

func init() { close(closedChan) }

// settled returns the state, waiting out a publication in progress.
func (f *Future[T]) settled() uint32 {
	for {
		if s := f.state.Load() & stateMask; s != publishing {
			return s
		}
		runtime.Gosched()
	}
}

// lockSettled locks the mutex of f's extra, which it returns with the state,
// which is not publishing; if it is not terminal either, the watched bit is
// set, so whoever finishes f will take the mutex to tell the waiters. With
// watch, a pending future starts watching its submit ctx, unless it does
// already.
func (f *Future[T]) lockSettled(watch ctxWatch) (*extra, uint32) {
	x := f.ctx.more()
	x.mu.Lock()
	for {
		s := f.state.Load()
		switch m := s & stateMask; {
		case m == publishing:
			x.mu.Unlock() // the publisher may need mu
			runtime.Gosched()
			x.mu.Lock()
		case isTerminal(m):
			return x, m
		case watch == watchCtx && m == uint32(Pending) && s&ctxBit == 0:
			if f.state.CompareAndSwap(s, s|watchedBit|ctxBit) {
				f.watchCtx(x)
				return x, m
			}
		case s&watchedBit != 0 || f.state.CompareAndSwap(s, s|watchedBit):
			return x, m
		}
	}
}

func (f *Future[T]) finished() bool { return isTerminal(f.state.Load() & stateMask) }

func isTerminal(s uint32) bool { return s >= uint32(Succeeded) && s <= uint32(Canceled) }

// addWaiter registers w to be woken when f finishes; it returns false, and
// registers nothing, if f has already finished. With watch, a pending f starts
// watching its submit ctx, so that w wakes at once when that ctx ends.
func (f *Future[T]) addWaiter(w waiter, watch ctxWatch) bool {
	if f.finished() {
		return false
	}
	x, s := f.lockSettled(watch)
	defer x.mu.Unlock()
	if isTerminal(s) {
		return false
	}
	x.waiters = append(x.waiters, w)
	return true
}

// removeWaiter forgets w if f has not woken it yet.
func (f *Future[T]) removeWaiter(w waiter) {
	x := f.ctx.x.Load()
	if x == nil {
		return
	}
	x.mu.Lock()
	if i := slices.Index(x.waiters, w); i >= 0 {
		x.waiters = slices.Delete(x.waiters, i, i+1)
	}
	x.mu.Unlock()
}

// cancel finishes a pending future as Canceled with err; it reports whether it
// won the future from every other canceler and from the workers.
func (f *Future[T]) cancel(err error) bool {
	if !f.claim() {
		return false
	}
	f.unwatch()
	f.ctx.p.canceled.Add(1)
	f.cancelClaimed(err)
	return true
}

// endUnaccepted finishes a future that its executor never accepted as Canceled with
// err; nobody else can finish it.
func (f *Future[T]) endUnaccepted(err error) {
	f.claim()
	f.cancelClaimed(err)
}

// claim moves a pending future into publishing, keeping the watched bit; it
// reports false if the future is not pending.
func (f *Future[T]) claim() bool {
	for {
		s := f.state.Load()
		if s&stateMask != uint32(Pending) {
			return false
		}
		if f.state.CompareAndSwap(s, publishing|s&watchedBit) {
			return true
		}
	}
}

// cancelClaimed publishes a claimed future as Canceled with err. While it is
// publishing no waiter can register (they wait it out), so an unwatched one
// needs no lock.
func (f *Future[T]) cancelClaimed(err error) {
	var zero T
	f.record(zero, err)
	if f.state.Load()&watchedBit == 0 {
		f.state.Store(uint32(Canceled))
		return
	}
	f.publish(Canceled)
}

// record writes the outcome, before any state that shows it.
func (f *Future[T]) record(value T, err error) {
	if t := f.traced(); t != nil {
		t.task.End()
	}
	f.value, f.err = value, err
	f.fn = nil // do not keep what fn captured alive
}

// publish closes Done and stores the terminal state s together, under the
// extra's mutex, then wakes the waiters. Only the goroutine that moved a
// watched future (which has its extra) into publishing calls it, once.
func (f *Future[T]) publish(s State) {
	x := f.ctx.x.Load()
	x.mu.Lock()
	if x.done == nil {
		x.done = closedChan
	} else {
		close(x.done)
	}
	f.state.Store(uint32(s) | watchedBit)
	ws := x.waiters
	x.waiters = nil
	x.mu.Unlock()
	wakeAll(ws)
}

// wakeAll wakes ws in order. A waiter that calls runtime.Goexit (an OnDone
// callback that calls t.FailNow, say) ends the goroutine, but only once the
// waiters after it are woken.
func wakeAll(ws []waiter) {
	for i, w := range ws {
		exited := true
		func() {
			defer func() {
				if exited {
					wakeAll(ws[i+1:])
				}
			}()
			w.wake()
			exited = false
		}()
	}
}

// watchCtx has the queued future canceled at once, with the cause of its submit
// ctx, when that ctx ends before a worker starts it. It costs nothing for a ctx
// that cannot end, and is called only when someone waits on a pending future
// (see lockSettled, which holds x.mu): a future nobody waits on costs no
// registration, and State notices its ended ctx itself.
func (f *Future[T]) watchCtx(x *extra) {
	ctx := f.ctx.parent
	if ctx.Done() == nil {
		return
	}
	p := f.ctx.p
	x.stopWatch = context.AfterFunc(ctx, func() {
		// This goroutine may finish f: Shutdown waits for it as for a task.
		p.working.Add(1)
		defer p.leave()
		f.cancel(context.Cause(ctx))
	})
	// A worker that moved f out of Pending before stop was set did not see it.
	if f.state.Load()&stateMask != uint32(Pending) {
		x.stopWatch()
	}
}

// unwatch removes the watch on the submit ctx, if any, once f left Pending.
func (f *Future[T]) unwatch() {
	x := f.ctx.x.Load()
	if x == nil {
		return
	}
	x.mu.Lock()
	stop := x.stopWatch
	x.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// run is what a worker does with the future it takes from the queue: cancel it if
// its submit ctx is done or the executor refuses work, else run it unless it was
// canceled already, counting it in t. It reports whether it finished the
// future.
func (f *Future[T]) run(t *tally) bool {
	p := f.ctx.p
	for s := f.state.Load(); s&stateMask == uint32(Pending); s = f.state.Load() {
		if err := p.mayNotRun(f.ctx.parent); err != nil {
			t.discard()
			return f.cancel(err)
		}
		t.started.Add(1) // before it reads the size: see crew
		if t.fromQueue && p.crew.over() && !p.crew.holdStart(p) {
			t.started.Add(^uint64(0))
			t.discard()
			return f.cancel(p.errShutdown)
		}
		if f.state.CompareAndSwap(s, uint32(Running)|s&watchedBit) {
			f.unwatch()
			f.execute(t)
			return true
		}
		t.started.Add(^uint64(0)) // not started after all: look again
	}
	t.discard()
	return false
}

// time marks f as timed with stamp; see clock.
func (f *Future[T]) time(stamp uint32) { f.stamp = stamp }

// runInline runs f in the caller when ctx is the ctx of a task of f's executor
// and no worker has started f; it reports whether f is finished when it returns.
func (f *Future[T]) runInline(ctx context.Context) bool {
	p := f.ctx.p
	return p.insideTask(ctx) && p.runHere(f)
}

func (f *Future[T]) owner() *pool { return f.ctx.p }

// execute calls fn and finishes the future with what it returned, with a
// *PanicError if it panicked, or with ErrGoexit if it called runtime.Goexit.
func (f *Future[T]) execute(t *tally) {
	p := f.ctx.p
	var (
		value     T
		err       error
		returned  bool
		recovered bool
		start     time.Duration
	)
	if f.stamp != 0 {
		start = p.clock.now()
	}
	defer func() {
		if !returned && !recovered {
			err = p.errGoexit
		}
		f.ctx.end(&causeReturned)
		if f.stamp != 0 {
			end := p.clock.now()
			t.timed(f.stamp, start, end)
			p.clock.ran(end - start)
		}
		pe := panicked(f, err, recovered) // before anyone can read err
		if pe != nil {
			defer p.handle(pe) // once f is published, even if a callback exits
		}
		t.count(err, pe != nil)
		state := Succeeded
		if err != nil {
			state = Failed
		}
		f.record(value, err)
		if f.state.CompareAndSwap(uint32(Running), uint32(state)) {
			return // nobody waits
		}
		f.state.Store(publishing | watchedBit)
		f.publish(state)
	}()
	func() {
		defer func() {
			if !returned {
				if r := recover(); r != nil {
					err = &PanicError{Value: r, Stack: debug.Stack()}
				}
			}
		}()
		if t := f.traced(); t != nil {
			defer t.region().End()
		}
		value, err = f.fn(&f.ctx)
		returned = true
	}()
	recovered = !returned
}
