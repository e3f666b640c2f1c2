package futures

import (
	"context"
	"sync/atomic"
	"time"
)

// taskCtx is the context a task's function receives. It lives inside the future,
// so a task that never looks at its ctx's Done channel costs no allocation for it.
//
// It is canceled when the submit ctx is, when the running task is canceled (cause
// ErrCanceled), by ShutdownNow (cause ErrShutdown), and once the function returns.
// Until someone asks for Done, these are only recorded; the first call to Done (or
// to Err or Value once one of them happened) makes a real context from
// context.WithCancelCause(parent), kept in the future's extra, so that
// context.Cause and derived contexts work as they do on any standard context.
type taskCtx struct {
	parent context.Context
	p      *pool
	cause  atomic.Pointer[error] // why it was canceled first, once it was
	x      atomic.Pointer[extra] // the future's rarely needed parts, made on first need
}

// more returns c's extra, making it on the first call.
func (c *taskCtx) more() *extra {
	if x := c.x.Load(); x != nil {
		return x
	}
	c.x.CompareAndSwap(nil, new(extra))
	return c.x.Load()
}

// live returns c's extra if the real context is made, else nil.
func (c *taskCtx) live() *extra {
	if x := c.x.Load(); x != nil && x.live.Load() {
		return x
	}
	return nil
}

// Causes of a stop, as pointers that cost no allocation.
var (
	causeReturned error = context.Canceled // fn returned
	causeCanceled       = ErrCanceled      // Future.Cancel
)

// taskKey finds the running task of executor p in a ctx.
type taskKey struct{ p *pool }

// Deadline returns the submit ctx's deadline.
func (c *taskCtx) Deadline() (time.Time, bool) { return c.parent.Deadline() }

// Done returns a channel closed when the task's ctx is canceled.
func (c *taskCtx) Done() <-chan struct{} { return c.standard().Done() }

// Err returns nil until the task's ctx is canceled, then context.Canceled or
// context.DeadlineExceeded.
func (c *taskCtx) Err() error {
	if x := c.live(); x != nil {
		return x.ctx.Err()
	}
	if c.cause.Load() == nil && !c.p.interrupting.Load() {
		return c.parent.Err()
	}
	return c.standard().Err()
}

// Value returns the submit ctx's value for key; the task itself for its own key.
func (c *taskCtx) Value(key any) any {
	if k, ok := key.(taskKey); ok && k.p == c.p {
		return c
	}
	if x := c.live(); x != nil {
		return x.ctx.Value(key)
	}
	if c.cause.Load() == nil && !c.p.interrupting.Load() {
		return c.parent.Value(key)
	}
	return c.standard().Value(key)
}

// String names the context, as the standard contexts do.
func (c *taskCtx) String() string { return "futures.taskCtx" }

// standard returns the standard context that carries the task's cancellation, making
// it on the first call.
func (c *taskCtx) standard() context.Context {
	x := c.more()
	if x.live.Load() {
		return x.ctx
	}
	x.ctxMu.Lock()
	defer x.ctxMu.Unlock()
	if x.ctx == nil {
		x.ctx, x.cancel = context.WithCancelCause(c.parent)
		x.live.Store(true) // before the cause check: see stop
		switch cause := c.cause.Load(); {
		case cause != nil:
			x.cancel(*cause)
		case !c.p.track(c):
			x.cancel(c.p.errShutdown)
		}
	}
	return x.ctx
}

// interrupt cancels the running task's ctx with *cause, unless it was
// canceled already; it makes the standard context first, so that cause wins
// over a later cancellation of the submit ctx.
func (c *taskCtx) interrupt(cause *error) {
	c.standard()
	c.end(cause)
}

// end cancels the task's ctx with *cause, unless it was canceled already.
//
// end sets the cause before it reads live, and standard sets live before it
// reads the cause, so one of them cancels the standard context. An end that
// comes before the standard context only records the cause: no lock, no
// allocation.
func (c *taskCtx) end(cause *error) {
	c.cause.CompareAndSwap(nil, cause)
	if x := c.live(); x != nil {
		x.ctxMu.Lock() // after real has tracked c
		x.cancel(*c.cause.Load())
		c.p.untrack(c)
		x.ctxMu.Unlock()
	}
}
