package futures

import "context"

// TryMap is [Map] that sheds load instead of waiting, all or nothing: Map
// would start k = min(len(inputs), e.Workers()) tasks; if fewer than k places
// are free now (counted as [TrySubmit] counts them: workers plus queue size,
// less the unfinished tasks, taken at once, so a refused TryMap holds no place
// even for a moment), TryMap returns nil and [ErrQueueFull] and runs nothing.
// Once admitted it is exactly Map. It returns [ErrShutdown] after shutdown
// began, the cause of ctx if ctx is done, and an [ErrBroken] error when the
// executor is broken, also running nothing; each refusal counts once in
// [Stats].Rejected.
//
// Called from a task of e with that task's ctx, TryMap is Map: nested work is
// never shed, since the request it belongs to was admitted already.
//
// Use it to answer a request with 503 Service Unavailable at once when the
// executor is saturated, rather than queue its fan-out behind everyone
// else's. TryMap panics if ctx, e or fn is nil.
func TryMap[In, Out any](ctx context.Context, e *Executor, inputs []In, fn func(ctx context.Context, in In) (Out, error)) ([]Out, error) {
	p := e.pool()
	if ctx == nil || fn == nil {
		panic("futures: TryMap called with a nil Context or function")
	}
	k := min(len(inputs), p.size())
	if k == 0 || p.insideTask(ctx) {
		return mapOn(ctx, e, inputs, fn, k, waitForRoom)
	}
	if err := p.reserve(ctx, k); err != nil {
		return nil, err
	}
	return mapOn(ctx, e, inputs, fn, k, admitted)
}
