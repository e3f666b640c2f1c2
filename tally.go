package futures

import "sync/atomic"

// tally counts the tasks that one worker ran. Each worker has its own, on its
// own cache lines, so that workers do not contend on counters; tasks run in a
// submitter's goroutine (nested work) share one more.
type tally struct {
	started   atomic.Uint64
	succeeded atomic.Uint64
	failed    atomic.Uint64
	panicked  atomic.Uint64
	discarded atomic.Uint64 // taken from the queue, not run: see pool.unfinished
	queueTime atomic.Int64  // nanoseconds
	runTime   atomic.Int64  // nanoseconds
	outside   bool          // the last tally: tasks run outside the workers
	_         [128 - 65]byte
}

// taken counts the tasks taken from the queue: a worker's tally counts only
// those, run (started) or discarded; the last tally's discards are the tasks
// that ShutdownNow took from the queue, and its started ones never were in it.
func (t *tally) taken() uint64 {
	if t.outside {
		return t.discarded.Load()
	}
	return t.started.Load() + t.discarded.Load()
}

// discard gives back the queue slot of a task taken from the queue that will
// not run here, if it held one. A task that runs gives its slot back when it
// is counted as succeeded or failed, before its outcome is published, so that
// its worker counts as room for TrySubmit as soon as its task is finished.
func (t *tally) discard(slot bool) {
	if slot {
		t.discarded.Add(1)
	}
}

// count records a finished task.
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
