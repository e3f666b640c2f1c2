package futures_test

import (
	"context"
	"fmt"
	"log"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

// patience bounds every wait of these tests for something that should
// happen: it is generous, since only a broken executor exhausts it.
const patience = 30 * time.Second

// site is a task that panics with itself as the value, so that the panic
// handler can tell which task it hears about and check where and when.
type site struct {
	release   chan struct{}   // if not nil, the task waits for it before it panics
	done      <-chan struct{} // the future's Done, when the test has it before the panic
	gid       uint64          // the goroutine that ran the task
	callbacks atomic.Int32    // OnDone callbacks run, when the test adds them
}

func newSite(gated bool) *site {
	s := &site{}
	if gated {
		s.release = make(chan struct{})
	}
	return s
}

func (s *site) run(context.Context) (int, error) {
	s.gid = goroutineID()
	if s.release != nil {
		<-s.release
	}
	panic(s)
}

// handled is what the handler saw of one call.
type handled struct {
	pe        *futures.PanicError
	site      *site
	sameG     bool  // the handler ran in the goroutine that ran the task
	finished  bool  // the future's Done (if the site has it) was closed
	callbacks int32 // the future's callbacks that had run
}

// handlerLog is a panic handler that records each call.
type handlerLog struct{ calls chan handled }

func newHandlerLog() *handlerLog { return &handlerLog{calls: make(chan handled, 64)} }

func (h *handlerLog) option() futures.Option {
	return futures.WithPanicHandler(func(pe *futures.PanicError) {
		s, _ := pe.Value.(*site)
		c := handled{pe: pe, site: s}
		if s != nil {
			c.sameG = s.gid == goroutineID()
			c.finished = s.done == nil || isClosed(s.done)
			c.callbacks = s.callbacks.Load()
		}
		h.calls <- c
	})
}

// only shuts e down, which waits for every call of the handler, and returns
// the one call it requires there was.
func (h *handlerLog) only(t *testing.T, e *futures.Executor) handled {
	t.Helper()
	require.NoError(t, e.Close())
	require.Len(t, h.calls, 1, "handler calls")
	return <-h.calls
}

// requireSeen requires the handler call c to be about s's panic, pe, seen in
// the goroutine that ran it after its future finished.
func requireSeen(t *testing.T, c handled, s *site, err error) {
	t.Helper()
	var pe *futures.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Same(t, pe, c.pe, "the handler's *PanicError is not the one returned")
	assert.Same(t, s, c.site)
	assert.True(t, c.sameG, "the handler ran in another goroutine than the task")
	assert.True(t, c.finished, "the handler ran before the future's Done was closed")
}

func TestPanicHandlerSeesASubmitTask(t *testing.T) {
	h := newHandlerLog()
	e := futures.New(2, h.option())
	s := newSite(true)
	f := futures.Submit(context.Background(), e, s.run)
	s.done = f.Done()
	f.OnDone(func() { s.callbacks.Add(1) })
	close(s.release)
	_, err := f.Result(context.Background())
	c := h.only(t, e)
	requireSeen(t, c, s, err)
	assert.Equal(t, int32(1), c.callbacks, "callbacks run before the handler")
	assert.Equal(t, uint64(1), e.Stats().Panicked)
}

func TestPanicHandlerSeesAGoTask(t *testing.T) {
	h := newHandlerLog()
	e := futures.New(1, h.option())
	s := newSite(true)
	f := e.Go(context.Background(), func(ctx context.Context) error {
		_, err := s.run(ctx)
		return err
	})
	s.done = f.Done()
	close(s.release)
	_, err := f.Result(context.Background())
	requireSeen(t, h.only(t, e), s, err)
}

func TestPanicHandlerSeesAGroupTask(t *testing.T) {
	h := newHandlerLog()
	e := futures.New(2, h.option())
	g := futures.NewGroup[int](context.Background(), e)
	s := newSite(true)
	f := g.Submit(s.run)
	g.Submit(value(1))
	s.done = f.Done()
	close(s.release)
	_, err := g.Wait()
	requireSeen(t, h.only(t, e), s, err)
}

func TestPanicHandlerSeesAChildRunInItsCaller(t *testing.T) {
	h := newHandlerLog()
	e := futures.New(1, futures.WithQueueSize(1), h.option())
	s := newSite(false)
	var parent uint64
	f := futures.Submit(context.Background(), e, func(ctx context.Context) (int, error) {
		parent = goroutineID()
		child := futures.Submit(ctx, e, s.run) // queued: the only worker runs this task
		s.done = child.Done()
		return child.Result(ctx) // runs the child here
	})
	_, err := f.Result(context.Background())
	c := h.only(t, e)
	requireSeen(t, c, s, err)
	assert.Equal(t, parent, s.gid, "the child did not run in its caller")
	st := e.Stats()
	assert.Equal(t, uint64(1), st.Panicked, "the parent returned the child's panic: it did not panic")
	assert.Equal(t, uint64(2), st.Failed)
}

func TestPanicHandlerSeesAMapItem(t *testing.T) {
	h := newHandlerLog()
	e := futures.New(2, h.option())
	s := newSite(false)
	_, err := futures.Map(context.Background(), e, []int{0, 1, 2}, func(ctx context.Context, i int) (int, error) {
		if i == 1 {
			return s.run(ctx)
		}
		return i, nil
	})
	requireSeen(t, h.only(t, e), s, err)
	st := e.Stats()
	assert.Equal(t, uint64(1), st.Panicked)
	assert.LessOrEqual(t, st.Panicked, st.Failed)
}

// Two items that panic at once: Map returns one, and the handler sees both.
func TestPanicHandlerSeesEveryMapItem(t *testing.T) {
	h := newHandlerLog()
	e := futures.New(2, h.option())
	var started sync.WaitGroup
	started.Add(2)
	_, err := futures.Map(context.Background(), e, []int{0, 1}, func(_ context.Context, i int) (int, error) {
		started.Done()
		started.Wait() // each runner takes one item: both run at once
		panic(i)
	})
	var pe *futures.PanicError
	require.ErrorAs(t, err, &pe)
	require.NoError(t, e.Close())
	require.Len(t, h.calls, 2)
	seen := []any{(<-h.calls).pe.Value, (<-h.calls).pe.Value}
	assert.ElementsMatch(t, []any{0, 1}, seen)
	st := e.Stats()
	assert.Equal(t, uint64(2), st.Panicked)
	assert.Equal(t, uint64(2), st.Failed)
}

func TestPanicHandlerSeesAMapSeqItem(t *testing.T) {
	h := newHandlerLog()
	e := futures.New(2, h.option())
	s := newSite(false)
	var got error
	for _, err := range futures.MapSeq(context.Background(), e, slices.Values([]int{0, 1, 2}), func(ctx context.Context, i int) (int, error) {
		if i == 1 {
			return s.run(ctx)
		}
		return i, nil
	}) {
		if err != nil {
			got = err
		}
	}
	requireSeen(t, h.only(t, e), s, got)
	assert.Equal(t, uint64(1), e.Stats().Panicked)
}

func TestShutdownWaitsForThePanicHandler(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	open := sync.OnceFunc(func() { close(release) })
	t.Cleanup(open) // if the test fails early
	e := futures.New(1, futures.WithPanicHandler(func(*futures.PanicError) {
		close(entered)
		<-release
	}))
	f := futures.Submit(context.Background(), e, func(context.Context) (int, error) { panic("slow handler") })
	receive(t, entered, "the handler was not called")
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	_, err := f.Result(ctx) // finished before the handler was called
	var pe *futures.PanicError
	require.ErrorAs(t, err, &pe)

	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, e.Shutdown(ctx), context.DeadlineExceeded, "Shutdown returned while the handler ran")
	open()
	require.NoError(t, e.Shutdown(context.Background()))
}

func TestPanicHandlerThatPanicsIsLogged(t *testing.T) {
	out := captureLog(t)
	var gids []uint64
	e := futures.New(1, futures.WithPanicHandler(func(*futures.PanicError) {
		gids = append(gids, goroutineID())
		panic("handler bug")
	}))
	for range 2 {
		_, err := futures.Submit(context.Background(), e, func(context.Context) (int, error) {
			panic("task bug")
		}).Result(context.Background())
		var pe *futures.PanicError
		require.ErrorAs(t, err, &pe)
	}
	require.NoError(t, e.Close())
	require.Len(t, gids, 2)
	assert.Equal(t, gids[0], gids[1], "the worker did not survive its handler's panic")
	logged := out.String()
	assert.Equal(t, 2, strings.Count(logged, "futures: panic handler panicked: handler bug\n"), logged)
	assert.Contains(t, logged, "panics_test.go", "no stack logged")
	st := e.Stats()
	assert.Equal(t, uint64(2), st.Panicked)
	assert.Equal(t, uint64(2), st.Failed)
}

func TestPanicHandlerThatCallsGoexit(t *testing.T) {
	for _, nested := range []bool{false, true} {
		t.Run(fmt.Sprintf("nested=%v", nested), func(t *testing.T) {
			var calls atomic.Int32
			e := futures.New(1, futures.WithQueueSize(1), futures.WithPanicHandler(func(*futures.PanicError) {
				calls.Add(1)
				runtime.Goexit()
			}))
			panics := func(context.Context) (int, error) { panic("then Goexit") }
			f := futures.Submit(context.Background(), e, func(ctx context.Context) (int, error) {
				if !nested {
					return panics(ctx)
				}
				return futures.Submit(ctx, e, panics).Result(ctx) // run here, which exits
			})
			_, err := f.Result(context.Background())
			if nested {
				assert.ErrorIs(t, err, futures.ErrGoexit)
			} else {
				var pe *futures.PanicError
				assert.ErrorAs(t, err, &pe)
			}
			v, err := futures.Submit(context.Background(), e, value(7)).Result(context.Background())
			require.NoError(t, err)
			assert.Equal(t, 7, v)
			require.NoError(t, e.Close())
			assert.Equal(t, int32(1), calls.Load())
			st := e.Stats()
			assert.Equal(t, uint64(1), st.Panicked)
			assert.Equal(t, st.Submitted, st.Succeeded+st.Failed+st.Canceled)
		})
	}
}

// A callback that calls runtime.Goexit ends the worker, but the handler is
// still called, once, after the callbacks.
func TestPanicHandlerRunsAfterACallbackThatExits(t *testing.T) {
	h := newHandlerLog()
	e := futures.New(1, h.option())
	s := newSite(true)
	f := futures.Submit(context.Background(), e, s.run)
	s.done = f.Done()
	f.OnDone(func() { s.callbacks.Add(1); runtime.Goexit() })
	f.OnDone(func() { s.callbacks.Add(1) })
	close(s.release)
	_, err := f.Result(context.Background())
	c := h.only(t, e)
	requireSeen(t, c, s, err)
	assert.Equal(t, int32(2), c.callbacks)
}

// An unread panic is logged once its future is collected; one that Result
// returned, or that the handler saw, is not.
func TestUnreadPanicIsLoggedWhenItsFutureIsCollected(t *testing.T) {
	out := captureLog(t)
	plain := newExecutor(t, 1)
	handled := newExecutor(t, 1, futures.WithPanicHandler(func(*futures.PanicError) {}))
	token := fmt.Sprintf("token-%d", time.Now().UnixNano())
	panicking := func(what string) func(context.Context) (int, error) {
		return func(context.Context) (int, error) { panic(token + "-" + what) }
	}
	func() {
		_, err := futures.Submit(context.Background(), plain, panicking("read")).Result(context.Background())
		require.Error(t, err)
		<-futures.Submit(context.Background(), handled, panicking("handled")).Done()
		<-futures.Submit(context.Background(), plain, panicking("unread")).Done()
	}()
	collect(t, out, token+"-unread")
	collect(t, out, "") // more rounds, for the cleanups of the others to run too
	logged := out.String()
	assert.Equal(t, 1, strings.Count(logged, token+"-unread\n"), logged)
	assert.Contains(t, logged, "futures: a task's panic was never retrieved: "+token+"-unread\n")
	assert.Contains(t, logged, "panics_test.go", "no stack logged")
	assert.NotContains(t, logged, token+"-read", "a panic that Result returned was logged")
	assert.NotContains(t, logged, token+"-handled", "a panic that the handler saw was logged")
}

// A panic that Group.Wait or MapSeq returned is read; one that a Group did not
// return (another task failed first) is logged once the group is collected.
func TestPanicReadThroughGroupAndMapSeq(t *testing.T) {
	out := captureLog(t)
	e := newExecutor(t, 2)
	token := fmt.Sprintf("token-%d", time.Now().UnixNano())
	var returned, other string
	func() {
		g := futures.NewGroup[int](context.Background(), e)
		var started sync.WaitGroup
		started.Add(2)
		for i := range 2 {
			g.Submit(func(context.Context) (int, error) {
				started.Done()
				started.Wait() // both run at once
				panic(fmt.Sprintf("%s-group-%d", token, i))
			})
		}
		_, err := g.Wait()
		var pe *futures.PanicError
		require.ErrorAs(t, err, &pe)
		returned, other = token+"-group-0", token+"-group-1"
		if pe.Value != returned {
			returned, other = other, returned
		}

		for _, err := range futures.MapSeq(context.Background(), e, slices.Values([]int{1}), func(context.Context, int) (int, error) {
			panic(token + "-mapseq")
		}) {
			require.Error(t, err)
		}
	}()
	collect(t, out, other+"\n")
	collect(t, out, "")
	logged := out.String()
	assert.NotContains(t, logged, returned+"\n", "the panic Group.Wait returned was logged")
	assert.NotContains(t, logged, token+"-mapseq", "the panic MapSeq yielded was logged")
}

// A Map item's panic that Map does not return, because another item failed
// first, is logged as Map returns; the one it returns is not.
func TestMapLogsTheItemPanicItDoesNotReturn(t *testing.T) {
	out := captureLog(t)
	e := newExecutor(t, 2)
	token := fmt.Sprintf("token-%d", time.Now().UnixNano())
	var started sync.WaitGroup
	started.Add(2)
	_, err := futures.Map(context.Background(), e, []int{0, 1}, func(_ context.Context, i int) (int, error) {
		started.Done()
		started.Wait()
		panic(fmt.Sprintf("%s-%d", token, i))
	})
	var pe *futures.PanicError
	require.ErrorAs(t, err, &pe)
	other := token + "-0"
	if pe.Value == other {
		other = token + "-1"
	}
	logged := out.String()
	assert.Contains(t, logged, "futures: a Map item's panic was not returned: "+other+"\n")
	assert.NotContains(t, logged, fmt.Sprint(pe.Value)+"\n", "the panic Map returned was logged")
}

// collect runs the garbage collector, and waits for the cleanups it queues,
// until out holds want ("": three rounds).
func collect(t *testing.T, out *logBuffer, want string) {
	t.Helper()
	timeout := time.After(patience)
	for round := 0; want != "" || round < 3; round++ {
		if want != "" && strings.Contains(out.String(), want) {
			return
		}
		swept := make(chan struct{})
		runtime.AddCleanup(new([64]byte), func(ch chan struct{}) { close(ch) }, swept)
		runtime.GC()
		select {
		case <-swept:
		case <-out.wrote:
		case <-timeout:
			t.Fatalf("no %q logged after %v of collections; the log holds:\n%s", want, patience, out.String())
		}
	}
}

// logBuffer is the standard logger's output while a test runs; the log may be
// written by the runtime's cleanup goroutines.
type logBuffer struct {
	mu    sync.Mutex
	b     strings.Builder
	wrote chan struct{} // has a value after a write
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case l.wrote <- struct{}{}:
	default:
	}
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// captureLog sends the standard logger's output to a buffer until the test
// ends. Tests that call it must not run in parallel.
func captureLog(t *testing.T) *logBuffer {
	t.Helper()
	out := &logBuffer{wrote: make(chan struct{}, 1)}
	prev := log.Writer()
	log.SetOutput(out)
	t.Cleanup(func() { log.SetOutput(prev) })
	return out
}

// receive waits for ch, failing the test if it takes longer than patience.
func receive(t *testing.T, ch <-chan struct{}, msg string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(patience):
		t.Fatal(msg)
	}
}

// goroutineID returns the calling goroutine's id, read from its stack header.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	var id uint64
	for _, c := range strings.TrimPrefix(string(b), "goroutine ") {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}
