package futures_test

import (
	"bytes"
	"context"
	"log"
	"os"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/seed72edde46/futures"
)

// hooks records the init and exit calls of an executor's workers.
type hooks struct {
	mu    sync.Mutex
	live  map[int]bool
	inits []int
	exits []int
	bad   []string
}

func newHooks() *hooks { return &hooks{live: make(map[int]bool)} }

func (h *hooks) options() []futures.Option {
	return []futures.Option{
		futures.WithWorkerInit(func(id int) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			if h.live[id] {
				h.bad = append(h.bad, "init of a number a live worker holds")
			}
			h.live[id] = true
			h.inits = append(h.inits, id)
			return nil
		}),
		futures.WithWorkerExit(func(id int) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if !h.live[id] {
				h.bad = append(h.bad, "exit of a number no live worker holds")
			}
			delete(h.live, id)
			h.exits = append(h.exits, id)
		}),
	}
}

// check asserts that every init was paired with an exit of the same number.
func (h *hooks) check(t *testing.T) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	assert.Empty(t, h.bad)
	assert.Empty(t, h.live, "workers that ran init and no exit")
	assert.ElementsMatch(t, h.inits, h.exits)
}

// burst runs n tasks at once on e and waits for them.
func burst(t *testing.T, e *futures.Executor, n int) {
	t.Helper()
	ctx := context.Background()
	g := newGate()
	var fs []*futures.Future[int]
	for range n {
		fs = append(fs, futures.Submit(ctx, e, gateTask(g, 0)))
	}
	g.waitStarted(t, n)
	g.open()
	for _, f := range fs {
		_, err := f.Result(ctx)
		require.NoError(t, err)
	}
}

func TestIdleWorkersRetireToZeroAndComeBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHooks()
		e := futures.New(4, append(h.options(), futures.WithIdleTimeout(time.Second))...)
		burst(t, e, 4)
		assert.Equal(t, 4, e.Stats().Started)
		time.Sleep(2 * time.Second)
		synctest.Wait()
		assert.Zero(t, e.Stats().Started, "workers idle for 2 s with a timeout of 1 s")
		h.mu.Lock()
		assert.ElementsMatch(t, []int{0, 1, 2, 3}, h.exits)
		h.mu.Unlock()

		v, err := futures.Submit(context.Background(), e, value(7)).Result(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 7, v)
		assert.Equal(t, 1, e.Stats().Started)
		h.mu.Lock()
		assert.Equal(t, 0, h.inits[len(h.inits)-1], "a worker started again takes the lowest free number")
		h.mu.Unlock()
		require.NoError(t, e.Close())
		h.check(t)
		assert.Len(t, h.inits, 5)
	})
}

func TestIdleWorkersRetireUnderATrickle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := futures.New(8, futures.WithIdleTimeout(time.Second))
		defer e.Close()
		burst(t, e, 8)
		ctx := context.Background()
		// A task every 10 ms, which one worker serves with ease; a channel
		// would hand them to the 8 waiting workers in turn.
		for range 500 {
			_, err := futures.Submit(ctx, e, value(0)).Result(ctx)
			require.NoError(t, err)
			time.Sleep(10 * time.Millisecond)
		}
		assert.LessOrEqual(t, e.Stats().Started, 2, "workers left after 5 s of a trickle, with a timeout of 1 s")
	})
}

func TestIdleWorkerRetiringWhileATaskArrives(t *testing.T) {
	// One worker, retiring again and again as tasks come just after its
	// timeout: no task is ever left in the queue with no worker.
	synctest.Test(t, func(t *testing.T) {
		h := newHooks()
		e := futures.New(1, append(h.options(), futures.WithIdleTimeout(time.Millisecond))...)
		ctx := context.Background()
		for i := range 200 {
			_, err := futures.Submit(ctx, e, value(i)).Result(ctx)
			require.NoError(t, err)
			time.Sleep(time.Duration(i%3) * time.Millisecond)
		}
		require.NoError(t, e.Close())
		h.check(t)
	})
}

func TestWorkerExitRunsAtShutdownAndAfterResize(t *testing.T) {
	h := newHooks()
	e := futures.New(4, h.options()...)
	burst(t, e, 4)
	e.Resize(1)
	for range 4 { // the surplus retires as it passes the queue
		_, err := futures.Submit(context.Background(), e, value(0)).Result(context.Background())
		require.NoError(t, err)
	}
	require.NoError(t, e.Close())
	h.check(t)
	h.mu.Lock()
	defer h.mu.Unlock()
	assert.Len(t, h.exits, 4)
	assert.True(t, slices.Contains(h.exits, 0))
}

func TestWorkerExitPanicIsLogged(t *testing.T) {
	var buf bytes.Buffer
	log.SetOutput(&buf)
	defer log.SetOutput(os.Stderr)
	e := futures.New(1, futures.WithWorkerExit(func(int) { panic("exit failed") }))
	_, err := futures.Submit(context.Background(), e, value(1)).Result(context.Background())
	require.NoError(t, err)
	require.NoError(t, e.Close())
	assert.Contains(t, buf.String(), "exit failed")
}
