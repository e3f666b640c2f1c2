//go:build go1.27

package futures

import (
	"context"
	"iter"
)

// Submit is [Submit] as a method: e.Submit(ctx, fn) is Submit(ctx, e, fn).
func (e *Executor) Submit[T any](ctx context.Context, fn func(ctx context.Context) (T, error)) *Future[T] {
	return Submit(ctx, e, fn)
}

// TrySubmit is [TrySubmit] as a method: e.TrySubmit(ctx, fn) is
// TrySubmit(ctx, e, fn).
func (e *Executor) TrySubmit[T any](ctx context.Context, fn func(ctx context.Context) (T, error)) (*Future[T], error) {
	return TrySubmit(ctx, e, fn)
}

// Map is [Map] as a method: e.Map(ctx, inputs, fn) is Map(ctx, e, inputs, fn).
func (e *Executor) Map[In, Out any](ctx context.Context, inputs []In, fn func(ctx context.Context, in In) (Out, error)) ([]Out, error) {
	return Map(ctx, e, inputs, fn)
}

// MapSeq is [MapSeq] as a method: e.MapSeq(ctx, inputs, fn) is
// MapSeq(ctx, e, inputs, fn).
func (e *Executor) MapSeq[In, Out any](ctx context.Context, inputs iter.Seq[In], fn func(ctx context.Context, in In) (Out, error)) iter.Seq2[Out, error] {
	return MapSeq(ctx, e, inputs, fn)
}

// TryMap is [TryMap] as a method: e.TryMap(ctx, inputs, fn) is
// TryMap(ctx, e, inputs, fn).
func (e *Executor) TryMap[In, Out any](ctx context.Context, inputs []In, fn func(ctx context.Context, in In) (Out, error)) ([]Out, error) {
	return TryMap(ctx, e, inputs, fn)
}
