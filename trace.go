package futures

import (
	"context"
	"runtime/trace"
)

// traced is a task's part in an execution trace (see runtime/trace): a trace
// task from its submission to its end, and in it a region "futures.run" while
// fn runs, so that go tool trace shows each task's wait in the queue and its run
// time. With tracing off a submission costs one trace.IsEnabled check.
type traced struct {
	ctx  context.Context
	task *trace.Task
}

// traceSubmit starts the trace task of a submission made by caller ("Submit",
// "Map", ...); the task is named "<executor>.<caller>", with "futures" for an
// executor that has no name. Call it only while trace.IsEnabled.
func traceSubmit(ctx context.Context, p *pool, caller string) *traced {
	tctx, task := trace.NewTask(ctx, p.traceName+"."+caller)
	return &traced{ctx: tctx, task: task}
}

// region marks fn's run in the trace; end it when fn returns.
func (t *traced) region() *trace.Region {
	return trace.StartRegion(t.ctx, "futures.run")
}
