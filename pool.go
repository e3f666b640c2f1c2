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
	gids  map[uint64]int // the workers' numbers by goroutine id

	tallies   []tally       // one a worker, and the last for tasks run outside them
	submitted paddedCounter // queued, waiting to be, or run by the submitter (ranHere)
	ranHere   paddedCounter
	admitMu   sync.Mutex // one TrySubmit decision at a time, on the slow path
	canceled  paddedCounter
	rejected  paddedCounter

	submittedSeen atomic.Uint64 // the highest Stats.Submitted reported yet

	// The sentinel errors, with the executor's name if it has one.
	errShutdown, errQueueFull, errGoexit, errShutdownInTask error
}

func newPool(workers int, c config) *pool {
	queue := c.queueSize(workers)
	p := &pool{
		workers:           workers,
		capacity:          int64(workers + queue),
		name:              c.name,
		traceName:         cmp.Or(c.name, "futures"),
		init:              c.init,
		tasks:             make(chan task, queue),
		exited:            make(chan struct{}),
		quit:              make(chan struct{}),
		live:              make(map[*taskCtx]struct{}),
		gids:              make(map[uint64]int),
		tallies:           make([]tally, workers+1),
		errShutdown:       name(c.name, ErrShutdown),
		errQueueFull:      name(c.name, ErrQueueFull),
		errGoexit:         name(c.name, ErrGoexit),
		errShutdownInTask: name(c.name, ErrShutdownInTask),
	}
	p.outside().outside = true
	return p
}

// size returns the pool's size: the most workers it runs.
func (p *pool) size() int { return p.workers }

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
		defer p.leave() // also when t calls runtime.Goexit
		t.run(p.outside(), false)
	}
	return err
}

// enqueue sends t on the queue while holding off shutdown's close of it. here
// says that t was accepted but is the caller's to run; then it is already
// counted in active.
func (p *pool) enqueue(ctx context.Context, t task, mode submitMode) (here bool, err error) {
	p.submitMu.RLock()
	defer p.submitMu.RUnlock()
	if err := p.refuse(ctx); err != nil {
		return false, p.reject(err)
	}
	// Counted before it can be queued, so unfinished never misses a queued task.
	p.submitted.Add(1)
	if mode == inCaller {
		p.runsHere()
		return true, nil
	}
	select {
	case p.tasks <- t:
		if len(p.tasks) > 0 { // no idle worker took it at once
			p.grow()
		}
		return false, nil
	default:
	}
	switch {
	case mode == try:
		return false, p.admit(ctx, t)
	case p.grow():
		// A worker is on its way to the queue. A task of this executor that
		// waits for it here is safe: it waits only for a worker it started,
		// and once all are started, tasks no longer wait but run t themselves.
	case p.mayRunHere(ctx, mode):
		p.runsHere()
		return true, nil
	}
	return false, p.send(ctx, t)
}

// send waits for room for t on the queue, its ctx or shutdown; t waited
// behind busy workers, so it starts one if any is left to start.
func (p *pool) send(ctx context.Context, t task) error {
	select {
	case p.tasks <- t:
		p.grow()
		return nil
	case <-ctx.Done():
		return p.withdraw(context.Cause(ctx))
	case <-p.quit:
		return p.withdraw(p.errShutdown)
	}
}

// withdraw uncounts a task that was counted but never queued, and refuses it.
func (p *pool) withdraw(err error) error {
	p.submitted.Add(^uint64(0))
	return p.reject(err)
}

// admit is TrySubmit's way when the queue had no room and no worker was
// waiting for a task: it admits t if, with t, no more than workers + queue
// size tasks are unfinished (then a worker is on its way back to the queue, or
// not started yet) and sends it; else it refuses t. The decisions are taken
// one at a time, each seeing those before it, so that two TrySubmits racing
// for the last place cannot both be refused.
func (p *pool) admit(ctx context.Context, t task) error {
	limit := p.capacity
	if p.betweenTasks() {
		limit-- // the caller's own place is no room: t would wait for the caller
	}
	p.admitMu.Lock()
	ok := p.unfinished() <= limit
	if !ok {
		p.submitted.Add(^uint64(0)) // before the next decision
	}
	p.admitMu.Unlock()
	if !ok {
		return p.reject(p.errQueueFull)
	}
	p.grow()
	return p.send(ctx, t)
}

// unfinished counts the tasks counted in but not run in their caller whose slot
// no worker has given back: queued, running on a worker, or waiting to be
// queued. A worker's tally counts only tasks
// from the queue, and each of them once, as succeeded, failed or discarded;
// the last tally counts the tasks run outside the workers, which hold no slot,
// and those that ShutdownNow discards. It reads the workers' counts before the
// submitters', so a count that moves meanwhile makes it larger, never smaller.
// It costs a few reads per worker: only TrySubmit asks, when the queue had no
// room.
func (p *pool) unfinished() int64 {
	var released uint64
	for i := range p.tallies[:p.workers] {
		t := &p.tallies[i]
		released += t.succeeded.Load() + t.failed.Load() + t.discarded.Load()
	}
	released += p.outside().discarded.Load()
	here := p.ranHere.Load()
	return int64(p.submitted.Load() - here - released)
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

// full reports whether TrySubmit with ctx would find no room, and no other
// reason to refuse, now. The cheap tests come first: a queue with room, or a
// worker not started yet, is room; only then are the workers' counts summed.
func (p *pool) full(ctx context.Context) bool {
	return len(p.tasks) == cap(p.tasks) && p.started.Load() == int64(p.workers) &&
		p.unfinished() >= p.capacity && p.refuse(ctx) == nil
}

// runsHere counts a task that the caller runs itself as one: active, and
// holding no queue slot.
func (p *pool) runsHere() {
	p.active.Add(1)
	p.ranHere.Add(1)
}

// grow starts a worker, unless all of them are started, and reports whether
// it did: a submission that finds no idle worker gets a new one. The caller
// holds submitMu for reading, so stop sees the worker.
func (p *pool) grow() bool {
	for s := p.started.Load(); s < int64(p.workers); s = p.started.Load() {
		if p.started.CompareAndSwap(s, s+1) {
			p.alive.Add(1)
			p.active.Add(1)
			go p.work(int(s), true)
			return true
		}
	}
	return false
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
		p.exitOnce()
	}
}

// exitOnce closes exited, once: shutdown began and nothing of the executor
// runs any more.
func (p *pool) exitOnce() { p.exit.Do(func() { close(p.exited) }) }

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
