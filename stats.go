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
	_         [128 - 40]byte
}

// discard gives back the queue slot of a task taken from the queue that will
// not run here, if it held one. A task that runs gives its slot back when it
// is counted as succeeded or failed, before its outcome is published, so that
// its worker counts as idle for TrySubmit once Result returns.
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
