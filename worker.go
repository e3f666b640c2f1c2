package futures

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
)

// work is a worker goroutine: it runs the init function (with init), then the
// queued tasks until shutdown closes the queue. A task that calls
// runtime.Goexit takes the goroutine with it; another takes its place, with
// the same number, and runs init again. An init that calls runtime.Goexit
// breaks the executor, and its replacement skips init.
func (p *pool) work(id int, init bool) {
	gid := goid()
	p.gidMu.Lock()
	p.gids[gid] = id
	p.gidMu.Unlock()
	inInit, normal := init && p.init != nil, false
	defer func() {
		p.gidMu.Lock()
		delete(p.gids, gid)
		p.gidMu.Unlock()
		switch {
		case normal:
			p.alive.Add(-1)
			p.leave()
		case inInit:
			p.breakWith(id, p.errGoexit)
			go p.work(id, false)
		default:
			go p.work(id, true)
		}
	}()
	loop := func() {
		if inInit {
			p.runInit(id)
			inInit = false
		}
		tally := &p.tallies[id]
		for t := range p.tasks {
			t.run(tally, true)
		}
	}
	if p.name == "" {
		loop()
	} else {
		labels := pprof.Labels("futures.executor", p.name, "futures.worker", strconv.Itoa(id))
		pprof.Do(context.Background(), labels, func(context.Context) { loop() })
	}
	normal = true
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
		p.breakWith(id, name(p.name, err))
	}
}

// breakWith marks the executor broken by worker id's init, unless it is already.
func (p *pool) breakWith(id int, cause error) {
	p.broken.CompareAndSwap(nil, &brokenError{worker: id, cause: cause})
}

// onWorker reports whether the calling goroutine is one of the workers. It
// costs about a microsecond: callers ask only when the queue is full.
func (p *pool) onWorker() bool {
	_, ok := p.workerID()
	return ok
}

// workerID returns the number of the worker that calls it, if one does.
func (p *pool) workerID() (int, bool) {
	gid := goid()
	p.gidMu.Lock()
	defer p.gidMu.Unlock()
	id, ok := p.gids[gid]
	return id, ok
}

// betweenTasks reports whether the caller is a worker whose task from the
// queue has finished: one running the task's OnDone callbacks (or the panic
// handler), whose place counts as free although it cannot take a task until
// it returns. Like onWorker, it costs about a microsecond.
func (p *pool) betweenTasks() bool {
	id, ok := p.workerID()
	if !ok {
		return false
	}
	t := &p.tallies[id]
	return t.started.Load() == t.succeeded.Load()+t.failed.Load()
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
