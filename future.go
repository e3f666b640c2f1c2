package futures

import (
	"context"
	"fmt"
	"runtime"
	"runtime/trace"
	"sync/atomic"
)

// Future is the pending result of a task submitted to an [Executor].
//
// A Future is safe for concurrent use by many goroutines. It must not be copied
// after first use, and the zero value is not usable: futures come only from
// [Submit], [TrySubmit], [Executor.Go] and [Group.Submit].
//
// Every future finishes exactly once, as Succeeded, Failed or Canceled. The return
// of the task's function synchronizes before the return of [Future.Result], the
// close of the channel of [Future.Done] and the call of every [Future.OnDone]
// callback, in the sense of [the Go memory model].
//
// [the Go memory model]: https://go.dev/ref/mem
type Future[T any] struct {
	// state is the future's state word. Its low bits (stateMask) hold a State
	// or publishing; its moves are:
	//
	//	Pending ─run─▶ Running          a worker, or a task that waits on f (runHere)
	//	Pending ─claim─▶ publishing     Cancel, State or the watch when the submit
	//	                                ctx ended, ShutdownNow, a broken executor,
	//	                                or the refusal of the submission
	//	Running ─execute─▶ Succeeded/Failed    one CAS, while watchedBit is clear
	//	Running ─execute─▶ publishing   once watchedBit is set
	//	publishing ─publish─▶ Succeeded/Failed/Canceled
	//
	// Only the goroutine that moved f into Running or publishing writes value
	// and err, and before any terminal state is stored; whoever moved it into
	// publishing also closes Done and wakes the waiters (publish, under
	// extra.mu). Everyone else waits publishing out (settled), so a terminal
	// State and a closed Done are never seen one without the other.
	//
	// watchedBit is set, under extra.mu, by the first waiter of an unfinished
	// future (Done, OnDone, Wait, AsCompleted, a Result that parks): from then
	// on, finishing f takes extra.mu to tell the waiters. ctxBit is set once,
	// with it, by the first waiter that has f watch its submit ctx (watchCtx).
	// Neither bit is ever cleared.
	state atomic.Uint32
	stamp uint32 // when it was counted in, if it is timed: see clock
	fn    func(context.Context) (T, error)
	ctx   taskCtx // and, through it, the rarely needed parts (see extra)
	value T
	err   error
}

func newFuture[T any](ctx context.Context, p *pool, fn func(context.Context) (T, error), caller string) *Future[T] {
	f := &Future[T]{fn: fn}
	if trace.IsEnabled() {
		f.ctx.x.Store(&extra{trace: traceSubmit(ctx, p, caller)})
	}
	f.ctx.parent = ctx
	f.ctx.p = p
	return f
}

// Result waits for the future and returns exactly what its function returned: the
// value and the error, both, even when the error is not nil.
//
// If ctx is done first, Result returns ctx.Err() and leaves the task alone: a later
// Result still gets the outcome. A finished future's outcome wins over a done ctx,
// so Result with a canceled ctx is a non-blocking poll.
//
// A canceled future returns [ErrCanceled], [ErrShutdown] or the cause of its submit
// ctx; a panicking task returns a [*PanicError], which Result then has retrieved:
// it is not logged when the future is collected (see [PanicError]).
//
// Called from a task with the ctx that task was given, Result on a future of the
// same executor that no worker has started yet runs it at once in the caller, so a
// task that waits on tasks it submitted cannot deadlock the pool.
// Inside a task, wait with that task's ctx: a wait with context.Background (or
// any other ctx) cannot be recognised, and on a full pool it waits for a worker
// that nobody frees.
func (f *Future[T]) Result(ctx context.Context) (T, error) {
	v, err := f.result(ctx, watchCtx)
	if err != nil {
		retrieved(err, f)
	}
	return v, err
}

// result is Result. With watch, a pending future watches its submit ctx while
// Result waits; the helpers, which end their futures themselves when their ctx
// ends, pass false.
func (f *Future[T]) result(ctx context.Context, watch ctxWatch) (T, error) {
	if f.finished() {
		return f.value, f.err
	}
	if ctx == nil {
		panic("futures: Result called with a nil Context")
	}
	if err := ctx.Err(); err != nil {
		if isTerminal(f.settled()) { // a publication in progress: Done may be closed
			return f.value, f.err
		}
		var zero T
		return zero, err
	}
	if f.runInline(ctx) || f.spin() {
		return f.value, f.err
	}
	select {
	case <-f.doneChan(watch):
		f.settled()
		return f.value, f.err
	case <-ctx.Done():
		if isTerminal(f.settled()) {
			return f.value, f.err
		}
		var zero T
		return zero, ctx.Err()
	}
}

// Done returns a channel that is closed when the future finishes; the same channel
// on every call. The channel is made on the first call, so a future nobody waits on
// costs no channel.
func (f *Future[T]) Done() <-chan struct{} { return f.doneChan(watchCtx) }

// doneChan is Done; with watch, a pending future watches its submit ctx.
func (f *Future[T]) doneChan(watch ctxWatch) <-chan struct{} {
	if f.finished() && f.ctx.x.Load() == nil {
		return closedChan // no channel was handed out before
	}
	x, s := f.lockSettled(watch)
	defer x.mu.Unlock()
	if x.done == nil {
		if isTerminal(s) {
			x.done = closedChan
		} else {
			x.done = make(chan struct{})
		}
	}
	return x.done
}

// Cancel cancels the future's task and reports whether the future is
// canceled.
//
// A pending task is canceled at once and never runs: the future finishes Canceled
// with [ErrCanceled], its waiters wake and its callbacks run, and Cancel returns
// true. A running task's ctx is canceled with the cause [ErrCanceled], and the
// future ends as whatever the task then returns (usually Failed with
// [context.Canceled]); Cancel returns false. A finished future is left as it is:
// Cancel returns true if it was canceled, false otherwise.
func (f *Future[T]) Cancel() bool {
	for {
		switch s := f.state.Load() & stateMask; s {
		case uint32(Pending):
			if f.cancel(ErrCanceled) {
				return true
			}
		case uint32(Running):
			f.ctx.interrupt(&causeCanceled)
			return false
		case publishing:
			return f.settled() == uint32(Canceled)
		case uint32(Canceled):
			return true
		default:
			return false
		}
	}
}

// State returns the future's state now, and cancels a pending future whose
// submit ctx has ended (with the ctx's cause) if nothing did so yet, so a poll
// sees the work of a gone request dropped. A future may move on as soon as
// State returns, except from the terminal states Succeeded, Failed and
// Canceled.
func (f *Future[T]) State() State {
	s := f.settled()
	if s == uint32(Pending) && f.ctx.parent.Err() != nil {
		f.cancel(context.Cause(f.ctx.parent))
		s = f.settled()
	}
	return State(s)
}

// OnDone arranges for fn to run once the future finishes: at once, in the caller's
// goroutine, if it already has; else in the goroutine that finishes it (a worker,
// or the caller of [Future.Cancel] or [Executor.ShutdownNow]). Callbacks run in the
// order they were added, after the outcome is visible to [Future.Result].
//
// fn should be quick and must not block: it delays the worker that runs it (and
// a [TrySubmit] that waits for that worker to come back to the queue). A
// callback is not a task: [Submit], [Group.Submit] and [Map] in it wait for
// room like any caller outside the executor, which on a full pool may be the
// room of the very worker that runs the callback; submit from a callback with
// [TrySubmit] or [Group.TrySubmit], which then return [ErrQueueFull]. A
// panic in fn is recovered and written to the standard logger with its stack, as
// net/http does for a panicking handler; the worker and the other callbacks carry
// on. OnDone panics if fn is nil.
func (f *Future[T]) OnDone(fn func()) {
	if fn == nil {
		panic("futures: OnDone called with a nil function")
	}
	if !f.addWaiter(callback(fn), watchCtx) {
		callback(fn).wake()
	}
}

// spin gives the task a few scheduler turns to finish before Result parks: a
// tiny task then costs no channel and no wake-up. It reports whether f finished.
func (f *Future[T]) spin() bool {
	for range 4 {
		if f.finished() {
			return true
		}
		runtime.Gosched()
	}
	return f.finished()
}

// State is the stage of a future's life.
type State uint8

// The states of a future. A future starts Pending, may become Running, and ends in
// exactly one of Succeeded, Failed and Canceled.
const (
	Pending   State = iota // queued, not started
	Running                // its function is running
	Succeeded              // its function returned a nil error
	Failed                 // its function returned an error, panicked or called runtime.Goexit
	Canceled               // its function never ran
)

var stateNames = [...]string{"Pending", "Running", "Succeeded", "Failed", "Canceled"}

// String returns the state's name, such as "Running".
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", s)
}
