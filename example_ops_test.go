package futures_test

import (
	"fmt"

	"github.com/seed72edde46/futures"
)

// Name reads back the executor's name, say for a metrics label.
func ExampleExecutor_Name() {
	e := futures.New(4, futures.WithName("db"))
	defer e.Close()
	fmt.Println(e.Name(), e.Stats().QueueSize)
	// Output: db 256
}
