package futures

import (
	"context"
	"log"
	"reflect"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"time"
)

// work is a worker goroutine: it takes the lowest free number, runs the init
// function, then the queued tasks until it retires or shutdown closes the
// queue, then the exit function, and gives its number back.
//
// A task that calls runtime.Goexit takes the goroutine with it (after the
// exit function); another starts in its place, as on demand, and runs init
// again. An init that fails, panics or calls runtime.Goexit breaks the
// executor: its worker runs no exit function, and workers started after it
// run no init.
func (p *pool) work() {
	gid := goid()
	w := p.crew.hire(gid)
	if w == nil { // the crew shrank while it waited for a number
		p.crew.alive.Add(-1)
		p.leave()
		return
	}
	inInit := p.init != nil && p.broken.Load() == nil
	initOK := p.init == nil // the exit function runs only after an init that succeeded
	ended := false
	defer func() {
		if initOK {
			p.runExit(w.id)
		}
		p.crew.fire(w, gid)
		switch {
		case ended:
			p.leave()
		case inInit: // init called Goexit
			p.breakWith(w.id, p.errGoexit)
			go p.work()
		default: // a task called Goexit: the new goroutine takes over its counts
			go p.work()
		}
	}()
	loop := func() {
		if inInit {
			initOK = p.runInit(w.id)
			inInit = false
		}
		p.serve(w)
	}
	if p.name == "" {
		loop()
	} else {
		labels := pprof.Labels("futures.executor", p.name, "futures.worker", strconv.Itoa(w.id))
		pprof.Do(context.Background(), labels, func(context.Context) { loop() })
	}
	ended = true
}

// serve runs tasks from the queue until the worker retires or the queue is
// closed and empty.
func (p *pool) serve(w *worker) {
	for {
		t, ok := p.next(w)
		if !ok {
			return
		}
		t.run(w.tally)
		p.crew.ended()
	}
}

// next returns the next task, or false once the worker retires or the queue
// is closed and empty.
func (p *pool) next(w *worker) (task, bool) {
	for {
		if p.crew.retire() && p.leaving() {
			return nil, false
		}
		if p.idle <= 0 {
			t, ok := <-p.tasks
			return p.received(t, ok)
		}
		select {
		case t, ok := <-p.tasks:
			return p.received(t, ok)
		default:
		}
		if t, ok, waited := p.await(w); waited {
			return p.received(t, ok)
		}
		p.crew.alive.Add(-1) // idle for p.idle: retire
		if p.leaving() {
			return nil, false
		}
	}
}

// received passes on what a receive from the queue returned; once the queue is
// closed and empty, it counts the worker out of alive: it exits.
func (p *pool) received(t task, ok bool) (task, bool) {
	if !ok {
		p.crew.alive.Add(-1)
	}
	return t, ok
}

// leaving reports whether a worker that retired may go. It stays (counted
// back in) if it finds tasks queued or Submits waiting for room, and the crew
// has room for it, since the submission may have seen it alive and started
// no worker (see pool.send); or, though the crew has no room, fewer tasks run
// than the size: the workers left may all be busy in callbacks, waiting for
// room themselves.
func (p *pool) leaving() bool {
	if len(p.tasks) == 0 && p.admission.waiting.Load() == 0 {
		return true
	}
	return !p.crew.rejoin() && !p.crew.stayOver()
}

// await waits up to the idle timeout for a task; waited is false if none came.
func (p *pool) await(w *worker) (t task, ok, waited bool) {
	if w.timer == nil {
		w.timer = time.NewTimer(p.idle)
	} else {
		w.timer.Reset(p.idle)
	}
	p.crew.idlers.Add(1)
	select {
	case t, ok = <-p.tasks:
		w.timer.Stop()
		p.crew.idleFor(p.idle, p.clock.now())
		return t, ok, true
	case <-w.timer.C:
		p.crew.idlers.Add(-1)
		return nil, false, false
	}
}

// runInit runs the init function; if it fails or panics, the executor is
// broken. It reports whether init succeeded.
func (p *pool) runInit(id int) bool {
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
	return err == nil
}

// runExit runs the exit function, if any; a panic in it is logged.
func (p *pool) runExit(id int) {
	if p.exit == nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			log.Printf("futures: worker exit function panicked: %v\n%s", r, debug.Stack())
		}
	}()
	p.exit(id)
}

// breakWith marks the executor broken by worker id's init, unless it is already.
func (p *pool) breakWith(id int, cause error) {
	p.broken.CompareAndSwap(nil, &brokenError{worker: id, cause: cause})
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

// workEntry is the entry address of pool.work, the first call of every
// worker goroutine.
var workEntry = reflect.ValueOf((*pool).work).Pointer()

// workerGoroutine reports whether the calling goroutine is a worker of some
// executor: whether pool.work is at the bottom of its stack. It reads the
// return addresses alone (runtime.Callers), and finds the functions of only
// the last few (a call inlined into pool.work has pool.work's entry).
func workerGoroutine() bool {
	var pcs [64]uintptr
	for skip := 1; ; skip += len(pcs) - 4 { // batches overlap: the last has 4 calls
		n := runtime.Callers(skip, pcs[:])
		if n == len(pcs) {
			continue
		}
		for _, pc := range pcs[max(0, n-4):n] {
			if f := runtime.FuncForPC(pc - 1); f != nil && f.Entry() == workEntry {
				return true
			}
		}
		return false
	}
}
