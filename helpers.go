package futures

import "context"

// What the helpers (Map, MapSeq, TryMap, Group, Wait and AsCompleted) use of
// the pool: they are built on these and on the futures' own methods alone,
// never on the pool's parts (admission, crew, queue).
//
// Besides these: submit, runHere and full (pool.go), insideTask, and the
// pool's named errors.

// size returns the executor's size now.
func (p *pool) size() int { return int(p.crew.size.Load()) }

// calledFromTask reports whether the calling goroutine runs a task of the
// executor: Group.Submit's test, for want of a ctx. See crew.self for its
// cost.
func (p *pool) calledFromTask() bool { return p.crew.inTask() }

// shutdownBegun returns a channel closed when shutdown begins.
func (p *pool) shutdownBegun() <-chan struct{} { return p.quit }

// refuseFull counts a refused Try call and returns ErrQueueFull.
func (p *pool) refuseFull() error { return p.countRejected(p.errQueueFull) }

// isFull reports whether err is the executor's own ErrQueueFull (a group's
// ctx may end with a task's error that wraps another).
func (p *pool) isFull(err error) bool { return err == p.errQueueFull }

// refuseShutdown counts a refused call and returns ErrShutdown.
func (p *pool) refuseShutdown() error { return p.countRejected(p.errShutdown) }

// refuseEnded counts a call refused because ctx ended, and returns its cause.
func (p *pool) refuseEnded(ctx context.Context) error {
	return p.countRejected(context.Cause(ctx))
}

// reserve takes n places at once for TryMap's tasks, all or nothing, or
// returns why not (counted once in Stats.Rejected): shutdown, a broken
// executor, ctx done, or ErrQueueFull.
func (p *pool) reserve(ctx context.Context, n int) error {
	if err := p.closedTo(ctx); err != nil {
		return p.countRejected(err)
	}
	if !p.admission.reserve(p, int64(n)) {
		return p.refuseFull()
	}
	return nil
}
