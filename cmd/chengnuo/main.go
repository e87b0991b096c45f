// Command chengnuo answers residents about the 证明事项告知承诺制 and routes their complaints.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chengnuo:", oneLine(err.Error()))
		os.Exit(1)
	}
}
