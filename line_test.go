package futures

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lineTest drives a line by hand for an executor of size workers: each
// call joins from a goroutine of its own and reports when it is let through.
type lineTest struct {
	t       *testing.T
	l       line
	workers int
	quit    chan struct{}
	through chan string
}

func newLineTest(t *testing.T, workers int) *lineTest {
	return &lineTest{t: t, workers: workers, quit: make(chan struct{}), through: make(chan string, 16)}
}

// join starts call name of r, as the pool does (r arrives first), and
// returns once it waits in a lane, or is let through.
func (lt *lineTest) join(ctx context.Context, r *request, name string) <-chan error {
	r.arrive(&lt.l)
	before := lt.waiting()
	done := make(chan error, 1)
	passed := make(chan struct{})
	go func() {
		err := lt.l.join(ctx, lt.quit, ErrShutdown, r, lt.workers)
		close(passed)
		if err == nil {
			lt.through <- name
		}
		done <- err
	}()
	for lt.waiting() == before {
		select {
		case <-passed:
			return done
		default:
			runtime.Gosched() // the goroutine is on its way into the line
		}
	}
	return done
}

func (lt *lineTest) waiting() int {
	lt.l.mu.Lock()
	defer lt.l.mu.Unlock()
	return len(lt.l.started) + len(lt.l.fresh)
}

// next lets the next call through and returns its name.
func (lt *lineTest) next() string {
	lt.l.next()
	select {
	case name := <-lt.through:
		return name
	case <-time.After(10 * time.Second): // a hang is the failure
		lt.t.Fatal("no call let through")
		return ""
	}
}

func TestLineServesAStartedRequestBeforeNewOnes(t *testing.T) {
	lt := newLineTest(t, 8) // one head at a time
	ctx := context.Background()
	a, b, c := &request{}, &request{}, &request{}
	lt.join(ctx, a, "a1")
	assert.Equal(t, "a1", <-lt.through, "an empty line lets a call through at once")
	lt.join(ctx, b, "b1")
	lt.join(ctx, c, "c1")
	assert.Equal(t, "b1", lt.next())
	lt.join(ctx, a, "a2") // a started: it goes before c, which has not
	assert.Equal(t, "a2", lt.next())
	lt.join(ctx, b, "b2")
	assert.Equal(t, "b2", lt.next())
	assert.Equal(t, "c1", lt.next())
	lt.l.next()
	assert.Zero(t, lt.l.heads, "the last call out leaves the line empty")
}

func TestLineSendsARequestToTheBackAfterSizeTurns(t *testing.T) {
	lt := newLineTest(t, 2) // one head; a request goes first for 2 turns
	ctx := context.Background()
	a, b, c := &request{}, &request{}, &request{}
	lt.join(ctx, a, "a1")
	<-lt.through
	lt.join(ctx, c, "c1")
	lt.join(ctx, a, "a2")
	assert.Equal(t, "a2", lt.next(), "a started")
	lt.join(ctx, a, "a3")
	lt.join(ctx, b, "b1")
	assert.Equal(t, "c1", lt.next(), "a had its 2 turns: a3 waits behind c1")
	assert.Equal(t, "a3", lt.next(), "and before b1, which came after it")
	lt.join(ctx, a, "a4")
	assert.Equal(t, "a4", lt.next(), "a3 came from the back: a started again")
	assert.Equal(t, "b1", lt.next())
	lt.l.next()
}

func TestLineLetsSeveralHeadsThroughForALargeExecutor(t *testing.T) {
	lt := newLineTest(t, 64) // two heads
	ctx := context.Background()
	lt.join(ctx, nil, "x")
	lt.join(ctx, nil, "y")
	lt.join(ctx, nil, "z")
	assert.ElementsMatch(t, []string{"x", "y"}, []string{<-lt.through, <-lt.through})
	assert.Equal(t, 1, lt.waiting())
	assert.Equal(t, "z", lt.next())
	lt.l.next()
	lt.l.next()
	assert.Zero(t, lt.l.heads)
}

func TestLineCallThatGivesUpLeavesItsPlace(t *testing.T) {
	lt := newLineTest(t, 1)
	lt.join(context.Background(), nil, "head")
	<-lt.through
	cause := errors.New("request gone")
	ctx, cancel := context.WithCancelCause(context.Background())
	gone := lt.join(ctx, &request{}, "gone")
	lt.join(context.Background(), nil, "next")
	cancel(cause)
	assert.Same(t, cause, <-gone)
	assert.Equal(t, "next", lt.next(), "the call behind took its place")
	stopped := lt.join(context.Background(), nil, "stopped")
	close(lt.quit)
	assert.ErrorIs(t, <-stopped, ErrShutdown)
	lt.l.next()
	assert.Zero(t, lt.l.heads)
	assert.Zero(t, lt.waiting())
}

func TestLineCallLetThroughAsItGivesUpPassesItsTurnOn(t *testing.T) {
	for range 200 { // both orders of the race, by the select's choice
		lt := newLineTest(t, 1)
		lt.join(context.Background(), nil, "head")
		<-lt.through
		ctx, cancel := context.WithCancel(context.Background())
		racing := lt.join(ctx, nil, "racing")
		cancel()
		lt.l.next() // lets "racing" through, unless it left already
		if err := <-racing; err == nil {
			<-lt.through
			lt.l.next()
		}
		require.Zero(t, lt.l.heads, "a turn was lost")
		require.Zero(t, lt.waiting())
	}
}

func TestLineServesTheRequestThatStartedFirstFirst(t *testing.T) {
	lt := newLineTest(t, 8)
	ctx := context.Background()
	a, b, c := &request{}, &request{}, &request{}
	lt.join(ctx, a, "a1")
	<-lt.through
	lt.join(ctx, b, "b1")
	assert.Equal(t, "b1", lt.next())
	lt.join(ctx, c, "c1")
	lt.join(ctx, b, "b2") // b's goroutine came back before a's
	lt.join(ctx, a, "a2")
	assert.Equal(t, "a2", lt.next(), "a started before b")
	assert.Equal(t, "b2", lt.next())
	assert.Equal(t, "c1", lt.next())
	lt.l.next()
}

// TestBlockedRequestsAreServedInArrivalOrder drives a real executor of two
// workers, one of them held, and no queue: three groups blocked at once are
// served a (started) request at a time, where a channel alone would serve
// them call by call (a1 b1 c1 a2 b2).
func TestBlockedRequestsAreServedInArrivalOrder(t *testing.T) {
	e := New(2, WithQueueSize(0))
	p := e.p
	ctx := context.Background()
	until := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second) // a hang is the failure
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("never: %s", what)
			}
			runtime.Gosched()
		}
	}
	lanes := func() (started, fresh int) {
		p.line.mu.Lock()
		defer p.line.mu.Unlock()
		return len(p.line.started), len(p.line.fresh)
	}
	heads := func() int {
		p.line.mu.Lock()
		defer p.line.mu.Unlock()
		return p.line.heads
	}

	ran := make(chan string, 8)
	accepted := make(chan string, 8) // a Submit returned: its call left the line
	release := map[string]chan struct{}{}
	for _, n := range []string{"held", "gate", "a1", "a2", "b1", "b2", "c1"} {
		release[n] = make(chan struct{})
	}
	var requests sync.WaitGroup
	defer func() { // on failure too: let every task end, then shut down
		for _, c := range release {
			select {
			case <-c:
			default:
				close(c)
			}
		}
		requests.Wait()
		assert.NoError(t, e.Close())
	}()
	task := func(name string) func(context.Context) (int, error) {
		return func(context.Context) (int, error) {
			ran <- name
			<-release[name]
			return 0, nil
		}
	}
	Submit(ctx, e, task("held"))
	require.Equal(t, "held", <-ran)
	Submit(ctx, e, task("gate"))
	require.Equal(t, "gate", <-ran)
	request := func(names ...string) {
		requests.Go(func() {
			g := NewGroup[int](ctx, e)
			for _, n := range names {
				g.Submit(task(n))
				accepted <- n
			}
			_, err := g.Wait()
			assert.NoError(t, err)
		})
	}
	request("a1", "a2")
	until("a1 waits on the queue", func() bool { return heads() == 1 })
	request("b1", "b2")
	until("b1 waits in line", func() bool { _, f := lanes(); return f == 1 })
	request("c1")
	until("c1 waits in line", func() bool { _, f := lanes(); return f == 2 })

	recv := func(c <-chan string) string {
		t.Helper()
		select {
		case s := <-c:
			return s
		case <-time.After(10 * time.Second): // a hang is the failure
			t.Fatal("nothing ran")
			return ""
		}
	}
	var order []string
	// step lets prev end: the call waiting on the queue runs and its Submit
	// returns (call); then the line holds started and fresh calls.
	step := func(prev, call string, started, fresh int) {
		t.Helper()
		close(release[prev])
		order = append(order, recv(ran))
		require.Equal(t, call, recv(accepted))
		until(call+" left the line", func() bool {
			s, f := lanes()
			return s == started && f == fresh
		})
	}
	step("gate", "a1", 1, 1) // b1 waits on the queue; a2 (started), c1 in line
	step("a1", "b1", 1, 1)   // a2 (started first) waits on the queue; b2, c1 in line
	step("b1", "a2", 0, 1)   // b2 waits on the queue; c1 in line
	step("a2", "b2", 0, 0)   // c1 waits on the queue
	step("b2", "c1", 0, 0)
	assert.Equal(t, []string{"a1", "b1", "a2", "b2", "c1"}, order)
}

// TestLineIsEmptyAtRest drives a burst of requests of every kind from many
// goroutines, some of which give up while they wait in line, and checks that
// the line and its counts are back to zero once all have returned.
func TestLineIsEmptyAtRest(t *testing.T) {
	e := New(2, WithQueueSize(2))
	p := e.p
	gate := make(chan struct{})
	work := func(ctx context.Context, _ int) (int, error) {
		select {
		case <-gate:
			return 1, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	var requests sync.WaitGroup
	cancels := make(chan context.CancelFunc, 64)
	for i := range 64 {
		ctx, cancel := context.WithCancel(context.Background())
		if i%3 == 0 {
			cancels <- cancel // given up while it waits
		} else {
			defer cancel()
		}
		requests.Go(func() {
			switch i % 4 {
			case 0:
				_, _ = Map(ctx, e, []int{1, 2, 3}, work)
			case 1:
				g := NewGroup[int](ctx, e)
				for range 3 {
					g.Submit(func(ctx context.Context) (int, error) { return work(ctx, 0) })
				}
				_, _ = g.Wait()
			case 2:
				for range 3 {
					_, _ = Submit(ctx, e, func(ctx context.Context) (int, error) { return work(ctx, 0) }).Result(ctx)
				}
			default:
				for v := range MapSeq(ctx, e, func(yield func(int) bool) {
					for i := range 3 {
						if !yield(i) {
							return
						}
					}
				}, work) {
					_ = v
				}
			}
		})
	}
	until := func(ok func() bool) {
		for deadline := time.Now().Add(10 * time.Second); !ok(); runtime.Gosched() {
			if time.Now().After(deadline) {
				t.Fatal("the burst never filled the line") // a hang is the failure
			}
		}
	}
	until(func() bool { // the line holds calls before any gives up
		p.line.mu.Lock()
		defer p.line.mu.Unlock()
		return len(p.line.fresh)+len(p.line.started) > 8
	})
	close(cancels)
	for cancel := range cancels {
		cancel()
	}
	close(gate)
	requests.Wait()
	p.line.mu.Lock()
	assert.Zero(t, p.line.heads, "calls let through")
	assert.Empty(t, p.line.started)
	assert.Empty(t, p.line.fresh)
	p.line.mu.Unlock()
	assert.Zero(t, p.admission.ahead.Load(), "calls counted ahead")
	assert.Zero(t, p.admission.waiting.Load(), "calls counted waiting")
	require.NoError(t, e.Close())
}
