package futures_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

// tracked is a future with what the test knows of it.
type tracked struct {
	f     *futures.Future[int]
	kind  byte         // what its task does: see tracker.submit
	ran   atomic.Int32 // how often its task started
	dones atomic.Int32 // how often its OnDone callback ran
}

// tracker submits tasks of known behaviour and checks every future afterwards.
type tracker struct {
	e   *futures.Executor
	mu  sync.Mutex
	all []*tracked
}

func newTracker(e *futures.Executor) *tracker {
	return &tracker{e: e}
}

var errTask = errors.New("task failed")

// submit submits a task: kind 0 succeeds, 1 fails, 2 panics, 3 runs a while
// and returns early if its ctx ends. With try, it uses TrySubmit.
func (tr *tracker) submit(ctx context.Context, kind byte, try bool) {
	tc := &tracked{kind: kind % 4}
	fn := func(ctx context.Context) (int, error) {
		tc.ran.Add(1)
		switch tc.kind {
		case 1:
			return 0, errTask
		case 2:
			panic("stress")
		case 3:
			for range 100 {
				if err := ctx.Err(); err != nil {
					return 0, err
				}
				runtime.Gosched()
			}
		}
		return 1, nil
	}
	if try {
		f, err := futures.TrySubmit(ctx, tr.e, fn)
		if err != nil {
			return
		}
		tc.f = f
	} else {
		tc.f = futures.Submit(ctx, tr.e, fn)
	}
	tc.f.OnDone(func() { tc.dones.Add(1) })
	tr.mu.Lock()
	tr.all = append(tr.all, tc)
	tr.mu.Unlock()
}

// pick returns a future submitted so far, or nil.
func (tr *tracker) pick(n int) *futures.Future[int] {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.all) == 0 {
		return nil
	}
	return tr.all[n%len(tr.all)].f
}

func (tr *tracker) futures() []*futures.Future[int] {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	fs := make([]*futures.Future[int], len(tr.all))
	for i, tc := range tr.all {
		fs[i] = tc.f
	}
	return fs
}

// finish closes the executor and checks that every
// future finished exactly once, in a state that matches its result and its
// task, and that the counters add up.
func (tr *tracker) finish(t testing.TB) {
	t.Helper()
	require.NoError(t, tr.e.Close())
	var ran, canceled uint64
	for _, tc := range tr.all {
		f := tc.f
		<-f.Done()
		require.Equal(t, int32(1), tc.dones.Load(), "OnDone ran %d times", tc.dones.Load())
		v, err := f.Result(context.Background())
		switch f.State() {
		case futures.Succeeded:
			require.NoError(t, err)
			require.Equal(t, 1, v)
		case futures.Failed:
			require.Error(t, err)
			var pe *futures.PanicError
			switch tc.kind {
			case 1:
				require.ErrorIs(t, err, errTask)
			case 2:
				require.ErrorAs(t, err, &pe)
			case 3:
				require.ErrorIs(t, err, context.Canceled)
			}
		case futures.Canceled:
			require.Error(t, err)
			require.Zero(t, tc.ran.Load(), "a canceled task ran")
			canceled++
			continue
		default:
			t.Fatalf("future left %v", f.State())
		}
		require.Equal(t, int32(1), tc.ran.Load(), "a finished task ran %d times", tc.ran.Load())
		ran++
	}
	s := tr.e.Stats()
	require.Equal(t, s.Submitted, s.Succeeded+s.Failed+s.Canceled, "stats %+v", s)
	require.Equal(t, ran, s.Succeeded+s.Failed, "stats %+v", s)
	require.Zero(t, s.Running)
	require.LessOrEqual(t, canceled, s.Canceled+s.Rejected)
}

// act does one operation chosen by op on tr.
func (tr *tracker) act(op, arg byte) {
	polled, cancel := context.WithCancel(context.Background())
	cancel()
	switch op % 10 {
	case 0, 1, 2:
		tr.submit(context.Background(), arg, false)
	case 3:
		ctx, cancel := context.WithCancel(context.Background())
		tr.submit(ctx, arg, arg%2 == 0)
		cancel()
	case 4:
		if f := tr.pick(int(arg)); f != nil {
			f.Cancel()
		}
	case 5:
		if f := tr.pick(int(arg)); f != nil {
			_, _ = f.Result(polled)
		}
	case 6:
		_, _, _ = futures.Wait(polled, futures.WaitMode(arg%3), tr.futures()...)
	case 7:
		for range futures.AsCompleted(polled, tr.futures()...) {
			if arg%2 == 0 {
				break
			}
		}
	case 8:
		tr.submit(context.Background(), arg, true)
	case 9:
		if arg%8 == 0 {
			if arg%16 == 0 {
				_ = tr.e.ShutdownNow(polled)
			} else {
				_ = tr.e.Shutdown(polled)
			}
		}
	}
}

func TestStressManyGoroutines(t *testing.T) {
	const goroutines, ops = 8, 1250 // 10,000 operations
	tr := newTracker(futures.New(4, futures.WithQueueSize(8)))
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), rand.Uint64()))
			for range ops {
				tr.act(byte(r.IntN(256)), byte(r.IntN(256)))
			}
		})
	}
	wg.Wait()
	tr.finish(t)
}

func FuzzExecutor(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		tr := newTracker(futures.New(2, futures.WithQueueSize(2)))
		for i := 0; i+1 < len(data) && i < 400; i += 2 {
			tr.act(data[i], data[i+1])
		}
		tr.finish(t)
	})
}
