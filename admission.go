package futures

import (
	"sync"
	"sync/atomic"
)

// admission counts the tasks that hold a place in the executor, and decides
// the Try calls (TrySubmit, TryMap, Group.TrySubmit) by that count.
//
// A place is a worker or a queue slot: the executor's size plus the queue's
// capacity in all. A task holds one from when it is counted in, before it can
// be queued, until a worker counts it out in its tally (succeeded, failed or
// discarded, before the outcome is published: see tally.count), or until its
// submitter withdraws it (it gave up waiting for room). A task run in its
// submitter's goroutine holds none: it is counted here as well.
//
// The invariant: unfinished never reads less than the places held, so a Try
// call never admits a task into a place that is not free. It holds because a
// task is counted in before it can be queued (no worker can count it out
// first), and unfinished reads the workers' counts out before the counts in:
// a count that moves while it reads can only make it larger.
//
// Some submissions are ahead of any newcomer: a Try task admitted into a
// place, until it is queued, and a call waiting in line (see line). While any
// is, no other submission takes the queue's room without asking admission
// (the Try calls) or joining the line (the others), so none can take the
// place a Try task was admitted into, or the turn of a call in line. A Try
// call counts itself ahead before it reads the counts in, and a submission
// counts itself in before it reads ahead: so either the Try call sees the
// submission (and counts it), or the submission sees the Try call (and asks
// admission).
//
// The hot path (a Submit whose task fits in the queue) costs one atomic add
// and one load here; the sums over the workers' tallies are read only by a
// Try call that found the queue full.
type admission struct {
	// Written by submitters, on a cache line of their own.
	in      atomic.Uint64 // tasks counted in, less those withdrawn
	waiting atomic.Int64  // Submits waiting for room (see crew.resize)
	ahead   atomic.Int64  // Try tasks admitted and not queued yet, and calls in line
	_       [128 - 24]byte
	here    paddedCounter // the part of in run by their submitter

	mu sync.Mutex // one Try decision at a time, each seeing those before it
}

// countIn counts a task in before it can be queued, and returns its number.
func (a *admission) countIn() uint64 { return a.in.Add(1) }

// countHere records that a counted-in task runs in its submitter.
func (a *admission) countHere() { a.here.Add(1) }

// withdraw uncounts a task that was counted in but never queued.
func (a *admission) withdraw() { a.in.Add(^uint64(0)) }

// unfinished returns how many places are held: queued tasks, tasks running on
// a worker, and tasks counted in and waiting to be queued. A worker counts
// out a task it finished before it publishes the outcome, so its place is
// free as soon as anyone can see the task finished, even while it runs the
// task's OnDone callbacks.
func (a *admission) unfinished(p *pool) int64 {
	out := p.crew.countedOut() // before the counts in: see admission
	return int64(a.in.Load() - a.here.Load() - out)
}

// free returns how many places are free now: the places, less those held. It
// may be negative (after Resize shrank the executor, say).
func (a *admission) free(p *pool) int64 {
	return p.crew.size.Load() + int64(cap(p.tasks)) - a.unfinished(p)
}

// freeForCaller is free less the caller's own place if it is a worker between
// tasks: a task admitted into it would wait for the caller.
func (a *admission) freeForCaller(p *pool) int64 {
	n := a.free(p)
	if p.crew.betweenTasks() {
		n--
	}
	return n
}

// keep decides a TrySubmit whose task, counted in already, found no room on
// the queue at once: it keeps the task if that takes no more than the places
// (a worker is then on its way back to the queue, or not started yet), and
// otherwise withdraws it and reports false.
//
// own reports that the caller is a worker between tasks: it must not wait
// for room at all, since the room may be its own.
func (a *admission) keep(p *pool) (ok, own bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ahead.Add(1) // before it reads in: see admission
	own = p.crew.betweenTasks()
	n := a.free(p)
	if own {
		n--
	}
	if n >= 0 {
		return true, own
	}
	a.ahead.Add(-1)
	a.withdraw() // before the next decision
	return false, own
}

// stillFree decides again for a kept task whose place a Resize may have taken
// away: it withdraws it if the places no longer hold it.
func (a *admission) stillFree(p *pool) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.freeForCaller(p) >= 0 {
		return true
	}
	a.withdraw()
	return false
}

// reserve counts n tasks in at once if n places are free, all or nothing:
// TryMap's admission. The tasks are then submitted as admitted, which does
// not count them again.
func (a *admission) reserve(p *pool, n int64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ahead.Add(n) // before it reads in: see admission
	if a.freeForCaller(p) < n {
		a.ahead.Add(-n)
		return false
	}
	a.in.Add(uint64(n))
	return true
}
