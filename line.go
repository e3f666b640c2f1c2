package futures

import (
	"container/heap"
	"context"
	"slices"
	"sync"
	"sync/atomic"
)

// line orders the submissions that wait for room on a full queue, so that a
// burst is served in about arrival order.
//
// A channel serves its blocked senders call by call: a request that fans out
// to 8 calls would go to the back for each, and under a burst every request
// would advance a call at a time and all of them end with the burst. In the
// line, only its heads wait on the queue, a few at a time (so that the queue
// never waits for the next one to wake). A Map, a MapSeq and a Group are each
// a request, ranked by the arrival of its first call; a plain Submit is a
// request of its own. Once a call of a request has been queued or let
// through, the request has started: its next calls wait in the started lane,
// which is served before the calls of requests not started, lowest rank
// first. So a request that has started keeps its place until its fan-out is
// queued, however late its goroutine comes back with the next call.
//
// No request keeps its place for ever: after as many turns as the executor
// has workers, its next call waits at the back like a new request's, ranked
// anew. A call whose ctx ends, or that shutdown wakes, leaves at once.
//
// While anyone is in line, a newcomer joins it rather than take room on the
// queue (see admission.ahead). A plain Submit joins only while calls of
// requests are in line: among plain Submits alone, the line would serve them
// first come, first served, as the channel's own line of blocked senders
// does, at twice the wake-ups. Two kinds of call never join: the Try calls
// (admission counts every call in line as holding a place, so a Try call
// admitted is owed one), and a task's nested calls, which never wait.
type line struct {
	mu      sync.Mutex
	heads   int           // calls let through to wait on the queue
	started byRank        // calls of requests that started, lowest rank first
	fresh   []*inLine     // the others, first come first
	ranks   atomic.Uint64 // requests ranked so far
	calls   uint64        // calls that waited so far
	// Calls of requests (not plain Submits) in line or let through: while
	// there are none, a plain Submit waits on the queue at once.
	requests atomic.Int64
}

// request is a fan-out whose calls wait in line as one.
type request struct {
	rank  atomic.Uint64 // its place among the started: when it arrived, by the line's count; 0 before
	begun atomic.Bool   // a call of it was queued or let through
	turns int           // calls let through since it last came from the back; guarded by line.mu
}

// arrive ranks r, if it is new, after the requests that arrived before it.
func (r *request) arrive(l *line) {
	if r != nil && r.rank.Load() == 0 {
		r.rank.CompareAndSwap(0, l.ranks.Add(1))
	}
}

// begin records that a call of r (nil: a plain Submit) was queued.
func (r *request) begin() {
	if r != nil && !r.begun.Load() {
		r.begun.Store(true)
	}
}

// inLine is a call waiting in line. They are reused (waiters): a burst
// makes one per call that waits.
type inLine struct {
	req   *request
	seq   uint64        // the line's count of calls when it joined
	ready chan struct{} // takes one token when it is let through
}

var waiters = sync.Pool{New: func() any { return &inLine{ready: make(chan struct{}, 1)} }}

// headsFor returns how many calls the line lets wait on the queue of an
// executor of size workers at once.
func headsFor(workers int) int { return max(1, workers/32) }

// join waits until a call of r (nil: a request of its own) is let through
// to wait on the queue of an executor of size workers. It returns nil then,
// or the reason it gave up: ctx's cause, or shutdown. A call let through must
// call next once it has queued its task or given up.
func (l *line) join(ctx context.Context, quit <-chan struct{}, shutdown error, r *request, workers int) error {
	l.mu.Lock()
	if l.heads < headsFor(workers) && len(l.started)+len(l.fresh) == 0 {
		l.heads++
		took(r)
		l.mu.Unlock()
		return nil
	}
	w := waiters.Get().(*inLine)
	l.calls++
	w.req, w.seq = r, l.calls
	defer func() { w.req = nil; waiters.Put(w) }()
	switch {
	case r == nil || !r.begun.Load():
		l.fresh = append(l.fresh, w)
	case r.turns >= workers: // it had its turns: to the back, as if new
		r.turns = 0
		r.rank.Store(l.ranks.Add(1))
		heap.Init(&l.started) // other calls of r may wait there, ranked anew
		l.fresh = append(l.fresh, w)
	default:
		heap.Push(&l.started, w)
	}
	l.mu.Unlock()
	var err error
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		err = context.Cause(ctx)
	case <-quit:
		err = shutdown
	}
	l.mu.Lock()
	left := l.remove(w)
	l.mu.Unlock()
	if !left { // it was let through meanwhile: let the next one through
		<-w.ready
		l.next()
	}
	return err
}

// next lets the first call waiting through in the caller's stead, started
// ones first.
func (l *line) next() {
	l.mu.Lock()
	defer l.mu.Unlock()
	var w *inLine
	switch {
	case len(l.started) > 0:
		w = heap.Pop(&l.started).(*inLine)
		took(w.req)
	case len(l.fresh) > 0:
		w = pop(&l.fresh)
		took(w.req)
	default:
		l.heads--
		return
	}
	w.ready <- struct{}{}
}

// pop takes the first call out of lane. It clears its slot: a request may
// be a Group, which keeps its executor alive.
func pop(lane *[]*inLine) *inLine {
	w := (*lane)[0]
	(*lane)[0] = nil
	*lane = (*lane)[1:]
	return w
}

// took counts a turn for r, a call let through. The caller holds the
// line's mu.
func took(r *request) {
	if r != nil {
		r.turns++
		r.begin()
	}
}

// remove takes w out of its lane, and reports whether it was there. The
// caller holds mu.
func (l *line) remove(w *inLine) bool {
	if i := slices.Index(l.started, w); i >= 0 {
		heap.Remove(&l.started, i)
		return true
	}
	if i := slices.Index(l.fresh, w); i >= 0 {
		l.fresh = slices.Delete(l.fresh, i, i+1)
		return true
	}
	return false
}

// byRank is the started lane, a heap: the call of the request ranked lowest
// (the first to arrive), and of its calls the first to join, comes first.
type byRank []*inLine

func (h byRank) Len() int { return len(h) }
func (h byRank) Less(i, j int) bool {
	a, b := h[i], h[j]
	ra, rb := a.req.rank.Load(), b.req.rank.Load()
	return ra < rb || ra == rb && a.seq < b.seq
}
func (h byRank) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *byRank) Push(x any)   { *h = append(*h, x.(*inLine)) }
func (h *byRank) Pop() any {
	old := *h
	w := old[len(old)-1]
	old[len(old)-1] = nil // a request may be a Group, which keeps its executor alive
	*h = old[:len(old)-1]
	return w
}
