package futures

import (
	"sync/atomic"
	"time"
)

// tally counts the tasks that one worker ran. Each worker has its own, on its
// own cache lines, so that workers do not contend on counters; tasks run in a
// submitter's goroutine (nested work) share one more, and the tasks that
// ShutdownNow takes from the queue another (see crew).
type tally struct {
	started   atomic.Uint64
	succeeded atomic.Uint64
	failed    atomic.Uint64
	panicked  atomic.Uint64
	discarded atomic.Uint64 // taken from the queue, not run: see admission
	queueTime atomic.Int64  // nanoseconds
	runTime   atomic.Int64  // nanoseconds
	fromQueue bool          // its tasks came from the queue, each holding a place
	_         [128 - 7*8 - 1]byte
}

// taken counts the tasks taken from the queue, run (started) or discarded;
// the tasks run in their submitter's goroutine never were in it.
func (t *tally) taken() uint64 {
	if !t.fromQueue {
		return 0
	}
	return t.started.Load() + t.discarded.Load()
}

// discard gives back the place of a task taken from the queue that will not
// run here, if it held one. A task that runs gives its place back when it is
// counted as succeeded or failed (see admission).
func (t *tally) discard() {
	if t.fromQueue {
		t.discarded.Add(1)
	}
}

// timed adds a timed task's run time, and its wait in the queue if it came
// from there: see clock.
func (t *tally) timed(stamp uint32, start, end time.Duration) {
	w := weight(stamp)
	if t.fromQueue {
		t.queueTime.Add(int64(w * waited(stamp, start)))
	}
	t.runTime.Add(int64(w * (end - start)))
}

// count records a finished task, before its outcome is published: its place
// is free from here on (see admission).
func (t *tally) count(err error, panicked bool) {
	switch {
	case err == nil:
		t.succeeded.Add(1)
	case panicked:
		t.panicked.Add(1)
		fallthrough
	default:
		t.failed.Add(1)
	}
}

// paddedCounter is a counter alone on its cache lines.
type paddedCounter struct {
	atomic.Uint64
	_ [128 - 8]byte
}
