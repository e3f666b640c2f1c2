package futures

import (
	"context"
	"errors"
	"fmt"
)

var (
	// ErrShutdown is the error of a task submitted after shutdown began, and of a
	// queued task dropped by [Executor.ShutdownNow]; it is also the cause of the
	// ctx of a running task that ShutdownNow interrupts.
	ErrShutdown = errors.New("futures: executor is shut down")

	// ErrQueueFull is returned by [TrySubmit] when the queue has no room.
	ErrQueueFull = errors.New("futures: queue is full")

	// ErrCanceled is the error of a future canceled by [Future.Cancel] before it
	// ran, and the cause of the ctx of a running task that Cancel interrupts.
	// errors.Is(ErrCanceled, context.Canceled) is true.
	ErrCanceled error = canceledError{}

	// ErrBroken is wrapped by the error of every task that a broken executor
	// refuses: one whose [WithWorkerInit] function failed. The same error wraps
	// the init function's error too.
	ErrBroken = errors.New("futures: executor is broken")

	// ErrGoexit is the error of a task that called [runtime.Goexit] (as
	// testing.T.FailNow does). The goroutine that ran it is gone; the executor
	// starts another worker in its place. A worker init function that calls
	// Goexit breaks the executor instead: the [ErrBroken] error then wraps
	// ErrGoexit.
	ErrGoexit = errors.New("futures: runtime.Goexit called")

	// ErrShutdownInTask is returned by [Executor.Shutdown], [Executor.ShutdownNow]
	// and [Executor.Close] when they are called from a task of the same executor:
	// shutdown has begun, but a task cannot wait for its own worker to exit.
	ErrShutdownInTask = errors.New("futures: shutdown called from a task of the same executor")
)

type canceledError struct{}

func (canceledError) Error() string { return "futures: future canceled" }

// Is makes errors.Is(ErrCanceled, context.Canceled) true.
func (canceledError) Is(target error) bool { return target == context.Canceled }

// PanicError is the error of a task that panicked, or of a [Map] item (wrapped
// in an [IndexError]). The worker recovers and goes on with the next task.
//
// A panic is never silent. With [WithPanicHandler], the handler sees each
// one. Without, a panic that nothing retrieved is written to the standard
// logger with its value and stack, once, as Python's asyncio reports "Task
// exception was never retrieved": for a task, when its future, failed with
// the *PanicError, is garbage collected while no [Future.Result], [MapSeq]
// (yielding it) or [Group.Wait] ever returned that *PanicError; for a Map
// item, at once as Map returns, if Map returns another error (an item that
// failed first, or its ctx's). A Map whose error wraps the *PanicError has
// retrieved it. The logging on collection is best effort, as the garbage
// collector is: a future still reachable when the program exits is not
// logged. It costs nothing for tasks that do not panic.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the panicking goroutine's stack, as debug.Stack formats it
}

// Error returns one line with the panic value; the stack is in the Stack field.
func (e *PanicError) Error() string {
	return fmt.Sprintf("futures: task panicked: %v", e.Value)
}

// Unwrap returns the panic value if it is an error, else nil.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// namedError names the executor an error came from (see [WithName]).
type namedError struct {
	name string
	err  error
}

func (e *namedError) Error() string { return fmt.Sprintf("%v (executor %q)", e.err, e.name) }
func (e *namedError) Unwrap() error { return e.err }

// name wraps err with the executor's name, if it has one.
func name(executor string, err error) error {
	if executor == "" {
		return err
	}
	return &namedError{name: executor, err: err}
}

// brokenError is the error of the tasks a broken executor refuses: it matches both
// ErrBroken and the init function's error.
type brokenError struct {
	worker int
	cause  error
}

func (e *brokenError) Error() string {
	return fmt.Sprintf("%v: worker %d init: %v", ErrBroken, e.worker, e.cause)
}

func (e *brokenError) Unwrap() []error { return []error{ErrBroken, e.cause} }
