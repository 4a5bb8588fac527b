package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/app"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/casework"
	dom "github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/httpserver"
	"github.com/discern-org/discern/internal/loadgen"
	"github.com/discern-org/discern/internal/metrics"
	"github.com/discern-org/discern/internal/web"
)

// loadAnswers is a complete full-form screening, the body the load test
// sends; {PERSON} is replaced with a person of the load test.
const loadAnswers = `{"person_id": "{PERSON}", "complete": true, "evidence": {"instrument": "full", "jurisdictions": "all", "answers": {
 "safe_now": "no", "other_at_risk": "no", "age": 29, "age_doubt": "no", "status": "visa_or_permit", "language_isolation": "no",
 "exchange_sex": "yes", "others_involved": "yes", "other_work": ["none"], "money_share": "a_share", "work_directed": "yes",
 "advertised": "yes", "forced_acts": "no", "sexual_content": "no", "hours_conditions": ["long_hours"], "servitude": "no",
 "criminal_acts": "no", "money_kept": "yes", "exit_penalty": "no", "debt": "yes", "how_started": ["ad_or_offer"],
 "told_truth_nature": "yes", "told_truth_conditions": "no", "situation_exploited": "no", "travelled": "other_country",
 "travel_arranged": "yes", "moved_between_places": "yes", "received_on_arrival": "no", "housing_controlled": "yes",
 "knows_address": "yes", "free_to_leave": "no", "violence": "no", "threat_violence": "no", "threat_family": "no",
 "threat_authorities": "yes", "threat_exposure": "yes", "documents": "someone_else_holds", "confined": "no", "monitored": "no",
 "brought_back": "no", "necessities_withheld": "no", "leverage": "no", "substances_given": "no", "told_what_to_say": "no",
 "housing_need": "no", "economic_need": "yes", "health": ["none"], "care_history": "no", "partner_violence": "no",
 "dependants": "yes", "legal_situation": ["neither"], "talk_to_authorities": "not_now"}}}`

// cmdLoadtest measures the server under load on this machine: it starts a
// server of its own on a fresh data directory (or --data), seeds an
// organization, a caseworker with an API token and some people, and sends
// screenings at a fixed rate over loopback, then lists and filters them.
// It reports start-up time, latency percentiles, the achieved rate and the
// resident memory. Nothing is ever sent to another machine.
func cmdLoadtest(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("loadtest", stderr)
	shared := app.AddFlags(fs)
	rate := fs.Int("rate", 200, "screenings per second to send")
	duration := fs.Duration("duration", 10*time.Second, "how long to send for")
	people := fs.Int("people", 50, "people the screenings are for")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !flagGiven(fs, "data") && getenv(app.EnvData) == "" && !flagGiven(fs, "database") && getenv(app.EnvDatabaseURL) == "" {
		dir, err := os.MkdirTemp("", "discern-loadtest-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		fs.Set("data", filepath.Join(dir, "data"))
	}
	cfg, err := shared.Config(getenv)
	if err != nil {
		return usagef("loadtest: %v", err)
	}
	tuneGC()
	started := time.Now()
	svc, err := openServices(ctx, cfg, io.Discard, slog.New(slog.DiscardHandler))
	if err != nil {
		return appErr("loadtest", err)
	}
	defer svc.app.Close()
	renderer, err := web.New(svc.app.Engine.Bundle())
	if err != nil {
		return appErr("loadtest", err)
	}
	handler := httpserver.NewServer(httpserver.Deps{Web: renderer, DB: svc.app.DB, Accounts: svc.accounts, Casework: svc.casework, Engine: svc.app.Engine,
		Sealer: svc.app.Sealer, Metrics: metrics.New(), Now: svc.app.Now, Rand: svc.app.Rand})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := httpserver.NewHTTPServer(ln.Addr().String(), handler, slog.New(slog.DiscardHandler))
	go srv.Serve(ln)
	defer srv.Close()
	startup := time.Since(started)
	base := "http://" + ln.Addr().String()

	token, personIDs, err := seedLoad(ctx, svc, *people)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "server on %s, ready %v after start (open, migrate, keys); %d CPUs\n", base, startup.Round(time.Millisecond), runtime.NumCPU())
	bodies := make([][]byte, len(personIDs))
	for i, id := range personIDs {
		bodies[i] = []byte(strings.Replace(loadAnswers, "{PERSON}", id, 1))
	}
	rep, err := loadgen.Run(ctx, loadgen.Config{BaseURL: base, Token: token, Rate: *rate, Duration: *duration,
		Request:  func(i int) (string, string, []byte) { return "POST", "/api/v1/screenings", bodies[i%len(bodies)] },
		Progress: func(sent, done int) { fmt.Fprintf(stderr, "\r  sent %d, answered %d", sent, done) }})
	fmt.Fprintln(stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "POST /api/v1/screenings at %d/s for %v: %s\n", *rate, *duration, rep)

	// Lists and filters: the first pages of complete screenings, of one
	// person's screenings, and of people.
	listRep, err := loadgen.Run(ctx, loadgen.Config{BaseURL: base, Token: token, Rate: 100, Duration: 3 * time.Second,
		Request: func(i int) (string, string, []byte) {
			switch i % 3 {
			case 0:
				return "GET", "/api/v1/screenings?status=complete&limit=50", nil
			case 1:
				return "GET", "/api/v1/screenings?person_id=" + personIDs[i%len(personIDs)], nil
			}
			return "GET", "/api/v1/people?limit=50", nil
		}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "list and filter at 100/s for 3s: %s\n", listRep)
	fmt.Fprintf(stdout, "resident memory (VmRSS) of this process, server and load generator together: %s\n", rss())
	return nil
}

// seedLoad makes the load test's organization, caseworker, token and people.
func seedLoad(ctx context.Context, svc *services, n int) (string, []string, error) {
	op := svc.accounts.Operator()
	org := &dom.Organization{Name: "Load test (fictional)", Country: "GB"}
	if err := op.CreateOrganization(ctx, "loadtest", org); err != nil {
		return "", nil, err
	}
	u, err := op.CreateUser(ctx, "loadtest", org.ID, accounts.NewUser{Email: "worker@loadtest.example", DisplayName: "Load", Role: dom.RoleCaseworker, Password: "correct horse battery staple orchard"})
	if err != nil {
		return "", nil, err
	}
	token, _, err := op.CreateAPIToken(ctx, "loadtest", org.ID, u.ID, accounts.NewToken{Name: "load",
		Scopes: []auth.TokenScope{auth.TokenScreeningsWrite, auth.TokenScreeningsRead, auth.TokenPeopleRead}, ExpiresAt: time.Now().Add(24 * time.Hour)})
	if err != nil {
		return "", nil, err
	}
	actor := casework.Actor{Principal: auth.Principal{UserID: u.ID, OrgID: org.ID, Role: u.Role, MFAVerified: true}, RequestID: "loadtest"}
	var ids []string
	for i := range n {
		p, err := svc.casework.CreatePerson(ctx, actor, casework.PersonInput{AgeEstimate: strconv.Itoa(20 + i%30)})
		if err != nil {
			return "", nil, err
		}
		ids = append(ids, p.ID)
	}
	return token, ids, nil
}

// rss reads this process's resident memory from /proc.
func rss() string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("VmRSS:")) {
			return strings.TrimSpace(string(line[len("VmRSS:"):]))
		}
	}
	return "unknown"
}
