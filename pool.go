package futures

import (
	"cmp"
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// task is what the queue holds: a future, as its own queue item.
type task interface {
	// run runs or cancels the task unless someone else has, counting it in
	// t; it reports whether it finished the task.
	run(t *tally) bool
	// time marks the task as timed (see clock), before anyone can run it.
	time(stamp uint32)
}

// pool is the executor's state. Workers reference the pool, never the
// Executor, so that an unreachable Executor can be cleaned up while its
// workers run.
//
// Five parts keep its rules, each in a file of its own: admission
// (admission.go) counts the tasks that hold a place and decides the Try
// calls; the line (line.go) orders the submissions that wait for room; the
// crew (crew.go) starts, sizes and retires the workers; shutdown
// (shutdown.go) ends it; the clock (clock.go) times tasks for Stats.
type pool struct {
	// Read for every task and written once, or seldom.
	name         string
	traceName    string // name, or "futures"
	init         func(worker int) error
	exit         func(worker int)
	panics       func(*PanicError) // WithPanicHandler's function, or nil
	idle         time.Duration     // WithIdleTimeout; <= 0: workers stay
	tasks        chan task
	quit         chan struct{} // closed when shutdown begins: wakes blocked Submits
	stopping     atomic.Bool   // shutdown began: refuse new tasks (quit closes just after)
	interrupting atomic.Bool   // ShutdownNow began: cancel queued tasks and running ctxs
	broken       atomic.Pointer[brokenError]
	// The sentinel errors, with the executor's name if it has one.
	errShutdown, errQueueFull, errGoexit, errShutdownInTask error
	_                                                       [128]byte

	// submitMu is held for reading by every submission while it may send on
	// tasks or start a worker, and for writing by stop while it closes tasks:
	// see pool.enqueue.
	submitMu sync.RWMutex
	_        [128 - 24]byte

	admission admission
	line      line
	crew      crew
	clock     clock

	// working counts the goroutines doing the executor's work that Shutdown
	// waits for: the workers, tasks run in their callers, and the goroutines
	// that cancel a queued task whose ctx ended. exited is closed once
	// shutdown began and working is 0.
	working atomic.Int64
	exited  chan struct{}
	exit1   sync.Once
	stop1   sync.Once

	interruptMu sync.Mutex
	interrupt   map[*taskCtx]struct{} // running tasks whose ctx was made real

	canceled      paddedCounter
	rejected      paddedCounter
	submittedSeen atomic.Uint64 // the highest Stats.Submitted reported yet
}

func newPool(workers int, c config) *pool {
	p := &pool{
		name:              c.name,
		traceName:         cmp.Or(c.name, "futures"),
		init:              c.init,
		exit:              c.exit,
		panics:            c.panics,
		idle:              c.idle,
		tasks:             make(chan task, c.queueSize(workers)),
		exited:            make(chan struct{}),
		quit:              make(chan struct{}),
		interrupt:         make(map[*taskCtx]struct{}),
		errShutdown:       name(c.name, ErrShutdown),
		errQueueFull:      name(c.name, ErrQueueFull),
		errGoexit:         name(c.name, ErrGoexit),
		errShutdownInTask: name(c.name, ErrShutdownInTask),
	}
	p.crew.init(workers)
	p.clock.init()
	return p
}

// How a submission may be taken, when the queue has no room at once.
type submitMode int

const (
	waitForRoom submitMode = iota // Submit: wait; a task of this executor (by its ctx) runs t itself
	tryOnce                       // TrySubmit: admit t only into a free place, else ErrQueueFull
	admitted                      // t's place was counted by tryAdmit: wait for it
	groupWait                     // Group.Submit: wait; a worker goroutine runs t itself
	inCaller                      // run t in the caller, a task of this executor
)

// submit queues t, or runs it in the caller where mode allows. It returns nil
// once t is accepted (and, run in the caller, finished), or why t was refused;
// a refused t is left for the caller to finish.
func (p *pool) submit(ctx context.Context, t task, mode submitMode, r *request) error {
	here, err := p.enqueue(ctx, t, mode, r)
	if here {
		defer p.leave() // also when t calls runtime.Goexit
		t.run(&p.crew.callers)
	}
	return err
}

// enqueue sends t on the queue. here says that t was accepted but is the
// caller's to run; then it is already counted in working.
//
// It holds submitMu for reading from before it checks that shutdown has not
// begun until t is on the queue (or refused), so that stop, which takes
// submitMu for writing before it closes the queue, never closes it under a
// send. Such a send can block (the queue is full): stop closes quit before it
// takes submitMu, which wakes every blocked send (see send).
//
// Its one deferred call is the unlock: a Submit's path has no other.
func (p *pool) enqueue(ctx context.Context, t task, mode submitMode, r *request) (here bool, err error) {
	p.submitMu.RLock()
	defer p.submitMu.RUnlock()
	if mode == tryOnce || mode == admitted {
		return false, p.enqueueTry(ctx, t, mode)
	}
	if err := p.closedTo(ctx); err != nil {
		return false, p.countRejected(err)
	}
	if n := p.admission.countIn(); p.clock.due(n) {
		t.time(p.clock.stamp())
	}
	r.arrive(&p.line)
	if mode == inCaller {
		p.admission.countHere()
		p.working.Add(1)
		return true, nil
	}
	if p.fastPath(mode) && p.offer(t) {
		r.begin()
		return false, nil
	}
	p.crew.grow(p) // for the tasks queued before t
	if mode == waitForRoom && p.insideTask(ctx) || mode == groupWait && p.crew.inTask() {
		// A task of this executor never waits for room: the worker that would
		// make it could be held by a task that waits for this one (after a
		// Resize, say). It runs t itself.
		p.admission.countHere()
		p.working.Add(1)
		return true, nil
	}
	if r == nil && p.line.requests.Load() == 0 {
		// No request waits: a plain Submit's line would be first come, first
		// served, as the channel's own is, at twice the wake-ups.
		return false, p.send(ctx, t, nil)
	}
	return false, p.waitInLine(ctx, t, r)
}

// waitInLine waits for room for t, a call of r, behind the calls before it
// in line (see line), then for the queue.
func (p *pool) waitInLine(ctx context.Context, t task, r *request) error {
	p.admission.ahead.Add(1) // newcomers join the line behind it
	defer p.admission.ahead.Add(-1)
	if r != nil {
		p.line.requests.Add(1) // plain Submits join the line too
		defer p.line.requests.Add(-1)
	}
	if err := p.line.join(ctx, p.quit, p.errShutdown, r, p.size()); err != nil {
		p.admission.withdraw()
		return p.countRejected(err)
	}
	defer p.line.next()
	return p.send(ctx, t, nil)
}

// enqueueTry is enqueue for the Try calls: a TrySubmit (tryOnce) asks
// admission for a place when the queue has no room at once; a TryMap task
// (admitted) has its place reserved already. Once admitted, a task waits in
// line at once, where no other submission can take the room it was admitted
// into, and its reservation ends when it is queued or refused.
func (p *pool) enqueueTry(ctx context.Context, t task, mode submitMode) error {
	if mode == admitted {
		defer p.admission.ahead.Add(-1)
		if err := p.closedTo(ctx); err != nil {
			p.admission.withdraw()
			return p.countRejected(err)
		}
		if n := p.admission.in.Load(); p.clock.due(n) {
			t.time(p.clock.stamp())
		}
		if p.offer(t) {
			return nil
		}
		p.crew.grow(p)
		return p.send(ctx, t, nil)
	}
	if err := p.closedTo(ctx); err != nil {
		return p.countRejected(err)
	}
	if n := p.admission.countIn(); p.clock.due(n) {
		t.time(p.clock.stamp())
	}
	// The queue's room is a free place unless a Resize shrank the crew
	// while more tasks ran than its new size: then admission decides.
	if p.fastPath(mode) && p.offer(t) {
		return nil
	}
	resized := p.crew.resized.Load().(chan struct{})
	ok, own := p.admission.keep(p)
	if !ok {
		return p.countRejected(p.errQueueFull)
	}
	defer p.admission.ahead.Add(-1)
	if own { // a worker between tasks never waits: the room may be its own
		if p.offer(t) {
			return nil
		}
		p.admission.withdraw()
		return p.countRejected(p.errQueueFull)
	}
	p.crew.grow(p)
	return p.send(ctx, t, resized)
}

// offer puts t on the queue if it has room, or an idle worker takes it, now;
// a task left in the queue starts a worker if any is left to start.
func (p *pool) offer(t task) bool {
	select {
	case p.tasks <- t:
		if len(p.tasks) > 0 { // no idle worker took it at once
			p.crew.grow(p)
		}
		return true
	default:
		return false
	}
}

// fastPath reports whether a submission in mode may take the queue's room
// without asking admission or joining the line: not while submissions are
// ahead of it (Try tasks admitted into places and not queued yet, but for
// those tasks themselves, or calls in line), and not for a Try call after a
// Resize shrank the crew while more tasks ran than its new size.
func (p *pool) fastPath(mode submitMode) bool {
	switch {
	case mode == admitted:
		return true
	case p.admission.ahead.Load() != 0:
		return false
	default:
		return mode != tryOnce || !p.crew.over()
	}
}

// send waits for room for t on the queue, its ctx or shutdown; t waited
// behind busy workers, so it starts one if any is left to start.
//
// A TrySubmit admitted into a place (keep) passes resized, the channel that
// the next Resize closes: if a Resize takes its place away, it looks again,
// and gives up with ErrQueueFull rather than wait for a task (or, called from
// a worker between tasks, for itself).
//
// It counts itself waiting before it looks for a worker to start, and a
// worker that retires counts itself out before it looks for waiting sends
// (see pool.leaving): so either this send starts a worker, or the worker
// stays for it.
func (p *pool) send(ctx context.Context, t task, resized <-chan struct{}) error {
	p.admission.waiting.Add(1)
	defer p.admission.waiting.Add(-1)
	for {
		p.crew.grow(p)
		select {
		case p.tasks <- t:
			return nil
		case <-ctx.Done():
			p.admission.withdraw()
			return p.countRejected(context.Cause(ctx))
		case <-p.quit:
			p.admission.withdraw()
			return p.countRejected(p.errShutdown)
		case <-resized:
			resized = p.crew.resized.Load().(chan struct{})
			if !p.admission.stillFree(p) {
				return p.countRejected(p.errQueueFull)
			}
		}
	}
}

// closedTo returns why the executor takes no task submitted with ctx now, or nil.
func (p *pool) closedTo(ctx context.Context) error {
	if p.stopping.Load() {
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
	return len(p.tasks) == cap(p.tasks) && !p.crew.canGrow() &&
		p.admission.free(p) <= 0 && p.closedTo(ctx) == nil
}

// runHere runs t in the calling goroutine, which is a task of this executor,
// if no one has started it; it reports whether it finished t.
func (p *pool) runHere(t task) bool {
	p.working.Add(1)
	defer p.leave()
	return t.run(&p.crew.callers)
}

// leave counts out a goroutine of working; the last one out after shutdown
// began closes exited.
func (p *pool) leave() {
	if p.working.Add(-1) == 0 && p.stopping.Load() {
		p.exitOnce()
	}
}

// exitOnce closes exited, once: shutdown began and nothing of the executor
// runs any more.
func (p *pool) exitOnce() { p.exit1.Do(func() { close(p.exited) }) }

// countRejected counts a refused call in Stats.Rejected and returns err.
func (p *pool) countRejected(err error) error {
	p.rejected.Add(1)
	return err
}

// insideTask reports whether ctx belongs to a task of this executor.
func (p *pool) insideTask(ctx context.Context) bool {
	return ctx.Value(taskKey{p}) != nil
}

// mayNotRun returns why a queued task must not run, or nil if it may.
func (p *pool) mayNotRun(parent context.Context) error {
	if b := p.broken.Load(); b != nil {
		return b
	}
	if p.interrupting.Load() {
		return p.errShutdown
	}
	if parent.Err() != nil {
		return context.Cause(parent)
	}
	return nil
}
