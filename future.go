package futures

import (
	"context"
	"fmt"
	"log"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
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
	state atomic.Uint32 // a State, or claimed while a cancel writes the outcome
	fn    func(context.Context) (T, error)
	ctx   taskCtx
	value T
	err   error

	// watched is set before anyone waits on the future, so that finish takes mu
	// only when there is someone to tell.
	watched atomic.Bool
	mu      sync.Mutex
	done    chan struct{}
	waiters []waiter
}

// claimed is the internal state between Pending and Canceled while a cancel writes
// the future's error; it reads as Pending.
const claimed = uint32(Canceled) + 1

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

func newFuture[T any](ctx context.Context, p *pool, fn func(context.Context) (T, error)) *Future[T] {
	f := &Future[T]{fn: fn}
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
// ctx; a panicking task returns a [*PanicError].
//
// Called from a task with the ctx that task was given, Result on a future of the
// same executor that no worker has started yet runs it at once in the caller, so a
// task that waits on tasks it submitted cannot deadlock the pool.
func (f *Future[T]) Result(ctx context.Context) (T, error) {
	if f.finished() {
		return f.value, f.err
	}
	if ctx == nil {
		panic("futures: Result called with a nil Context")
	}
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, err
	}
	if f.runInline(ctx) || f.spin() {
		return f.value, f.err
	}
	select {
	case <-f.Done():
		return f.value, f.err
	case <-ctx.Done():
		if f.finished() {
			return f.value, f.err
		}
		var zero T
		return zero, ctx.Err()
	}
}

// Done returns a channel that is closed when the future finishes; the same channel
// on every call. The channel is made on the first call, so a future nobody waits on
// costs no channel.
func (f *Future[T]) Done() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done == nil {
		f.watched.Store(true) // before the state check: see finish
		if f.finished() {
			f.done = closedChan
		} else {
			f.done = make(chan struct{})
		}
	}
	return f.done
}

// Cancel reports whether the future is canceled.
//
// A pending task is canceled at once and never runs: the future finishes Canceled
// with [ErrCanceled], its waiters wake and its callbacks run, and Cancel returns
// true. A running task's ctx is canceled with the cause [ErrCanceled], and the
// future ends as whatever the task then returns (usually Failed with
// [context.Canceled]); Cancel returns false. A finished future is left as it is:
// Cancel returns true if it was canceled, false otherwise.
func (f *Future[T]) Cancel() bool {
	for {
		switch s := f.state.Load(); s {
		case uint32(Pending):
			if f.cancel(ErrCanceled) {
				return true
			}
		case uint32(Running):
			f.ctx.stop(&causeCanceled, true)
			return false
		case claimed, uint32(Canceled):
			return true
		default:
			return false
		}
	}
}

// State returns the future's state now. A future may move on as soon as State
// returns, except from the terminal states Succeeded, Failed and Canceled.
func (f *Future[T]) State() State {
	s := f.state.Load()
	if s == claimed {
		return Pending
	}
	return State(s)
}

// OnDone arranges for fn to run once the future finishes: at once, in the caller's
// goroutine, if it already has; else in the goroutine that finishes it (a worker,
// or the caller of [Future.Cancel] or [Executor.ShutdownNow]). Callbacks run in the
// order they were added, after the outcome is visible to [Future.Result].
//
// fn should be quick and must not block: it delays the worker that runs it. A
// panic in fn is recovered and written to the standard logger with its stack, as
// net/http does for a panicking handler; the worker and the other callbacks carry
// on. OnDone panics if fn is nil.
func (f *Future[T]) OnDone(fn func()) {
	if fn == nil {
		panic("futures: OnDone called with a nil function")
	}
	if !f.addWaiter(callback(fn)) {
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

func (f *Future[T]) finished() bool {
	s := f.state.Load()
	return s >= uint32(Succeeded) && s <= uint32(Canceled)
}

// addWaiter registers w to be woken when f finishes; it returns false, and
// registers nothing, if f has already finished.
func (f *Future[T]) addWaiter(w waiter) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.watched.Store(true) // before the state check: see finish
	if f.finished() {
		return false
	}
	f.waiters = append(f.waiters, w)
	return true
}

// removeWaiter forgets w if f has not woken it yet.
func (f *Future[T]) removeWaiter(w waiter) {
	f.mu.Lock()
	if i := slices.Index(f.waiters, w); i >= 0 {
		f.waiters = slices.Delete(f.waiters, i, i+1)
	}
	f.mu.Unlock()
}

// cancel finishes a pending future as Canceled with err; it reports whether it
// won the future from every other canceler and from the workers.
func (f *Future[T]) cancel(err error) bool {
	if !f.state.CompareAndSwap(uint32(Pending), claimed) {
		return false
	}
	f.ctx.p.canceled.Add(1)
	var zero T
	f.finish(Canceled, zero, err)
	return true
}

// finish publishes the outcome, then wakes whoever waits. Only the goroutine that
// moved the future out of Pending calls it, once.
//
// A waiter sets watched before it reads the state, and finish stores the state
// before it reads watched, so either finish sees the waiter or the waiter sees the
// future finished.
func (f *Future[T]) finish(s State, value T, err error) {
	f.value, f.err = value, err
	f.fn = nil // do not keep what fn captured alive
	f.state.Store(uint32(s))
	if !f.watched.Load() {
		return
	}
	f.mu.Lock()
	switch f.done {
	case nil:
		f.done = closedChan
	case closedChan:
	default:
		close(f.done)
	}
	ws := f.waiters
	f.waiters = nil
	f.mu.Unlock()
	for _, w := range ws {
		w.wake()
	}
}

// run is what a worker does with the future it takes from the queue: cancel it if
// its submit ctx is done or the executor refuses work, else run it unless it was
// canceled or claimed already, counting it in t. It reports whether it finished
// the future.
func (f *Future[T]) run(t *tally) bool {
	if f.state.Load() != uint32(Pending) {
		return false
	}
	if err := f.ctx.p.refusal(f.ctx.parent); err != nil {
		return f.cancel(err)
	}
	if !f.state.CompareAndSwap(uint32(Pending), uint32(Running)) {
		return false
	}
	f.execute(t)
	return true
}

// runInline runs f in the caller when ctx is the ctx of a task of f's executor
// and no worker has started f; it reports whether f is finished when it returns.
func (f *Future[T]) runInline(ctx context.Context) bool {
	p := f.ctx.p
	return p.insideTask(ctx) && f.run(p.inline())
}

func (f *Future[T]) owner() *pool { return f.ctx.p }

// execute calls fn and finishes the future with what it returned, with a
// *PanicError if it panicked, or with ErrGoexit if it called runtime.Goexit.
func (f *Future[T]) execute(t *tally) {
	t.started.Add(1)
	var (
		value     T
		err       error
		returned  bool
		recovered bool
	)
	defer func() {
		if !returned && !recovered {
			err = ErrGoexit
		}
		f.ctx.stop(&causeReturned, false)
		t.count(err, recovered)
		state := Succeeded
		if err != nil {
			state = Failed
		}
		f.finish(state, value, err)
	}()
	func() {
		defer func() {
			if !returned {
				if r := recover(); r != nil {
					err = &PanicError{Value: r, Stack: debug.Stack()}
				}
			}
		}()
		value, err = f.fn(&f.ctx)
		returned = true
	}()
	recovered = !returned
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
