// Command discern screens for indicators of human trafficking, tests them
// against the law of each jurisdiction, and serves the results to the
// people who support survivors. See the README for a tour.
package main

import (
	"context"
	"errors"
	"flag"
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

// Exit codes.
const (
	exitOK       = 0
	exitFailure  = 1 // something went wrong on our side
	exitBadInput = 2 // bad input or usage: the message says what to fix
)

// usageError is bad usage or input: it is printed and exits with code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

const usage = `discern: structured, explainable, consent-first screening for human trafficking

Usage:
  discern screen [--answers FILE] [--format text|json] [--lang en|es]
                 [--jurisdiction ID[,ID...]|all] [--instrument short|full]
  discern content check
  discern content export --format json
  discern version

Operating a Discern server:
  discern serve [--addr HOST:PORT] [--demo]
                                    run the server (--demo: fictional demo data in ./discern-demo)
  discern org add --name N --country CC | org list
  discern user add --org ID --email E --name N --role R [--team ID]   (password on stdin)
  discern user list --org ID | disable|enable|reset-mfa|unlock --email E
  discern token create --email E --name N --scopes S[,S...] [--days 90]
  discern loadtest [--rate N] [--duration D]
                                    measure a server of its own under load, on this machine only
  discern migrate                   create or upgrade the database schema
  discern backup --to FILE          a consistent copy of the data, while the server runs
  discern restore --from FILE       put a backup in place (the server stopped)
  discern audit verify [--head SEQ:HASH]
                                    check that the audit log was not changed
  discern keys rotate               replace the master key (the servers stopped)
  discern directory import PATH | directory export --format json|csv DIR
                                    the HSDS 3.0 service directory (JSON file or CSV data package)

These take --data DIR (default ./discern-data; env DISCERN_DATA) and, for
PostgreSQL, --database postgres://… (env DISCERN_DATABASE_URL) and
--key-schema NAME (env DISCERN_KEY_SCHEMA). The master key comes from
DISCERN_MASTER_KEY or the key file DIR/master.key. See docs/operations.md.

Run 'discern COMMAND -h' for a command's options.
`

// run is the whole program behind main, with its environment passed in so
// that tests can drive it. It returns the process exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := dispatch(ctx, args[1:], getenv, stdin, stdout, stderr)
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "discern:", err)
		return exitBadInput
	default:
		fmt.Fprintln(stderr, "discern:", err)
		return exitFailure
	}
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usagef("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "screen":
		return cmdScreen(ctx, rest, stdin, stdout, stderr)
	case "content":
		return cmdContent(rest, stdout, stderr)
	case "serve":
		return cmdServe(ctx, rest, getenv, stdout, stderr)
	case "org":
		return cmdOrg(ctx, rest, getenv, stdin, stdout, stderr)
	case "user":
		return cmdUser(ctx, rest, getenv, stdin, stdout, stderr)
	case "token":
		return cmdToken(ctx, rest, getenv, stdout, stderr)
	case "loadtest":
		return cmdLoadtest(ctx, rest, getenv, stdout, stderr)
	case "version":
		return cmdVersion(stdout)
	case "migrate":
		return cmdMigrate(ctx, rest, getenv, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, rest, getenv, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, rest, getenv, stdout, stderr)
	case "audit":
		return cmdAudit(ctx, rest, getenv, stdout, stderr)
	case "keys":
		return cmdKeys(ctx, rest, getenv, stdout, stderr)
	case "directory":
		return cmdDirectory(ctx, rest, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usagef("unknown command %q", cmd)
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("discern "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}
