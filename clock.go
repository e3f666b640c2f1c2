package futures

import (
	"sync/atomic"
	"time"
)

// clock times tasks for Stats.QueueTime and Stats.RunTime.
//
// Reading the time costs about 25 ns, a tenth of a tiny task's whole cost, so
// not every task is timed: after a timed task that ran for less than
// fastRun, one in sampled is (by the number admission gave it), and its times
// count sampled times over; after one that ran for slowRun or more, every
// task is, and the times are exact. Either way the totals are right on average, and a service
// whose tasks wait on I/O gets them exact.
//
// A timed task carries its stamp, the time it was counted in, in 32 bits: a
// flag that it is timed, its weight, and the time in microseconds modulo
// 2^30 (about 18 minutes, the longest wait it measures).
type clock struct {
	_     [128]byte
	epoch time.Time     // with a monotonic reading
	every atomic.Uint64 // tasks timed: one in every+1 (every is 0 or sampled-1)
	_     [128 - 32]byte
}

const (
	sampled  = 16
	slowRun  = 50 * time.Microsecond // a run that makes every task timed
	fastRun  = 5 * time.Microsecond  // a run that makes one in sampled timed
	timedBit = 1 << 31
	heavyBit = 1 << 30 // the task stands for sampled tasks
	usMask   = heavyBit - 1
)

// init starts with every task timed, so that an executor whose tasks are not
// tiny has exact times from its first task.
func (c *clock) init() { c.epoch = time.Now() }

// now returns the time since the epoch.
func (c *clock) now() time.Duration { return time.Since(c.epoch) }

// due reports whether the task numbered n is timed: while the clock
// samples, most are not, and that costs a load.
func (c *clock) due(n uint64) bool { return n&c.every.Load() == 0 }

// stamp returns the stamp of a task that is due: now, and heavy while the
// clock samples (if it stopped sampling since due, the task counts once).
func (c *clock) stamp() uint32 {
	every := c.every.Load()
	s := uint32(c.now()/time.Microsecond)&usMask | timedBit
	if every != 0 {
		s |= heavyBit
	}
	return s
}

// weight returns how many tasks a timed task stands for.
func weight(stamp uint32) time.Duration {
	if stamp&heavyBit != 0 {
		return sampled
	}
	return 1
}

// waited returns how long a task stamped stamp waited until now.
func waited(stamp uint32, now time.Duration) time.Duration {
	us := (uint32(now/time.Microsecond) - stamp) & usMask
	return time.Duration(us) * time.Microsecond
}

// ran adapts the sampling to a timed task that ran for d.
func (c *clock) ran(d time.Duration) {
	switch every := c.every.Load(); {
	case d >= slowRun && every != 0:
		c.every.Store(0)
	case d < fastRun && every == 0:
		c.every.Store(sampled - 1)
	}
}
