package futures

import "context"

// shutdown stops the executor and waits until no task of it runs anywhere, or
// for ctx. With now, it first cancels the running tasks' ctxs, and it cancels
// every queued task itself rather than leave them to busy workers.
func (p *pool) shutdown(ctx context.Context, now bool) error {
	if now && p.now.CompareAndSwap(false, true) {
		p.cancelLive()
	}
	p.stop()
	if now {
		p.drain()
	}
	select {
	case <-p.exited:
		return nil
	default:
	}
	if p.onWorker() {
		return p.errShutdownInTask
	}
	select {
	case <-p.exited:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stop begins shutdown once: no new tasks, blocked Submits wake, and the workers
// exit when the queue is empty.
func (p *pool) stop() {
	p.close.Do(func() {
		p.closing.Store(true)
		close(p.quit)
		p.submitMu.Lock()
		close(p.tasks)
		p.submitMu.Unlock()
		if p.active.Load() == 0 {
			p.exitOnce()
		}
	})
}

// drain takes every task left in the closed queue and cancels it with
// ErrShutdown, beside the workers, which do the same with those they take.
func (p *pool) drain() {
	for t := range p.tasks {
		t.run(p.outside(), true)
	}
}

// track records a running task whose ctx became real, so that ShutdownNow can
// cancel it; it returns false if ShutdownNow has begun.
func (p *pool) track(c *taskCtx) bool {
	p.liveMu.Lock()
	defer p.liveMu.Unlock()
	if p.now.Load() {
		return false
	}
	p.live[c] = struct{}{}
	return true
}

func (p *pool) untrack(c *taskCtx) {
	p.liveMu.Lock()
	delete(p.live, c)
	p.liveMu.Unlock()
}

// cancelLive cancels the ctx of every running task that has a real one; the
// others see p.now when they look.
func (p *pool) cancelLive() {
	p.liveMu.Lock()
	defer p.liveMu.Unlock()
	for c := range p.live {
		c.x.Load().cancel(p.errShutdown)
	}
}
