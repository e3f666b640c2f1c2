package futures

import (
	"context"
	"fmt"
	"iter"
	"runtime/debug"
	"strconv"
	"sync/atomic"
)

// IndexError is the error [Map] returns when fn fails for one of its inputs.
type IndexError struct {
	Index int   // the input's index
	Err   error // what fn returned, or a *PanicError
}

// Error names the index and the cause. For a Map inside a Map whose item
// returned the inner Map's error as it was, the indices read as a path, outer
// first: "futures: Map item 3/1: leaf failed".
func (e *IndexError) Error() string {
	b := []byte("futures: Map item ")
	b = strconv.AppendInt(b, int64(e.Index), 10)
	err := e.Err
	for inner, ok := err.(*IndexError); ok; inner, ok = err.(*IndexError) {
		b = strconv.AppendInt(append(b, '/'), int64(inner.Index), 10)
		err = inner.Err
	}
	return string(b) + ": " + fmt.Sprint(err)
}

// Unwrap returns the cause.
func (e *IndexError) Unwrap() error { return e.Err }

// Map runs fn over inputs on e and returns the results in input order. On the
// first failure in time it cancels the items not yet finished (those not started
// never run), waits for the running ones to return, and returns nil and an
// [*IndexError] that names the item's index and wraps the cause. If ctx is done
// before every item succeeded, Map returns nil and ctx.Err() at once, whatever
// the workers are doing: its items not started never run, and it waits only for
// those running, whose ctx is canceled.
//
// Map does not make a future per item: it submits one task per worker (at most
// len(inputs)), and each takes runs of indices until none is left, so an item
// costs nanoseconds, not a task, on top of fn. Called from a task with its ctx,
// Map runs its tasks in the caller when no worker is free, so a Map inside a
// Map cannot deadlock.
//
// A panic in fn fails its item with a [*PanicError], counted in
// [Stats].Panicked (the task that ran the item fails) and handed to the panic
// handler ([WithPanicHandler]). Without a handler, an item's panic that Map
// does not return (another item failed first, or ctx ended) is written to the
// standard logger as Map returns.
//
// Map panics if ctx, e or fn is nil.
func Map[In, Out any](ctx context.Context, e *Executor, inputs []In, fn func(ctx context.Context, in In) (Out, error)) ([]Out, error) {
	p := e.pool()
	if ctx == nil || fn == nil {
		panic("futures: Map called with a nil Context or function")
	}
	return mapOn(ctx, e, inputs, fn, min(len(inputs), p.size()), waitForRoom)
}

// mapOn is Map with n runners, submitted in mode: TryMap's have their places
// counted already.
func mapOn[In, Out any](ctx context.Context, e *Executor, inputs []In, fn func(ctx context.Context, in In) (Out, error), n int, mode submitMode) ([]Out, error) {
	out := make([]Out, len(inputs))
	if len(inputs) == 0 {
		return out, nil
	}
	mctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	runners := make([]*Future[struct{}], n)
	m := &mapper[In, Out]{in: inputs, out: out, fn: fn, cancel: cancel, runners: n}
	for r := range runners {
		runners[r] = submitIn(mctx, e, m.run, "Map", mode, &m.req)
	}
	awaitAll(ctx, runners)
	var runErr error
	for _, f := range runners {
		if f.err != nil && runErr == nil {
			runErr = f.err
		}
	}
	failed := m.failed.Load()
	var err error
	switch {
	case failed == nil && runErr == nil:
		return out, nil
	case ctx.Err() != nil:
		err = ctx.Err()
	case failed != nil:
		err = failed
	default: // a runner was refused (shutdown) or called runtime.Goexit
		err = runErr
	}
	logUnreturned(e.p, runners, err)
	return nil, err
}

// awaitAll waits for every future of fs. If ctx ends first, it cancels those
// not started at once and waits only for the running ones, which see their ctx
// canceled.
func awaitAll[T any](ctx context.Context, fs []*Future[T]) {
	for _, f := range fs {
		if _, err := f.result(ctx, ignoreCtx); err != nil && ctx.Err() != nil {
			for _, f := range fs {
				f.cancel(context.Cause(ctx))
			}
			break
		}
	}
	wait := context.WithoutCancel(ctx) // never gives up, but can run tasks inline
	for _, f := range fs {
		_, _ = f.result(wait, ignoreCtx)
	}
}

// mapper hands out the indices of a Map's inputs to its runners.
type mapper[In, Out any] struct {
	req     request // its runners wait in line as one
	in      []In
	out     []Out
	fn      func(context.Context, In) (Out, error)
	runners int
	next    atomic.Int64 // the first index not handed out
	failed  atomic.Pointer[IndexError]
	cancel  context.CancelCauseFunc
}

// grab hands out the next run of indices [lo, hi), empty when none is left.
// Runs shrink as the inputs run out (guided self-scheduling): long runs at the
// start keep the runners off each other's counter and cache lines, short ones
// at the end keep them all busy to the last item.
func (m *mapper[In, Out]) grab() (lo, hi int) {
	n := int64(len(m.in))
	for {
		next := m.next.Load()
		if next >= n {
			return int(n), int(n)
		}
		size := max(1, (n-next)/int64(4*m.runners))
		if m.next.CompareAndSwap(next, next+size) {
			return int(next), int(next + size)
		}
	}
}

// run is one runner: it maps inputs until none is left, the Map's ctx is
// canceled, or an item fails.
func (m *mapper[In, Out]) run(ctx context.Context) (struct{}, error) {
	for {
		lo, hi := m.grab()
		if lo == hi {
			return struct{}{}, nil
		}
		for i := lo; i < hi; i++ {
			if ctx.Err() != nil {
				return struct{}{}, context.Cause(ctx)
			}
			v, panicked, err := m.call(ctx, i)
			if err != nil {
				return struct{}{}, m.fail(i, err, panicked)
			}
			m.out[i] = v
		}
	}
}

// call runs fn on item i, turning a panic into a *PanicError.
func (m *mapper[In, Out]) call(ctx context.Context, i int) (v Out, panicked bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			panicked, err = true, &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	v, err = m.fn(ctx, m.in[i])
	return v, false, err
}

// fail records that item i failed with err, and cancels the Map if it is the
// first failure. It returns the runner's error: for an item that panicked,
// an itemPanic, which counts the runner as panicked and hands the panic to
// the executor's panic handler once the runner has finished.
func (m *mapper[In, Out]) fail(i int, err error, panicked bool) error {
	ie := &IndexError{Index: i, Err: err}
	if m.failed.CompareAndSwap(nil, ie) {
		m.cancel(ie)
	}
	if panicked {
		return itemPanic{ie}
	}
	return ie
}

// window is how many items [MapSeq] keeps in flight per worker.
const window = 2

// MapSeq is the lazy, streaming Map: it pulls inputs only as a window of
// 2 × e.Workers() in-flight tasks allows, yields each
// (result, error) in input order, and goes on after an item's error. Inputs may
// be infinite.
//
// Breaking out of the loop cancels the in-flight tasks and waits for them before
// the loop statement ends. When ctx ends, the sequence cancels the in-flight tasks
// too, yields (zero, ctx.Err()) once and stops. An item whose task returns a ctx
// error of its own (say, its own deadline) is only that item's error.
//
// An item whose fn panics yields a [*PanicError], which the panic handler
// ([WithPanicHandler]) sees too. Without a handler, one that the loop never
// got (it broke out first, or ctx ended) is logged once its task is garbage
// collected, as [PanicError] says.
//
// Called from a task with its ctx, MapSeq runs items in the caller when no worker
// is free. MapSeq panics if ctx, e, inputs or fn is nil.
func MapSeq[In, Out any](ctx context.Context, e *Executor, inputs iter.Seq[In], fn func(ctx context.Context, in In) (Out, error)) iter.Seq2[Out, error] {
	p := e.pool()
	if ctx == nil || inputs == nil || fn == nil {
		panic("futures: MapSeq called with a nil Context, sequence or function")
	}
	return func(yield func(Out, error) bool) {
		s := &stream[Out]{ring: make([]*Future[Out], window*p.size())}
		var req request // its items wait in line as one
		mctx, cancel := context.WithCancelCause(ctx)
		defer s.abandon(cancel)
		for in := range inputs {
			if ctx.Err() != nil || s.full() && !s.emit(ctx, yield) {
				break
			}
			s.push(submitIn(mctx, e, func(ctx context.Context) (Out, error) { return fn(ctx, in) }, "MapSeq", waitForRoom, &req))
		}
		for !s.broken && s.n > 0 && s.emit(ctx, yield) {
		}
		if ctx.Err() != nil && !s.broken {
			s.abandon(cancel)
			var zero Out
			yield(zero, ctx.Err())
		}
	}
}

// stream is MapSeq's window: a ring of the in-flight futures, oldest first.
type stream[Out any] struct {
	ring    []*Future[Out]
	head, n int
	broken  bool // the consumer broke out of the loop
}

func (s *stream[Out]) full() bool { return s.n == len(s.ring) }

func (s *stream[Out]) push(f *Future[Out]) {
	s.ring[(s.head+s.n)%len(s.ring)] = f
	s.n++
}

func (s *stream[Out]) pop() *Future[Out] {
	f := s.ring[s.head]
	s.ring[s.head] = nil
	s.head = (s.head + 1) % len(s.ring)
	s.n--
	return f
}

// emit yields the oldest result; it reports whether the stream goes on.
func (s *stream[Out]) emit(ctx context.Context, yield func(Out, error) bool) bool {
	v, err := s.ring[s.head].result(ctx, ignoreCtx)
	if ctx.Err() != nil {
		return false // stop cancels and waits for it
	}
	retrieved(err, s.pop()) // the popped future stays reachable until then
	if !yield(v, err) {
		s.broken = true
		return false
	}
	return true
}

// abandon cancels the in-flight tasks and waits for those that had started.
func (s *stream[Out]) abandon(cancel context.CancelCauseFunc) {
	cancel(ErrCanceled)
	for s.n > 0 {
		f := s.pop()
		f.cancel(ErrCanceled)
		<-f.doneChan(ignoreCtx)
	}
}
