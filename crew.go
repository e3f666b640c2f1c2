package futures

import (
	"sync"
	"sync/atomic"
	"time"
)

// crew is the executor's workers: how many it may run (its size, which
// Resize changes), how many run, their numbers and their tallies.
//
// Workers start on demand (grow) while fewer than size run, and retire when
// more than size run (after Resize shrank it) or when WithIdleTimeout finds
// them not needed. A number is held by one live worker at a time; a worker
// started again takes the lowest free one, which is below size.
//
// The bound: no more tasks start on workers than size. While alive <= size
// it holds by itself, a worker running one task at a time. While alive >
// size (a Resize shrank the crew and the surplus has not retired yet), a
// worker that took a task waits in holdStart until, with it, no more than
// size tasks run on workers. A worker counts its task as started before it
// reads size, and Resize stores size first, so one that still read the old
// size counts as running for every worker that reads the new one.
type crew struct {
	// Read by every worker for every task, and seldom written: a cache line
	// of their own.
	_     [128]byte
	size  atomic.Int64 // the most workers: Executor.Workers
	alive atomic.Int64 // worker goroutines started and not retired or exited
	_     [128 - 16]byte

	mu      sync.Mutex // guards what follows
	used    []bool     // numbers held by live workers
	low     int        // no number below low is free
	held    int64      // workers waiting in holdStart
	changed sync.Cond  // a task on a worker ended while alive > size, the size changed, or a number was freed

	resized atomic.Value // a chan struct{} that the next resize closes
	gids    sync.Map     // goroutine id → *worker: read without a lock by self

	tallies atomic.Pointer[[]*tally] // by worker number; only ever longer
	callers tally                    // tasks run in their submitter's goroutine: they hold no place
	drained tally                    // tasks ShutdownNow took from the queue

	// WithIdleTimeout's accounting: see pool.await and crew.idleFor.
	idlers  atomic.Int64 // workers waiting for a task
	idleLow atomic.Int64 // the fewest idlers seen since window began
	window  atomic.Int64 // when the window began, on the pool's clock
	quota   atomic.Int64 // idle workers that may retire as they pass the queue
}

// worker is a worker goroutine's identity: its number and its tally.
type worker struct {
	id    int
	tally *tally
	timer *time.Timer // the idle timeout's, made on first need
}

func (c *crew) init(size int) {
	c.size.Store(int64(size))
	c.changed.L = &c.mu
	c.resized.Store(make(chan struct{}))
	c.drained.fromQueue = true
	c.ensure(size)
}

// ensure makes room for workers numbered below n. The caller holds mu, or is
// init.
func (c *crew) ensure(n int) {
	old := c.tallies.Load()
	var ts []*tally
	if old != nil {
		ts = *old
	}
	if n <= len(ts) {
		return
	}
	ts = append(ts[:len(ts):len(ts)], make([]*tally, n-len(ts))...)
	for i := range ts {
		if ts[i] == nil {
			ts[i] = &tally{fromQueue: true}
		}
	}
	c.tallies.Store(&ts)
	c.used = append(c.used, make([]bool, n-len(c.used))...)
}

// canGrow reports whether a worker may start.
func (c *crew) canGrow() bool { return c.alive.Load() < c.size.Load() }

// over reports whether more workers run than the size.
func (c *crew) over() bool { return c.alive.Load() > c.size.Load() }

// grow starts a worker, unless size of them run, and reports whether it did:
// a submission that finds no idle worker gets a new one. The caller holds
// p.submitMu for reading, so stop sees the worker.
func (c *crew) grow(p *pool) bool {
	for a := c.alive.Load(); a < c.size.Load(); a = c.alive.Load() {
		if c.alive.CompareAndSwap(a, a+1) {
			p.working.Add(1)
			go p.work()
			return true
		}
	}
	return false
}

// rejoin takes back the retirement of a worker that found tasks queued after
// it retired, unless size workers run by then; it reports whether it did.
func (c *crew) rejoin() bool {
	for a := c.alive.Load(); a < c.size.Load(); a = c.alive.Load() {
		if c.alive.CompareAndSwap(a, a+1) {
			return true
		}
	}
	return false
}

// stayOver takes back a retirement even though the crew has no room, if
// fewer tasks run on workers than the size: a worker that then takes a task
// still waits in holdStart while that is not so.
func (c *crew) stayOver() bool {
	if c.running() < c.size.Load() {
		c.alive.Add(1)
		return true
	}
	return false
}

// hire gives the calling goroutine, a new worker, the lowest free number. A
// worker that retired holds its number until its exit function returns, so
// hire may wait for one below size to be freed; it returns nil if, meanwhile,
// the crew has more workers than its size: then the new one is not needed.
func (c *crew) hire(gid uint64) *worker {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		id := c.low
		for id < len(c.used) && c.used[id] {
			id++
		}
		if int64(id) < c.size.Load() {
			c.used[id] = true
			c.low = id + 1
			w := &worker{id: id, tally: (*c.tallies.Load())[id]}
			c.gids.Store(gid, w)
			return w
		}
		if c.over() {
			return nil
		}
		c.changed.Wait()
	}
}

// fire frees w's number: w has exited.
func (c *crew) fire(w *worker, gid uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gids.Delete(gid)
	c.used[w.id] = false
	c.low = min(c.low, w.id)
	c.changed.Broadcast()
}

// retire reports whether a worker passing the queue should retire now: more
// workers run than the size, or WithIdleTimeout found some not needed. It
// counts the worker out of alive.
func (c *crew) retire() bool {
	for a := c.alive.Load(); a > c.size.Load(); a = c.alive.Load() {
		if c.alive.CompareAndSwap(a, a-1) {
			return true
		}
	}
	for q := c.quota.Load(); q > 0; q = c.quota.Load() {
		if c.quota.CompareAndSwap(q, q-1) {
			c.alive.Add(-1)
			return true
		}
	}
	return false
}

// holdStart waits, in a worker that took a task while more workers run than
// the size, until no more than size tasks run on workers, its own included;
// the task stays Pending meanwhile, so it may be canceled. It reports false
// if ShutdownNow began first: then the task must not start.
func (c *crew) holdStart(p *pool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.running()-c.held > c.size.Load() {
		if p.interrupting.Load() {
			return false
		}
		c.held++
		c.changed.Wait()
		c.held--
	}
	return true
}

// ended is called by a worker whose task ended: while more workers run than
// the size, it lets the workers in holdStart look again.
func (c *crew) ended() {
	if c.over() {
		c.wake()
	}
}

// wake lets everyone waiting on changed look again.
func (c *crew) wake() {
	c.mu.Lock()
	c.changed.Broadcast()
	c.mu.Unlock()
}

// resize sets the size to n. Growing starts workers for the tasks queued
// and the Submits waiting for room; shrinking lets the surplus retire as it
// passes the queue (see retire and holdStart).
func (c *crew) resize(p *pool, n int) {
	c.mu.Lock()
	c.ensure(n)
	old := c.size.Swap(int64(n))
	c.changed.Broadcast()
	close(c.resized.Swap(make(chan struct{})).(chan struct{}))
	c.mu.Unlock()
	if int64(n) <= old {
		return
	}
	p.submitMu.RLock()
	defer p.submitMu.RUnlock()
	if p.stopping.Load() {
		return
	}
	for range min(int64(len(p.tasks))+p.admission.waiting.Load(), int64(n)-old) {
		if !c.grow(p) {
			break
		}
	}
}

// running returns how many tasks run on workers.
func (c *crew) running() int64 {
	var n int64
	for _, t := range *c.tallies.Load() {
		n += int64(t.started.Load() - t.succeeded.Load() - t.failed.Load())
	}
	return n
}

// countedOut returns how many tasks the workers took from the queue and
// finished or discarded, and ShutdownNow discarded: see admission.
func (c *crew) countedOut() uint64 {
	var n uint64
	for _, t := range *c.tallies.Load() {
		n += t.succeeded.Load() + t.failed.Load() + t.discarded.Load()
	}
	return n + c.drained.discarded.Load()
}

// each calls fn with every tally: the workers', then the callers' and the
// drained tasks'.
func (c *crew) each(fn func(*tally)) {
	for _, t := range *c.tallies.Load() {
		fn(t)
	}
	fn(&c.callers)
	fn(&c.drained)
}

// onWorker reports whether the calling goroutine is one of the workers. See
// self for its cost.
func (c *crew) onWorker() bool { return c.self() != nil }

// inTask reports whether the calling goroutine is a worker running a task
// (or something the task called), not one between tasks: a task of the
// executor, for Group.Submit, which has no ctx to tell. See self for its
// cost.
func (c *crew) inTask() bool {
	w := c.self()
	return w != nil && !w.between()
}

// self returns the worker that calls it, or nil. A goroutine that is no
// executor's worker learns it from its stack's return addresses (a quarter
// of a microsecond for a stack of ten calls); a worker also reads its
// goroutine id from a stack trace, some microseconds more, and more again
// when many goroutines do at once, as a stack trace takes a runtime lock.
func (c *crew) self() *worker {
	if !workerGoroutine() {
		return nil
	}
	if w, ok := c.gids.Load(goid()); ok {
		return w.(*worker)
	}
	return nil
}

// betweenTasks reports whether the caller is a worker whose task from the
// queue has finished: one that runs the task's OnDone callbacks or the panic
// handler, whose place counts as free although it takes no task until it
// returns. See self for its cost.
func (c *crew) betweenTasks() bool {
	w := c.self()
	return w != nil && w.between()
}

// between reports whether w has no task of the queue running: called by w.
func (w *worker) between() bool {
	return w.tally.started.Load() == w.tally.succeeded.Load()+w.tally.failed.Load()
}

// idleFor is called by a worker that waited for a task and got one: it keeps
// the fewest workers seen waiting, and once a window of d has passed, lets
// that many retire (the quota): they were never needed in the window. So a
// trickle of tasks that one worker could serve, which a channel hands to the
// waiting workers in turn, lets the others retire.
func (c *crew) idleFor(d, now time.Duration) {
	n := c.idlers.Add(-1)
	for low := c.idleLow.Load(); n < low && !c.idleLow.CompareAndSwap(low, n); low = c.idleLow.Load() {
	}
	if begun := c.window.Load(); int64(now)-begun >= int64(d) && c.window.CompareAndSwap(begun, int64(now)) {
		c.quota.Store(c.idleLow.Swap(c.idlers.Load()))
	}
}
