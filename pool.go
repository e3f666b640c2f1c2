package futures

import (
	"cmp"
	"context"
	"sync"
	"sync/atomic"
)

// task is what the queue holds: a future, as its own queue item.
type task interface {
	// run runs or cancels the task unless someone else has, counting it in t;
	// with slot, it first gives back the queue slot the task held. It reports
	// whether it finished the task.
	run(t *tally, slot bool) bool
	// watch arranges for the task to be canceled at once if its submit ctx
	// ends while it waits in the queue.
	watch()
}

// pool is the executor's state. Workers reference the pool, never the Executor,
// so that an unreachable Executor can be cleaned up while its workers run.
type pool struct {
	workers   int
	capacity  int64 // workers + queue size: the most unfinished tasks TrySubmit admits
	name      string
	traceName string // name, or "futures"
	init      func(worker int) error
	tasks     chan task

	// load counts the tasks admitted to the queue whose slot no worker has given
	// back yet: queued, being sent, or running on a worker. A worker gives the
	// slot back just before it publishes the task's outcome.
	load    paddedInt
	started atomic.Int64  // worker numbers handed out: at most workers
	alive   atomic.Int64  // worker goroutines running
	active  atomic.Int64  // worker goroutines, plus tasks running outside them
	exited  chan struct{} // closed once shutdown began and active is 0
	exit    sync.Once

	// submitMu is held for reading by every Submit while it may send on tasks
	// or start a worker, and for writing by stop while it closes tasks.
	submitMu sync.RWMutex
	closing  atomic.Bool   // shutdown began: refuse new tasks
	quit     chan struct{} // closed when shutdown begins: wakes blocked Submits
	close    sync.Once

	now    atomic.Bool // ShutdownNow began: cancel queued tasks and running ctxs
	liveMu sync.Mutex
	live   map[*taskCtx]struct{} // running tasks whose ctx was made real

	broken atomic.Pointer[brokenError]

	gidMu sync.Mutex
	gids  map[uint64]struct{} // goroutine ids of the workers

	tallies   []tally // one a worker, and the last for tasks run outside them
	submitted paddedCounter
	canceled  paddedCounter
	rejected  paddedCounter

	// The sentinel errors, with the executor's name if it has one.
	errShutdown, errQueueFull, errGoexit, errShutdownInTask error
}

func newPool(workers int, c config) *pool {
	queue := c.queueSize(workers)
	return &pool{
		workers:           workers,
		capacity:          int64(workers + queue),
		name:              c.name,
		traceName:         cmp.Or(c.name, "futures"),
		init:              c.init,
		tasks:             make(chan task, queue),
		exited:            make(chan struct{}),
		quit:              make(chan struct{}),
		live:              make(map[*taskCtx]struct{}),
		gids:              make(map[uint64]struct{}),
		tallies:           make([]tally, workers+1),
		errShutdown:       name(c.name, ErrShutdown),
		errQueueFull:      name(c.name, ErrQueueFull),
		errGoexit:         name(c.name, ErrGoexit),
		errShutdownInTask: name(c.name, ErrShutdownInTask),
	}
}

// submitMode says what submit does when the queue is full.
type submitMode int

const (
	block    submitMode = iota // wait for room; a call from a task (by its ctx) runs t itself
	try                        // fail with ErrQueueFull once workers + queue size are unfinished
	onGroup                    // wait for room; a call on a worker goroutine runs t itself
	inCaller                   // run t in the caller, a task of this executor
)

// submit queues t, or runs it in the caller where mode allows. It returns nil
// once t is accepted (and, run in the caller, finished), or why t was refused;
// a refused t is left for the caller to finish.
func (p *pool) submit(ctx context.Context, t task, mode submitMode) error {
	here, err := p.enqueue(ctx, t, mode)
	if here {
		t.run(p.outside(), false)
		p.leave()
	}
	return err
}

// enqueue admits t and sends it on the queue while holding off shutdown's close
// of it. here says that t was accepted but is the caller's to run; then it is
// already counted in active.
func (p *pool) enqueue(ctx context.Context, t task, mode submitMode) (here bool, err error) {
	p.submitMu.RLock()
	defer p.submitMu.RUnlock()
	if err := p.refuse(ctx); err != nil {
		return false, p.reject(err)
	}
	if mode == inCaller {
		p.active.Add(1)
		p.submitted.Add(1)
		return true, nil
	}
	n, ok := p.admit(mode == try)
	if !ok {
		return false, p.reject(p.errQueueFull)
	}
	p.grow(n)
	select {
	case p.tasks <- t:
		p.accept(t, n > int64(p.workers))
		return false, nil
	default:
	}
	if mode != try && p.mayRunHere(ctx, mode) {
		p.load.Add(-1)
		p.active.Add(1)
		p.submitted.Add(1)
		return true, nil
	}
	select {
	case p.tasks <- t:
		p.accept(t, true)
		return false, nil
	case <-ctx.Done():
		p.load.Add(-1)
		return false, p.reject(context.Cause(ctx))
	case <-p.quit:
		p.load.Add(-1)
		return false, p.reject(p.errShutdown)
	}
}

// refuse returns why no task may be submitted now with ctx, or nil.
func (p *pool) refuse(ctx context.Context) error {
	if p.closing.Load() {
		return p.errShutdown
	}
	if b := p.broken.Load(); b != nil {
		return b
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// admit takes a queue slot and returns how many are taken with it. With exact,
// it takes none, and fails, when workers + queue size are taken already.
func (p *pool) admit(exact bool) (int64, bool) {
	if !exact {
		return p.load.Add(1), true
	}
	for {
		n := p.load.Load()
		if n >= p.capacity {
			return n, false
		}
		if p.load.CompareAndSwap(n, n+1) {
			return n + 1, true
		}
	}
}

// full reports whether TrySubmit with ctx would find no room, and no other
// reason to refuse, now.
func (p *pool) full(ctx context.Context) bool {
	return p.load.Load() >= p.capacity && p.refuse(ctx) == nil
}

// accept counts t in, and has it watch its ctx when it waits behind busy
// workers.
func (p *pool) accept(t task, behind bool) {
	p.submitted.Add(1)
	if behind {
		t.watch()
	}
}

// grow starts a worker when the n tasks that hold slots outnumber the workers
// started, until there are p.workers: a task that finds no idle worker gets a
// new one. The caller holds submitMu for reading, so stop sees the worker.
func (p *pool) grow(n int64) {
	for {
		s := p.started.Load()
		if n <= s || s >= int64(p.workers) {
			return
		}
		if p.started.CompareAndSwap(s, s+1) {
			p.alive.Add(1)
			p.active.Add(1)
			go p.work(int(s), true)
			return
		}
	}
}

// mayRunHere reports whether the caller may run a task itself on a full
// queue: a task of this executor, known by its ctx (block) or by running on
// one of the workers (onGroup).
func (p *pool) mayRunHere(ctx context.Context, mode submitMode) bool {
	if mode == onGroup {
		return p.onWorker()
	}
	return p.insideTask(ctx)
}

// runHere runs t in the calling goroutine, which is a task of this executor,
// if no one has started it; it reports whether it finished t.
func (p *pool) runHere(t task) bool {
	p.active.Add(1)
	defer p.leave()
	return t.run(p.outside(), false)
}

// leave counts out a worker or a task run outside the workers; the last one
// out after shutdown began closes exited.
func (p *pool) leave() {
	if p.active.Add(-1) == 0 && p.closing.Load() {
		p.exit.Do(func() { close(p.exited) })
	}
}

// giveBack gives a task's queue slot back, if it holds one.
func (p *pool) giveBack(slot bool) {
	if slot {
		p.load.Add(-1)
	}
}

func (p *pool) reject(err error) error {
	p.rejected.Add(1)
	return err
}

// outside returns the tally of tasks run outside the workers' own loops.
func (p *pool) outside() *tally { return &p.tallies[p.workers] }

// insideTask reports whether ctx belongs to a task of this executor.
func (p *pool) insideTask(ctx context.Context) bool {
	return ctx.Value(taskKey{p}) != nil
}

// refusal returns why a queued task must not run, or nil if it may.
func (p *pool) refusal(parent context.Context) error {
	if b := p.broken.Load(); b != nil {
		return b
	}
	if p.now.Load() {
		return p.errShutdown
	}
	if parent.Err() != nil {
		return context.Cause(parent)
	}
	return nil
}
