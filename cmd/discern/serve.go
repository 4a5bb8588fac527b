package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/app"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/demo"
	"github.com/discern-org/discern/internal/directory"
	dom "github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/httpserver"
	"github.com/discern-org/discern/internal/metrics"
	"github.com/discern-org/discern/internal/web"
)

// DemoDataDir is where `serve --demo` keeps its fictional data unless
// --data says otherwise.
const DemoDataDir = "discern-demo"

// services is everything the server and the account commands run on.
type services struct {
	app      *app.App
	accounts *accounts.Service
	casework *casework.Service
}

func openServices(ctx context.Context, cfg app.Config, stderr io.Writer, logger *slog.Logger) (*services, error) {
	opt := appOptions(stderr)
	opt.Create = true
	a, err := app.Open(ctx, cfg, opt)
	if err != nil {
		return nil, err
	}
	hasher, err := auth.NewHasher(auth.DefaultParams, 4, rand.Reader)
	if err != nil {
		a.Close()
		return nil, err
	}
	acc, err := accounts.New(accounts.Config{DB: a.DB, Audit: a.Audit, Hasher: hasher, Sealer: a.Sealer, Now: a.Now, Rand: a.Rand, Logger: logger})
	if err != nil {
		a.Close()
		return nil, err
	}
	return &services{app: a, accounts: acc, casework: casework.New(a.DB, a.Sealer, a.Engine, a.Audit, a.Now, a.Rand)}, nil
}

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	shared := app.AddFlags(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "`HOST:PORT` to listen on (port 0 picks a free port)")
	withDemo := fs.Bool("demo", false, "create (or reuse) a data directory of clearly fictional demo data, in ./"+DemoDataDir+" unless --data is given, and print the demo sign-ins")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *withDemo && !flagGiven(fs, "data") && getenv(app.EnvData) == "" && !flagGiven(fs, "database") && getenv(app.EnvDatabaseURL) == "" {
		if err := fs.Set("data", DemoDataDir); err != nil {
			return err
		}
	}
	cfg, err := shared.Config(getenv)
	if err != nil {
		return usagef("serve: %v", err)
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	started := time.Now()
	tuneGC()
	svc, err := openServices(ctx, cfg, stderr, logger)
	if err != nil {
		return appErr("serve", err)
	}
	defer svc.app.Close()

	// The service directory: DATA/directory.json, as `discern directory
	// import` writes it. The demo installs its fictional directory when
	// there is none yet.
	dirPath := filepath.Join(cfg.DataDir, directoryFile)
	if *withDemo {
		if _, err := os.Stat(dirPath); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
				return err
			}
			if err := writeFileAtomic(dirPath, demo.DirectoryJSON()); err != nil {
				return fmt.Errorf("serve --demo: the demo directory: %w", err)
			}
			fmt.Fprintln(stdout, "Installed the demo service directory: fictional organizations and services in the fictional city of Port Marlow.")
		}
	}
	// A broken file is logged and the server starts with an empty
	// directory; it is read again once it changes.
	dir, _ := directory.OpenLive(dirPath, logger, directory.DefaultCheckEvery)
	// Consents and referrals name their recipients in the same directory.
	svc.casework.SetRecipients(casework.DirectoryRecipients(func() *directory.Catalog { return dir.Current().Catalog }))

	var logins []demo.Login
	if *withDemo {
		orgs, _, err := svc.accounts.Operator().FindOrganizations(ctx, orgFilterAll())
		if err != nil {
			return err
		}
		if len(orgs) == 0 {
			seeded, err := demo.Seed(ctx, svc.accounts.Operator(), svc.casework, svc.app.Now())
			if err != nil {
				return fmt.Errorf("serve --demo: %w", err)
			}
			logins = seeded.Logins
			fmt.Fprintf(stdout, "Created demo data: two fictional organizations, %d fictional people with screenings.\n", seeded.People)
		} else {
			logins = demo.Logins()
		}
	}

	reg := metrics.New()
	renderer, err := web.New(svc.app.Engine.Bundle())
	if err != nil {
		return appErr("serve", err)
	}
	handler := httpserver.NewServer(httpserver.Deps{Web: renderer,
		DB: svc.app.DB, Accounts: svc.accounts, Casework: svc.casework, Engine: svc.app.Engine, Sealer: svc.app.Sealer,
		Metrics: reg, Logger: logger, Now: svc.app.Now, Rand: svc.app.Rand, Options: httpserver.Options{Version: buildVersion()},
		Directory: dir,
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usagef("serve: cannot listen on %s: %v", *addr, err)
	}
	srv := httpserver.NewHTTPServer(ln.Addr().String(), handler, logger)
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "Discern is listening on %s (ready in %v)\n", url, time.Since(started).Round(time.Millisecond))
	if len(logins) > 0 {
		fmt.Fprintf(stdout, "\nDemo sign-in (fictional data only; password for every demo user: %q):\n", demo.Password)
		for _, l := range logins {
			note := ""
			if l.Note != "" {
				note = " — " + l.Note
			}
			fmt.Fprintf(stdout, "  %-13s %s%s\n", l.Role, l.Email, note)
		}
		fmt.Fprintf(stdout, "\nTry: curl -s -c jar -H 'Content-Type: application/json' -d '{\"email\":\"caseworker@harbour.example\",\"password\":%q}' %s/api/v1/sessions\n", demo.Password, url)
	}

	// Reminders of plan clocks coming due and of referrals left waiting
	// too long in one state, every minute; the sweep is idempotent, so
	// several replicas or a restart never duplicate one.
	go svc.casework.NewSweeper(casework.WorkerOutbox{}, nil, casework.PlanReminders{DB: svc.app.DB},
		svc.casework.ReferralReminders()).Run(ctx, time.Minute, logger)

	// Expired sessions and idempotency keys are swept every few minutes.
	go func() {
		t := time.NewTicker(5 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if _, _, err := svc.accounts.Sweep(ctx); err != nil {
					logger.Error("sweep", "error", err.Error())
				}
			}
		}
	}()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stderr, "discern: shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// tuneGC trades some memory for less collector work: the server's live
// heap is small (tens of MB) and every request allocates its result, so the
// default GOGC=100 collects far more often than memory needs. An operator's
// GOGC in the environment still wins.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

// flagGiven reports whether the flag was set on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

func orgFilterAll() dom.OrganizationFilter { return dom.OrganizationFilter{Page: dom.Page{Limit: 1}} }

// buildVersion is the module version the binary was built from.
func buildVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
