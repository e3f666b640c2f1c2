package futures

import "time"

// Stats is a snapshot of an executor's counters; see [Executor.Stats].
//
// Every uint64 and [time.Duration] field only grows, so each can be exported as
// a counter (a Prometheus counter, say); the int fields are gauges. At rest
// (once [Executor.Shutdown] has returned nil, or whenever nothing is submitted,
// queued or running) Submitted == Succeeded + Failed + Canceled. The mean time
// a task waited in the queue over a window is ΔQueueTime / Δ(Succeeded +
// Failed).
type Stats struct {
	Workers   int    // the pool's size: the most tasks that start at once (see [Executor.Resize])
	Started   int    // worker goroutines started and not exited
	Running   int    // tasks running now, on workers or in callers
	Queued    int    // tasks waiting in the queue now, canceled ones included
	QueueSize int    // the queue's capacity
	Submitted uint64 // tasks accepted: queued, handed to a worker, or run in their caller
	Succeeded uint64 // finished with a nil error
	Failed    uint64 // finished with an error, panics and runtime.Goexit included
	Panicked  uint64 // the part of Failed that panicked
	Canceled  uint64 // accepted, then never ran: Cancel, ctx done, ShutdownNow or broken
	Rejected  uint64 // refused calls: a Try call with no room, a Submit whose ctx ended or that gave up waiting for room, after shutdown, or broken

	// QueueTime is the total time from acceptance to start, over the tasks
	// that started; a task run in its caller adds 0. A task is accepted when
	// Submit offers it to the queue, so the time a Submit waited for room
	// counts too.
	QueueTime time.Duration
	// RunTime is the total time tasks ran, over finished tasks; a child run
	// inside its parent counts in both.
	//
	// Both times are read from the clock for one task in 16 while the tasks
	// timed last ran for less than 5 µs (each of those counts 16 times), and
	// for every task after one ran for 50 µs or more: exact for tasks that
	// wait on I/O, right on average for tiny ones, at a cost of a few
	// nanoseconds a task.
	RunTime time.Duration
}

// Stats returns the executor's counters. Each is read atomically, but not all
// at one instant: while tasks move, the sums may be off by the tasks in flight,
// but no counter ever reads lower than it did before. A queued task whose ctx
// ended counts as Canceled once something notices: a waiter, its State, or the
// worker that discards it; until a worker does, it still counts in Queued.
func (e *Executor) Stats() Stats {
	p := e.pool()
	s := Stats{
		Workers:   int(p.crew.size.Load()),
		Started:   int(p.crew.alive.Load()),
		QueueSize: cap(p.tasks),
		Canceled:  p.canceled.Load(),
		Rejected:  p.rejected.Load(),
	}
	var started, taken uint64
	p.crew.each(func(t *tally) {
		started += t.started.Load()
		s.Succeeded += t.succeeded.Load()
		s.Failed += t.failed.Load()
		s.Panicked += t.panicked.Load()
		s.QueueTime += time.Duration(t.queueTime.Load())
		s.RunTime += time.Duration(t.runTime.Load())
		taken += t.taken()
	})
	s.Queued = len(p.tasks)
	s.Running = int(max(0, int64(started-s.Succeeded-s.Failed)))
	s.Submitted = p.submittedStat(taken + uint64(s.Queued))
	return s
}

// submittedStat returns Stats.Submitted, given the tasks taken from the queue
// (by workers or by ShutdownNow's drain) counted before the tasks still in it.
//
// The count that admission keeps (submitted) goes down when a Submit that
// waited for room gives up, so Stats does not report it. Tasks taken from the
// queue, tasks in it and tasks run in their submitter were all accepted, and
// read in that order (taken before queued) none is counted twice: the sum
// never exceeds the tasks accepted, and equals it at rest. It may lag behind
// while tasks move, so the highest sum reported yet is kept and reported, and
// Submitted only grows.
func (p *pool) submittedStat(takenAndQueued uint64) uint64 {
	n := takenAndQueued + p.admission.here.Load()
	for {
		seen := p.submittedSeen.Load()
		if n <= seen || p.submittedSeen.CompareAndSwap(seen, n) {
			return max(n, seen)
		}
	}
}
