//go:build go1.27

package futures_test

import (
	"context"
	"fmt"

	"github.com/seed72edde46/futures"
)

// On Go 1.27 and later the executor's methods read like Python's
// executor.submit and executor.map; the functions work on every version.
func ExampleExecutor_Submit() {
	e := futures.New(4)
	defer e.Close()
	ctx := context.Background()

	f := e.Submit(ctx, func(ctx context.Context) (string, error) { return "hello", nil })
	s, err := f.Result(ctx)
	fmt.Println(s, err)

	lengths, err := e.Map(ctx, []string{"a", "bb", "ccc"}, func(_ context.Context, s string) (int, error) {
		return len(s), nil
	})
	fmt.Println(lengths, err)
	// Output:
	// hello <nil>
	// [1 2 3] <nil>
}
