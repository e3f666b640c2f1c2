package futures

import (
	"context"
	"runtime"
)

// shutdown stops the executor and waits for its workers, or for ctx.
func (p *pool) shutdown(ctx context.Context, now bool) error {
	if now && p.now.CompareAndSwap(false, true) {
		p.cancelLive()
	}
	p.stop()
	if p.onWorker() {
		return ErrShutdownInTask
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
	})
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
		c.cancel(p.errShutdown)
	}
}

// onWorker reports whether the calling goroutine is one of the workers.
func (p *pool) onWorker() bool {
	id := goid()
	p.gidMu.Lock()
	defer p.gidMu.Unlock()
	_, ok := p.gids[id]
	return ok
}

// goid returns the calling goroutine's id, read from its stack header
// ("goroutine 18 [running]:").
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = b[len("goroutine "):]
	var id uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}
