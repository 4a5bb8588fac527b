// Command discern screens for indicators of human trafficking, tests them
// against the law of each jurisdiction, and serves the results to the
// people who support survivors. See the README for a tour.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program behind main, with its environment passed in so
// that tests can drive it. It returns the process exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	_ = ctx
	_ = getenv
	_ = stdin
	_ = stdout
	fmt.Fprintln(stderr, "discern: not built yet")
	return 2
}
