// What becomes of a panic: the executor's panic handler sees it, or, without
// one, a panic whose error nobody retrieved is logged.

package futures

import (
	"log"
	"runtime"
	"runtime/debug"
	"sync"
)

// panicked returns the panic that f's task ended with, or nil: a panic of
// fn itself (recovered), or that of a Map item, which the Map's runner task
// returns as an itemPanic. Without a panic handler, a panic of fn is tracked
// as unread until someone retrieves it. It is called before f's outcome is
// recorded, so before anyone can read it, and costs a comparison for a task
// that succeeded.
func panicked[T any](f *Future[T], err error, recovered bool) *PanicError {
	if err == nil {
		return nil
	}
	return panicOf(f, err, recovered)
}

// panicOf is panicked for a task that failed.
func panicOf[T any](f *Future[T], err error, recovered bool) *PanicError {
	if recovered {
		pe := err.(*PanicError)
		if f.ctx.p.panics == nil {
			track(f, pe)
		}
		return pe
	}
	if ip, ok := err.(itemPanic); ok {
		return ip.Err.(*PanicError)
	}
	return nil
}

// handle calls the panic handler, if there is one, with pe. A panic in the
// handler is logged, not spread. One that calls runtime.Goexit ends the
// goroutine, whose deferred calls still count it out of the executor.
func (p *pool) handle(pe *PanicError) {
	if p.panics == nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			log.Printf("futures: panic handler panicked: %v\n%s", r, debug.Stack())
		}
	}()
	p.panics(pe)
}

// itemPanic is the error of a Map runner whose item panicked: it counts the
// runner as panicked and hands the item's panic to the handler. It wraps the
// IndexError that the Map may return, whose Err is the item's *PanicError;
// only Map sees it.
type itemPanic struct{ *IndexError }

// unread is the set of the *PanicErrors of futures that failed with them
// while their executor had no panic handler, and that nothing has retrieved
// yet. An entry leaves the set when Result, MapSeq or Group.Wait returns its
// error (see retrieved), or when its future is collected (see forget), which
// then logs it.
var unread sync.Map // *PanicError → struct{}

// track adds pe, the panic of f's task, to the unread set until f is
// collected. The cleanup's argument is pe, which does not reach f (unless
// the panic value does: then f is never collected, and never logged).
func track[T any](f *Future[T], pe *PanicError) {
	unread.Store(pe, struct{}{})
	runtime.AddCleanup(f, forget, pe)
}

// retrieved takes err, about to be returned to a user, out of the unread set.
// holder reaches err's future, which must not be collected (and logged)
// before: it is kept alive until then. It costs a type assertion for any
// error but a *PanicError.
func retrieved(err error, holder any) {
	if pe, ok := err.(*PanicError); ok {
		unread.Delete(pe)
		runtime.KeepAlive(holder)
	}
}

// forget runs once pe's future is collected; if nothing retrieved pe, it is
// logged, as asyncio logs "Task exception was never retrieved".
func forget(pe *PanicError) {
	if _, ok := unread.LoadAndDelete(pe); ok {
		logUnread("a task's panic was never retrieved", pe)
	}
}

// logUnreturned logs the item panics that a Map about to return err does not
// return, when its executor has no panic handler to see them. The Map's
// runners have all finished, each with at most one item's panic.
func logUnreturned(p *pool, runners []*Future[struct{}], err error) {
	if p.panics != nil {
		return
	}
	for _, f := range runners {
		if ip, ok := f.err.(itemPanic); ok && error(ip.IndexError) != err {
			logUnread("a Map item's panic was not returned", ip.Err.(*PanicError))
		}
	}
}

// logUnread writes an unread panic to the standard logger, with its stack.
func logUnread(what string, pe *PanicError) {
	log.Printf("futures: %s: %v\n%s", what, pe.Value, pe.Stack)
}
