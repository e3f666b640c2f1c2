package futures_test

import (
	"context"
	"fmt"

	"github.com/seed72edde46/futures"
)

// A panic handler reports every panic, a Map item's included; Close waits for it.
func ExampleWithPanicHandler() {
	reports := make(chan string, 10)
	e := futures.New(1, futures.WithPanicHandler(func(pe *futures.PanicError) {
		reports <- fmt.Sprint("reported: ", pe.Value) // to an error tracker, say
	}))
	ctx := context.Background()

	_, err := futures.Submit(ctx, e, func(context.Context) (int, error) {
		panic("no config loaded")
	}).Result(ctx)
	fmt.Println("result:", err)

	_, err = futures.Map(ctx, e, []int{1, 2, 0}, func(_ context.Context, n int) (int, error) {
		return 10 / n, nil // item 2 divides by zero
	})
	fmt.Println("map:", err)

	if err := e.Close(); err != nil { // returns once the handler has returned
		fmt.Println(err)
	}
	close(reports)
	for r := range reports {
		fmt.Println(r)
	}
	fmt.Println("panicked:", e.Stats().Panicked)
	// Output:
	// result: futures: task panicked: no config loaded
	// map: futures: Map item 2: futures: task panicked: runtime error: integer divide by zero
	// reported: no config loaded
	// reported: runtime error: integer divide by zero
	// panicked: 2
}
