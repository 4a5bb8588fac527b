package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/discern-org/discern/internal/app"
	"github.com/discern-org/discern/internal/audit"
	dom "github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// The maintenance commands: migrate, backup, restore, audit verify and
// keys rotate. Each takes the shared --data / --database / --key-schema
// flags (package app) and opens only what it needs.

// parseAppFlags parses a command's flags, the shared ones included, and
// returns the configuration.
func parseAppFlags(fs *flag.FlagSet, shared *app.Flags, args []string, getenv func(string) string) (app.Config, error) {
	if err := parseFlags(fs, args); err != nil {
		return app.Config{}, err
	}
	cfg, err := shared.Config(getenv)
	if err != nil {
		return cfg, usagef("%s: %s", strings.TrimPrefix(fs.Name(), "discern "), dom.MessageOf(err))
	}
	return cfg, nil
}

// appOptions are the production clock and randomness; warnings go to
// stderr.
func appOptions(stderr io.Writer) app.Options {
	return app.Options{Now: time.Now, Rand: rand.Reader, Warnings: stderr}
}

// appErr turns an error from package app or the store into what the
// command prints: invalid input and configuration exit with 2 and the
// safe message; conflicts (a locked data directory) print their message;
// anything else keeps its detail for the operator.
func appErr(cmd string, err error) error {
	if err == nil {
		return nil
	}
	switch dom.KindOf(err) {
	case dom.KindInvalid:
		return usagef("%s: %s", cmd, dom.MessageOf(err))
	case dom.KindConflict, dom.KindNotFound:
		return fmt.Errorf("%s: %s", cmd, dom.MessageOf(err))
	}
	return fmt.Errorf("%s: %w", cmd, err)
}

func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", stderr)
	shared := app.AddFlags(fs)
	cfg, err := parseAppFlags(fs, shared, args, getenv)
	if err != nil {
		return err
	}
	opt := appOptions(stderr)
	opt.Create = true
	// The schema needs no key: migrate runs where the key file is not
	// (a deployment job for PostgreSQL replicas, say).
	a, err := app.OpenDatabase(ctx, cfg, opt)
	if err != nil {
		return appErr("migrate", err)
	}
	defer a.Close()
	from, to, err := a.Migrate(ctx)
	if err != nil {
		return appErr("migrate", err)
	}
	where := where(cfg)
	if from == to {
		fmt.Fprintf(stdout, "%s is already at the latest schema version (%d); nothing to apply.\n", where, to)
		return nil
	}
	applied := fmt.Sprintf("migration %05d", to)
	if to-from > 1 {
		applied = fmt.Sprintf("migrations %05d to %05d", from+1, to)
	}
	fmt.Fprintf(stdout, "Applied %s to %s: schema version %d → %d.\n", applied, where, from, to)
	return nil
}

// where names the database for messages, without secrets.
func where(cfg app.Config) string {
	if cfg.Postgres() {
		return app.RedactURL(cfg.Database)
	}
	return filepath.Join(cfg.DataDir, sqldb.DBFile)
}

func cmdBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", stderr)
	shared := app.AddFlags(fs)
	to := fs.String("to", "", "the new backup `FILE` (must not exist)")
	cfg, err := parseAppFlags(fs, shared, args, getenv)
	if err != nil {
		return err
	}
	if *to == "" {
		return usagef("backup: name the backup file with --to FILE")
	}
	if cfg.Postgres() {
		fmt.Fprintln(stdout, pgDumpCommand(cfg, *to))
		fmt.Fprintf(stderr, "PostgreSQL is backed up with pg_dump, not by discern: run the command above (give the password\n"+
			"through PGPASSWORD or ~/.pgpass). --exclude-schema=%s keeps the key vault out of the backup: a backup\n"+
			"must hold ciphertext only, so that erasing a person (destroying their key in the vault) erases them\n"+
			"from every backup too. See docs/operations.md.\n", cfg.VaultSchema())
		return usagef("backup: on PostgreSQL, use pg_dump as shown")
	}
	a, err := app.OpenDatabase(ctx, cfg, appOptions(stderr))
	if err != nil {
		return appErr("backup", err)
	}
	defer a.Close()
	fmt.Fprintf(stderr, "Copying %s to %s…\n", where(cfg), *to)
	if err := a.DB.Backup(ctx, *to); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("backup: interrupted; no backup file was left behind")
		}
		return appErr("backup", err)
	}
	size := ""
	if fi, err := os.Stat(*to); err == nil {
		size = fmt.Sprintf(" (%d bytes)", fi.Size())
	}
	fmt.Fprintf(stdout, "Backed up %s to %s%s.\n", where(cfg), *to, size)
	fmt.Fprintf(stdout, "The backup holds ciphertext only: the key vault (%s) and the key file are not in it. Keep the key\n"+
		"file's own backup apart from this one; see docs/operations.md.\n", sqldb.KeyFile)
	return nil
}

// pgDumpCommand is the pg_dump command line for the configured database:
// its URL without the password (pg_dump takes it from PGPASSWORD or
// ~/.pgpass; a masked one would be tried as the password) and without
// search_path, which pg_dump does not accept and --schema replaces; the
// key vault left out.
func pgDumpCommand(cfg app.Config, file string) string {
	args := []string{"pg_dump", "--format=custom", "--exclude-schema=" + cfg.VaultSchema()}
	dsn := "(the database URL)"
	if u, err := url.Parse(cfg.Database); err == nil {
		if u.User != nil {
			u.User = url.User(u.User.Username())
		}
		q := u.Query()
		if sp := q.Get("search_path"); sp != "" {
			for s := range strings.SplitSeq(sp, ",") {
				if s = strings.TrimSpace(s); s != "" {
					args = append(args, "--schema="+s)
				}
			}
			q.Del("search_path")
			u.RawQuery = q.Encode()
		}
		dsn = u.String()
	}
	args = append(args, "--file="+file, dsn)
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return strings.Join(args, " ")
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_=./:,@%+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func cmdRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("restore", stderr)
	shared := app.AddFlags(fs)
	from := fs.String("from", "", "the backup `FILE` made by discern backup")
	cfg, err := parseAppFlags(fs, shared, args, getenv)
	if err != nil {
		return err
	}
	if *from == "" {
		return usagef("restore: name the backup file with --from FILE")
	}
	live := filepath.Join(cfg.DataDir, sqldb.DBFile)
	_, statErr := os.Stat(live)
	replaced := statErr == nil
	if err := app.Restore(ctx, cfg, *from, stderr); err != nil {
		return appErr("restore", err)
	}
	fmt.Fprintf(stdout, "Restored %s into %s.\n", *from, live)
	if replaced {
		fmt.Fprintf(stdout, "The database it replaced is kept as %s.before-restore; delete it once you are sure.\n", live)
	}
	fmt.Fprintf(stdout, "Next: discern audit verify --data %s, then start the server.\n", shellQuote(cfg.DataDir))
	return nil
}

func cmdAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			return usagef("audit: unknown subcommand %q; expected verify", args[0])
		}
		return usagef("audit: expected 'verify'")
	}
	fs := newFlags("audit verify", stderr)
	shared := app.AddFlags(fs)
	head := fs.String("head", "", "a chain head `SEQ:HASH` printed by an earlier verify: also check that the log still holds it")
	cfg, err := parseAppFlags(fs, shared, args[1:], getenv)
	if err != nil {
		return err
	}
	var wantSeq int64
	var wantHash []byte
	if *head != "" {
		if wantSeq, wantHash, err = parseHead(*head); err != nil {
			return err
		}
	}
	a, err := app.Open(ctx, cfg, appOptions(stderr))
	if err != nil {
		return appErr("audit verify", err)
	}
	defer a.Close()
	src := &progressSource{DB: a.DB, out: stderr, every: 100_000}
	rep, err := a.Audit.Verify(ctx, src)
	if ce, ok := errors.AsType[*audit.ChainError](err); ok {
		return fmt.Errorf("audit verify: the audit log is BROKEN at entry %d (%s): %s. The entries before it (%d) verify",
			ce.Seq, ce.Kind, ce.Detail, rep.Entries)
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("audit verify: interrupted after %d entries; nothing was checked beyond them", src.n)
		}
		return appErr("audit verify", err)
	}
	if wantHash != nil {
		if rep.HeadSeq < wantSeq {
			return fmt.Errorf("audit verify: the audit log is BROKEN at entry %d (truncated): the log ends at entry %d, "+
				"but it held entry %d when that head was recorded", rep.HeadSeq+1, rep.HeadSeq, wantSeq)
		}
		at, err := a.DB.FindAuditSeqByHash(ctx, wantHash)
		if err != nil && dom.KindOf(err) != dom.KindNotFound {
			return appErr("audit verify", err)
		}
		if err != nil || at != wantSeq {
			return fmt.Errorf("audit verify: the audit log is BROKEN at entry %d (replaced): its hash is not the one "+
				"recorded; the log up to it was rewritten", wantSeq)
		}
	}
	if rep.Entries == 0 {
		fmt.Fprintln(stdout, "audit log intact: no entries yet")
		return nil
	}
	also := ""
	if wantHash != nil {
		also = fmt.Sprintf(", including the recorded head %d", wantSeq)
	}
	fmt.Fprintf(stdout, "audit log intact: %d entries verified%s; chain head %d:%x\n", rep.Entries, also, rep.HeadSeq, rep.HeadHash)
	return nil
}

// parseHead reads a chain head as audit verify prints it: SEQ:HASH, the
// hash in hex.
func parseHead(s string) (seq int64, hash []byte, err error) {
	n, h, ok := strings.Cut(s, ":")
	seq, err = strconv.ParseInt(n, 10, 64)
	if err == nil {
		hash, err = hex.DecodeString(h)
	}
	if !ok || err != nil || seq < 1 || len(hash) != audit.HashLen {
		return 0, nil, usagef("audit verify: --head must be SEQ:HASH as an earlier verify printed it, such as 42:%s",
			strings.Repeat("0f", audit.HashLen))
	}
	return seq, hash, nil
}

// progressSource is the store's audit log with a progress line on stderr
// every so many entries, for logs of millions of entries.
type progressSource struct {
	*sqldb.DB
	out   io.Writer
	every int
	n     int
}

func (p *progressSource) ScanAuditLog(ctx context.Context, fn func(*dom.AuditEntry) error) (int64, []byte, error) {
	return p.DB.ScanAuditLog(ctx, func(e *dom.AuditEntry) error {
		p.n++
		if p.n%p.every == 0 {
			fmt.Fprintf(p.out, "checked %d entries…\n", p.n)
		}
		return fn(e)
	})
}

func cmdKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			return usagef("keys: unknown subcommand %q; expected rotate", args[0])
		}
		return usagef("keys: expected 'rotate'")
	}
	fs := newFlags("keys rotate", stderr)
	shared := app.AddFlags(fs)
	cfg, err := parseAppFlags(fs, shared, args[1:], getenv)
	if err != nil {
		return err
	}
	if cfg.MasterKey != "" {
		return usagef("keys rotate: the master key comes from %s, which discern cannot rewrite; "+
			"see docs/operations.md, \"Rotating the master key\"", app.EnvMasterKey)
	}
	opt := appOptions(stderr)
	opt.Exclusive = true
	a, err := app.Open(ctx, cfg, opt)
	if err != nil {
		return appErr("keys rotate", err)
	}
	defer a.Close()
	if cfg.Postgres() {
		fmt.Fprintln(stderr, "Every discern server using this database must be stopped during the rotation.")
	}
	started := false
	r, err := a.RotateMasterKey(ctx, func(r app.Rotation) {
		switch {
		case !started:
			started = true
			if r.Resumed {
				fmt.Fprintf(stderr, "Finishing the interrupted rotation to master key %s…\n", r.NewKeyID)
			} else {
				fmt.Fprintf(stderr, "New master key %s saved in %s beside the old one; rewrapping the data keys…\n", r.NewKeyID, cfg.KeyFile())
			}
		case r.Rewrapped%1000 == 0:
			fmt.Fprintf(stderr, "rewrapped %d data keys…\n", r.Rewrapped)
		}
	})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("keys rotate: interrupted (about %d data keys rewrapped). Nothing is lost: the key file holds "+
				"the old and the new key. Run `discern keys rotate` again to finish", r.Rewrapped)
		}
		return appErr("keys rotate", err)
	}
	retired := "none"
	if len(r.Retired) > 0 {
		retired = strings.Join(r.Retired, ", ")
	}
	fmt.Fprintf(stdout, "Rotated the master key: %s is now the only master key; %d data keys rewrapped; retired: %s.\n",
		r.NewKeyID, r.Rewrapped, retired)
	fmt.Fprintf(stdout, "Back up the key file %s now: the old key file cannot unwrap the vault any more.\n", cfg.KeyFile())
	return nil
}
