package futures_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

var (
	modelSeeds = flag.Int("model.seeds", 40, "how many seeds TestModel runs")
	modelSeed  = flag.Uint64("model.seed", 0, "run TestModel for this one seed")
)

// TestModel drives an executor from many goroutines with random operations and
// random tasks, then checks at rest every invariant of the API: one terminal
// state per future, Done closed, Result exactly what fn returned or why it never
// ran, each callback once, the bound, Stats balanced, and no hang. A failure
// names its seed: rerun it with -model.seed=N.
func TestModel(t *testing.T) {
	seeds := make([]uint64, 0, *modelSeeds)
	if *modelSeed != 0 {
		seeds = append(seeds, *modelSeed)
	} else {
		for i := range *modelSeeds {
			seeds = append(seeds, uint64(i+1))
		}
	}
	for _, seed := range seeds {
		if !t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { runModel(t, seed) }) {
			t.Logf("rerun with: go test -race -run TestModel -model.seed=%d", seed)
			return
		}
	}
}

// Kinds of task.
const (
	kReturn = iota // returns its id
	kFail          // returns an error
	kPanic         // panics
	kGoexit        // calls runtime.Goexit
	kBlock         // waits for its ctx to end
	kIgnore        // ignores its ctx for a few turns
	kParent        // submits children with its ctx and waits for them
	kinds
)

// record is what the model knows of one future it made.
type record struct {
	f         *futures.Future[int]
	kind      int
	id        int
	runs      atomic.Int32 // times fn started
	callbacks atomic.Int32 // times OnDone's callback ran
	value     int          // what fn returned, if it returned
	err       error
}

type model struct {
	t        *testing.T
	e        *futures.Executor
	workers  int
	pr       probe
	mu       sync.Mutex
	recs     []*record
	ids      atomic.Int64
	cancels  []context.CancelFunc
	followed []*futures.Future[int] // submitted by callbacks
	maxSize  atomic.Int64           // the largest size the executor had
	hooks    *hooks                 // its workers' init and exit calls
	handled  bool                   // it has a panic handler, which counts panics
	panics   atomic.Int64
}

func runModel(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0))
	workers := 1 + rng.IntN(4)
	m := &model{t: t, workers: workers}
	m.hooks = newHooks()
	opts := append(m.hooks.options(), futures.WithQueueSize(rng.IntN(5)), futures.WithName("model"))
	if idle := []time.Duration{0, 50 * time.Microsecond, time.Millisecond}[rng.IntN(3)]; idle > 0 {
		opts = append(opts, futures.WithIdleTimeout(idle))
	}
	if m.handled = rng.IntN(2) == 0; m.handled {
		opts = append(opts, futures.WithPanicHandler(func(*futures.PanicError) { m.panics.Add(1) }))
	}
	m.maxSize.Store(int64(workers))
	m.e = futures.New(workers, opts...)
	finished := make(chan struct{})
	polled := make(chan struct{})
	go m.dashboard(finished, polled)
	go func() {
		defer close(finished)
		var wg sync.WaitGroup
		for g := range 2 + rng.IntN(6) {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(seed, uint64(g+1)))
				steps := 5 + r.IntN(20)
				for i := range steps {
					m.step(r, i == steps-1)
				}
			})
		}
		wg.Wait()
		if rng.IntN(2) == 0 {
			assert.NoError(t, m.e.Close())
		}
		m.mu.Lock()
		for _, cancel := range m.cancels {
			cancel()
		}
		m.mu.Unlock()
		assert.NoError(t, m.e.ShutdownNow(context.Background()))
	}()
	select {
	case <-finished:
	case <-time.After(20 * time.Second):
		_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
		t.Fatalf("seed %d hangs; the goroutines are above; %+v", seed, m.e.Stats())
	}
	<-polled
	m.check()
}

// step does one random operation; only a goroutine's last step may shut the
// executor down, so that most steps meet a live one.
func (m *model) step(r *rand.Rand, last bool) {
	op := r.IntN(100)
	if op >= 96 && !last {
		op = 0
	}
	switch {
	case op < 30:
		fn, rec := m.task(r, r.IntN(kinds))
		m.track(rec, futures.Submit(m.ctx(r), m.e, fn))
	case op < 40:
		fn, rec := m.task(r, r.IntN(kinds))
		if f, err := futures.TrySubmit(m.ctx(r), m.e, fn); err == nil {
			m.track(rec, f)
		}
	case op < 50:
		if f := m.pick(r); f != nil && f.Cancel() {
			assert.Equal(m.t, futures.Canceled, f.State(), "Cancel returned true")
			assert.True(m.t, isClosed(f.Done()), "Cancel returned true")
		}
	case op < 55:
		if f := m.pick(r); f != nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(r.IntN(200))*time.Microsecond)
			if _, err := f.Result(ctx); !errors.Is(err, context.DeadlineExceeded) || f.State() >= futures.Succeeded {
				m.published(f, "Result")
			}
			cancel()
		}
	case op < 60:
		if f := m.pick(r); f != nil {
			select {
			case <-f.Done():
				m.published(f, "Done")
			case <-time.After(time.Duration(r.IntN(200)) * time.Microsecond):
			}
		}
	case op < 63: // quick tasks, each polled as soon as Done fires
		for range 16 {
			fn, rec := m.task(r, kReturn)
			f := futures.Submit(context.Background(), m.e, fn)
			m.track(rec, f)
			<-f.Done()
			m.published(f, "Done")
		}
	case op < 67:
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		done, _, _ := futures.Wait(ctx, futures.WaitMode(r.IntN(3)), m.some(r)...)
		for _, f := range done {
			m.published(f, "Wait")
		}
		cancel()
	case op < 73:
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		for f := range futures.AsCompleted(ctx, m.some(r)...) {
			m.published(f, "AsCompleted")
			if r.IntN(3) == 0 {
				break
			}
		}
		cancel()
	case op < 82:
		m.group(r)
	case op < 89:
		try := r.IntN(2) == 0
		m.mapped(r, func(ctx context.Context, in []int, fn func(context.Context, int) (int, error)) {
			mapFn := futures.Map[int, int]
			if try {
				mapFn = futures.TryMap[int, int]
			}
			if out, err := mapFn(ctx, m.e, in, fn); err == nil {
				assert.Equal(m.t, in, out)
			}
		})
	case op < 93:
		m.mapped(r, func(ctx context.Context, in []int, fn func(context.Context, int) (int, error)) {
			limit := r.IntN(len(in) + 1)
			i := 0
			for v, err := range futures.MapSeq(ctx, m.e, slices.Values(in), fn) {
				if err == nil {
					assert.Equal(m.t, in[i], v)
				}
				if i++; i == limit {
					break
				}
			}
		})
	case op < 96:
		n := 1 + r.IntN(5)
		for s := m.maxSize.Load(); int64(n) > s && !m.maxSize.CompareAndSwap(s, int64(n)); s = m.maxSize.Load() {
		}
		m.e.Resize(n)
	case op < 98:
		_ = m.e.Shutdown(context.Background())
	default:
		_ = m.e.ShutdownNow(context.Background())
	}
}

// ctx returns a submit ctx: Background, one that ends on its own soon (while
// its task may be queued or running), or one the model cancels at the end.
func (m *model) ctx(r *rand.Rand) context.Context {
	var ctx context.Context
	var cancel context.CancelFunc
	switch r.IntN(3) {
	case 0:
		return context.Background()
	case 1:
		ctx, cancel = context.WithTimeout(context.Background(), time.Duration(r.IntN(300))*time.Microsecond)
	default:
		ctx, cancel = context.WithCancel(context.Background())
	}
	m.mu.Lock()
	m.cancels = append(m.cancels, cancel)
	m.mu.Unlock()
	return ctx
}

// slow waits for ctx to end, or for a moment, whichever comes first.
func slow(ctx context.Context, r *rand.Rand) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Duration(r.IntN(500)) * time.Microsecond):
		return nil
	}
}

// task returns a task of the kind and its record, which gets its future from
// track.
func (m *model) task(r *rand.Rand, kind int) (func(context.Context) (int, error), *record) {
	id := int(m.ids.Add(1))
	children := r.IntN(3)
	wait := rand.New(rand.NewPCG(uint64(id), 0))
	rec := &record{kind: kind, id: id}
	return func(ctx context.Context) (int, error) {
		rec.runs.Add(1)
		m.pr.enter()
		var v int
		var err error
		switch kind {
		case kReturn:
			v = id
		case kFail:
			err = fmt.Errorf("task %d failed", id)
		case kPanic:
			m.pr.leave()
			panic(id)
		case kGoexit:
			m.pr.leave()
			runtime.Goexit()
		case kBlock:
			if err = slow(ctx, wait); err == nil {
				v = id
			}
		case kIgnore:
			for range 10 {
				runtime.Gosched()
			}
			v = id
		case kParent:
			m.pr.leave()
			var fs []*futures.Future[int]
			for c := range children {
				fs = append(fs, futures.Submit(ctx, m.e, func(context.Context) (int, error) {
					m.pr.enter()
					defer m.pr.leave()
					switch (id + c) % 5 { // a child may run in its caller: Goexit ends the parent too
					case 3:
						panic(id)
					case 4:
						runtime.Goexit()
					}
					return 1, nil
				}))
			}
			for _, f := range fs {
				w, _ := f.Result(ctx)
				v += w
			}
			m.pr.enter()
		}
		m.pr.leave()
		rec.value, rec.err = v, err
		return v, err
	}, rec
}

// track records f as rec's future.
func (m *model) track(rec *record, f *futures.Future[int]) {
	rec.f = f
	act := rec.id % 8
	f.OnDone(func() {
		m.published(f, "OnDone")
		m.callback(act)
		rec.callbacks.Add(1)
	})
	m.mu.Lock()
	m.recs = append(m.recs, rec)
	m.mu.Unlock()
}

// callback is what an OnDone callback does beside its checks: what services
// do in callbacks, on whatever goroutine finishes the future (a worker
// between tasks, often). It must never block.
func (m *model) callback(act int) {
	switch act {
	case 0: // a follow-up task, shed when there is no room; never waits
		if f, err := futures.TrySubmit(context.Background(), m.e, value(0)); err == nil {
			m.follow(f)
		}
	case 1: // refused at once, never waits
		f := futures.Submit(doneCtx, m.e, value(0))
		assert.Equal(m.t, futures.Canceled, f.State(), "Submit with a done ctx")
	case 2:
		if f := m.pickNoWait(); f != nil {
			f.Cancel()
		}
	case 3:
		if f := m.pickNoWait(); f != nil {
			_ = f.State()
		}
	default: // a callback that takes a while: Shutdown must not return before it ends
		for range 3 {
			runtime.Gosched()
		}
	}
}

// follow records a future made by a callback, which the checks at rest see
// finished like the others.
func (m *model) follow(f *futures.Future[int]) {
	m.mu.Lock()
	m.followed = append(m.followed, f)
	m.mu.Unlock()
}

// pickNoWait is pick with a rand of its own, for callbacks.
func (m *model) pickNoWait() *futures.Future[int] {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.recs) == 0 {
		return nil
	}
	return m.recs[int(m.ids.Load())%len(m.recs)].f
}

func (m *model) pick(r *rand.Rand) *futures.Future[int] {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.recs) == 0 {
		return nil
	}
	return m.recs[r.IntN(len(m.recs))].f
}

func (m *model) some(r *rand.Rand) []*futures.Future[int] {
	var fs []*futures.Future[int]
	for range r.IntN(5) {
		if f := m.pick(r); f != nil {
			fs = append(fs, f, f) // listed twice: reported once
		}
	}
	return fs
}

// doneCtx is a ctx that is already canceled: Result with it is a poll.
var doneCtx = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// published checks that f, reported finished by how, is terminal with Done closed.
func (m *model) published(f *futures.Future[int], how string) {
	polled, pollErr := f.Result(doneCtx) // before anything else looks at f
	v, err := f.Result(context.Background())
	assert.Equal(m.t, v, polled, "%s reported a future finished; a poll with a done ctx", how)
	assert.Equal(m.t, err, pollErr, "%s reported a future finished; a poll with a done ctx", how)
	assert.GreaterOrEqual(m.t, f.State(), futures.Succeeded, "%s reported a future finished", how)
	assert.True(m.t, isClosed(f.Done()), "%s reported a future finished with Done open", how)
}

// group runs a group of random tasks, some of which submit to the group.
func (m *model) group(r *rand.Rand) {
	g := futures.NewGroup[int](m.ctx(r), m.e)
	if r.IntN(2) == 0 {
		g.SetLimit(1 + r.IntN(3))
	}
	for range 1 + r.IntN(4) {
		kind := []int{kReturn, kFail, kIgnore, kBlock}[r.IntN(4)]
		spawn := r.IntN(3) == 0
		task, rec := m.task(r, kind)
		fn := func(ctx context.Context) (int, error) {
			if spawn {
				g.Submit(value(0))
			}
			return task(ctx)
		}
		if r.IntN(3) > 0 {
			m.track(rec, g.Submit(fn))
		} else if f, err := g.TrySubmit(fn); err == nil {
			m.track(rec, f)
		} else {
			assert.ErrorIs(m.t, err, futures.ErrQueueFull)
		}
	}
	out, err := g.Wait()
	if err == nil {
		for _, v := range out {
			assert.GreaterOrEqual(m.t, v, 0)
		}
	}
}

// mapped runs a Map or MapSeq over a few inputs whose items may fail, panic or
// block, under a ctx that may end.
func (m *model) mapped(r *rand.Rand, run func(context.Context, []int, func(context.Context, int) (int, error))) {
	in := make([]int, r.IntN(8))
	for i := range in {
		in[i] = i
	}
	bad := r.IntN(12)
	ctx := m.ctx(r)
	wait := rand.New(rand.NewPCG(uint64(bad), 1))
	var mu sync.Mutex
	run(ctx, in, func(ctx context.Context, v int) (int, error) {
		m.pr.enter()
		defer m.pr.leave()
		switch {
		case v == bad && bad%3 == 0:
			return 0, errors.New("item failed")
		case v == bad && bad%3 == 1:
			panic("item panicked")
		case v == bad:
			mu.Lock()
			defer mu.Unlock()
			return v, slow(ctx, wait)
		}
		return v, nil
	})
}

// dashboard polls Stats until finished is closed, as a service's metrics do,
// and checks that no counter ever goes down.
func (m *model) dashboard(finished, polled chan struct{}) {
	defer close(polled)
	prev := m.e.Stats()
	for {
		select {
		case <-finished:
			return
		case <-time.After(20 * time.Microsecond):
		}
		s := m.e.Stats()
		if !counterGrew(m.t, prev, s) {
			return
		}
		prev = s
	}
}

// check verifies every invariant once the executor has shut down.
func (m *model) check() {
	t := m.t
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, rec := range m.recs {
		f := rec.f
		s := f.State()
		require.True(t, isClosed(f.Done()), "task %d: %v with Done open", rec.id, s)
		require.Equal(t, int32(1), rec.callbacks.Load(), "task %d: OnDone callbacks", rec.id)
		v, err := f.Result(context.Background())
		runs := rec.runs.Load()
		require.LessOrEqual(t, runs, int32(1), "task %d ran twice", rec.id)
		switch s {
		case futures.Canceled:
			require.Zero(t, runs, "task %d: Canceled but it ran", rec.id)
			require.Error(t, err, "task %d: Canceled with no error", rec.id)
		case futures.Succeeded, futures.Failed:
			require.Equal(t, int32(1), runs, "task %d: %v but it never ran", rec.id, s)
			m.checkOutcome(rec, s, v, err)
		default:
			t.Fatalf("task %d: %v at rest", rec.id, s)
		}
	}
	for _, f := range m.followed {
		require.True(t, isClosed(f.Done()), "a callback's follow-up: %v with Done open", f.State())
	}
	assert.LessOrEqual(t, m.pr.peak.Load(), m.maxSize.Load(), "tasks at once")
	m.hooks.check(t)
	st := m.e.Stats()
	assert.Equal(t, st.Submitted, st.Succeeded+st.Failed+st.Canceled, "Stats at rest: %+v", st)
	if m.handled {
		assert.Equal(t, int64(st.Panicked), m.panics.Load(), "panic handler calls: %+v", st)
	}
	assert.Zero(t, st.Running+st.Queued+st.Started, "Stats at rest: %+v", st)
}

func (m *model) checkOutcome(rec *record, s futures.State, v int, err error) {
	t := m.t
	switch rec.kind {
	case kPanic:
		var pe *futures.PanicError
		require.ErrorAs(t, err, &pe, "task %d", rec.id)
		assert.Equal(t, rec.id, pe.Value)
	case kGoexit:
		assert.ErrorIs(t, err, futures.ErrGoexit, "task %d", rec.id)
	case kParent:
		if errors.Is(err, futures.ErrGoexit) {
			break // a child run in the parent's goroutine called Goexit
		}
		fallthrough
	default:
		assert.Equal(t, rec.value, v, "task %d: Result's value", rec.id)
		assert.Equal(t, rec.err, err, "task %d: Result's error", rec.id)
	}
	assert.Equal(t, err == nil, s == futures.Succeeded, "task %d: %v with error %v", rec.id, s, err)
}
