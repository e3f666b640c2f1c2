package futures

import (
	"context"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
)

// task is what the queue holds: a future, as its own queue item.
type task interface {
	// run runs or cancels the task unless someone else has; it reports whether
	// it finished the task.
	run(t *tally) bool
}

// pool is the executor's state. Workers reference the pool, never the Executor,
// so that an unreachable Executor can be cleaned up while its workers run.
type pool struct {
	workers int
	name    string
	init    func(worker int) error
	tasks   chan task

	// submitMu is held for reading by every Submit while it may send on tasks,
	// and for writing by shutdown while it closes tasks.
	submitMu sync.RWMutex
	closing  atomic.Bool   // shutdown began: refuse new tasks
	quit     chan struct{} // closed when shutdown begins: wakes blocked Submits
	close    sync.Once

	now    atomic.Bool // ShutdownNow began: cancel queued tasks and running ctxs
	liveMu sync.Mutex
	live   map[*taskCtx]struct{} // running tasks whose ctx was made real

	broken atomic.Pointer[brokenError]

	alive       atomic.Int64  // worker goroutines not yet exited
	exited      chan struct{} // closed by the last worker to exit
	gidMu       sync.Mutex
	gids        map[uint64]struct{} // goroutine ids of the workers
	tallies     []tally             // one a worker, and the last for tasks run inline
	submitted   paddedCounter
	canceled    paddedCounter
	rejected    paddedCounter
	errShutdown error // ErrShutdown, with the executor's name
}

func newPool(workers int, c config) *pool {
	p := &pool{
		workers:     workers,
		name:        c.name,
		init:        c.init,
		tasks:       make(chan task, c.queueSize(workers)),
		quit:        make(chan struct{}),
		live:        make(map[*taskCtx]struct{}),
		exited:      make(chan struct{}),
		gids:        make(map[uint64]struct{}, workers),
		tallies:     make([]tally, workers+1),
		errShutdown: name(c.name, ErrShutdown),
	}
	p.alive.Store(int64(workers))
	for i := range workers {
		go p.work(i)
	}
	return p
}

// work is a worker goroutine: it runs the init function, then the queued tasks
// until shutdown closes the queue.
func (p *pool) work(id int) {
	gid := goid()
	p.gidMu.Lock()
	p.gids[gid] = struct{}{}
	p.gidMu.Unlock()
	normal := false
	defer func() {
		p.gidMu.Lock()
		delete(p.gids, gid)
		p.gidMu.Unlock()
		if !normal {
			// A task called runtime.Goexit: keep the pool at its size.
			p.alive.Add(1)
			go p.work(id)
		}
		if p.alive.Add(-1) == 0 {
			close(p.exited)
		}
	}()
	if p.name == "" {
		p.loop(id)
	} else {
		labels := pprof.Labels("futures.executor", p.name, "futures.worker", strconv.Itoa(id))
		pprof.Do(context.Background(), labels, func(context.Context) { p.loop(id) })
	}
	normal = true
}

func (p *pool) loop(id int) {
	if p.init != nil {
		p.runInit(id)
	}
	tally := &p.tallies[id]
	for t := range p.tasks {
		t.run(tally)
	}
}

// runInit runs the init function; if it fails or panics, the executor is broken.
func (p *pool) runInit(id int) {
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = &PanicError{Value: r, Stack: debug.Stack()}
			}
		}()
		err = p.init(id)
	}()
	if err != nil {
		p.broken.CompareAndSwap(nil, &brokenError{worker: id, cause: name(p.name, err)})
	}
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

// submitMode says what submit does when the queue is full.
type submitMode int

const (
	block  submitMode = iota // wait for room, the ctx or shutdown
	try                      // fail with ErrQueueFull
	inline                   // run the task in the caller
)

// submit queues t. When the queue is full it acts by mode, except that a call
// from a task of this executor never blocks: it runs t in the caller instead.
// It returns nil once t is accepted (and, run in the caller, finished), or why
// t was refused; a refused t is left for the caller to finish.
func (p *pool) submit(ctx context.Context, t task, mode submitMode) error {
	here, err := p.enqueue(ctx, t, mode)
	if here {
		t.run(p.inline())
	}
	return err
}

// enqueue sends t on the queue while holding off shutdown's close of it; here
// says that t was accepted but is the caller's to run.
func (p *pool) enqueue(ctx context.Context, t task, mode submitMode) (here bool, err error) {
	p.submitMu.RLock()
	defer p.submitMu.RUnlock()
	if p.closing.Load() {
		return false, p.reject(p.errShutdown)
	}
	if b := p.broken.Load(); b != nil {
		return false, p.reject(b)
	}
	if ctx.Err() != nil {
		return false, p.reject(context.Cause(ctx))
	}
	select {
	case p.tasks <- t:
		p.submitted.Add(1)
		return false, nil
	default:
	}
	if mode == block && p.insideTask(ctx) {
		mode = inline
	}
	switch mode {
	case try:
		return false, p.reject(ErrQueueFull)
	case inline:
		p.submitted.Add(1)
		return true, nil
	}
	select {
	case p.tasks <- t:
		p.submitted.Add(1)
		return false, nil
	case <-ctx.Done():
		return false, p.reject(context.Cause(ctx))
	case <-p.quit:
		return false, p.reject(p.errShutdown)
	}
}

func (p *pool) reject(err error) error {
	p.rejected.Add(1)
	return err
}

// inline returns the tally of tasks run outside the workers' own loops.
func (p *pool) inline() *tally { return &p.tallies[p.workers] }

// insideTask reports whether ctx belongs to a task of this executor.
func (p *pool) insideTask(ctx context.Context) bool {
	return ctx.Value(taskKey{p}) != nil
}
