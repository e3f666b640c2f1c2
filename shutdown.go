package futures

import "context"

// How shutdown treats the tasks queued and running.
type shutdownMode bool

const (
	letRun    shutdownMode = false // Shutdown: they run to the end
	interrupt shutdownMode = true  // ShutdownNow: cancel them
)

// shutdown stops the executor and waits until no task of it runs anywhere, or
// for ctx. With interrupt, it first cancels the running tasks' ctxs, and it
// cancels every queued task itself rather than leave them to busy workers.
func (p *pool) shutdown(ctx context.Context, mode shutdownMode) error {
	now := mode == interrupt
	if now && p.interrupting.CompareAndSwap(false, true) {
		p.cancelRunning()
		p.crew.wake() // workers holding a task: see crew.holdStart
	}
	p.beginShutdown()
	if now {
		p.drain()
	}
	select {
	case <-p.exited:
		return nil
	default:
	}
	if p.crew.onWorker() {
		return p.errShutdownInTask
	}
	select {
	case <-p.exited:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// beginShutdown begins shutdown once: no new tasks, blocked Submits wake, and the
// workers exit when the queue is empty. It closes quit before it takes
// submitMu, so that a Submit blocked on a full queue while holding submitMu
// for reading wakes and lets go of it (see pool.enqueue).
func (p *pool) beginShutdown() {
	p.stop1.Do(func() {
		p.stopping.Store(true)
		close(p.quit)
		p.submitMu.Lock()
		close(p.tasks)
		p.submitMu.Unlock()
		if p.working.Load() == 0 {
			p.exitOnce()
		}
	})
}

// drain takes every task left in the closed queue and cancels it with
// ErrShutdown, beside the workers, which do the same with those they take.
func (p *pool) drain() {
	for t := range p.tasks {
		t.run(&p.crew.drained)
	}
}

// track records a running task whose ctx became real, so that ShutdownNow can
// cancel it; it returns false if ShutdownNow has begun.
func (p *pool) track(c *taskCtx) bool {
	p.interruptMu.Lock()
	defer p.interruptMu.Unlock()
	if p.interrupting.Load() {
		return false
	}
	p.interrupt[c] = struct{}{}
	return true
}

func (p *pool) untrack(c *taskCtx) {
	p.interruptMu.Lock()
	delete(p.interrupt, c)
	p.interruptMu.Unlock()
}

// cancelRunning cancels the ctx of every running task that has a real one;
// the others see p.interrupting when they look.
func (p *pool) cancelRunning() {
	p.interruptMu.Lock()
	defer p.interruptMu.Unlock()
	for c := range p.interrupt {
		c.x.Load().cancel(p.errShutdown)
	}
}
