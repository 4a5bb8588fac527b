package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/sqldb"
)

// TestCrashDuringConcurrentWrites builds the real binary, starts the server,
// sends screenings from several clients at once, kills the server with
// SIGKILL in the middle, restarts it, and checks that every screening it
// acknowledged is there, the database is intact and the audit chain
// verifies.
func TestCrashDuringConcurrentWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "discern")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dir := filepath.Join(t.TempDir(), "data")
	cli := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append(args, "--data", dir)...)
		cmd.Stdin = strings.NewReader(stdin)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("discern %v: %v\n%s", args, err, stderr.String())
		}
		return string(out)
	}
	orgID := regexp.MustCompile(`Organization (\S+) created`).FindStringSubmatch(cli("", "org", "add", "--name", "Crash Test (fictional)", "--country", "GB"))[1]
	cli("a long enough password for the crash test\n", "user", "add", "--org", orgID, "--email", "cw@crash.example", "--name", "CW", "--role", "caseworker")
	token := strings.TrimSpace(cli("", "token", "create", "--email", "cw@crash.example", "--name", "crash", "--scopes", "screenings:write,screenings:read"))

	start := func() (*exec.Cmd, string) {
		cmd := exec.Command(bin, "serve", "--data", dir, "--addr", "127.0.0.1:0")
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				go io.Copy(io.Discard, out)
				return cmd, m[1]
			}
		}
		t.Fatal("the server printed no URL")
		return nil, ""
	}
	cmd, url := start()
	body := []byte(`{"complete": true, "evidence": {"jurisdictions": "all", "answers": {"age": 31, "exchange_sex": "yes",
		"others_involved": "yes", "money_share": "all_or_most", "travel_arranged": "yes", "violence": "yes", "documents": "someone_else_holds"}}}`)
	client := &http.Client{Timeout: 10 * time.Second}
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
		stop  = make(chan struct{})
	)
	for range 6 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("POST", url+"/api/v1/screenings", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				var sc struct {
					ID string `json:"id"`
				}
				json.NewDecoder(resp.Body).Decode(&sc)
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated && sc.ID != "" {
					mu.Lock()
					acked = append(acked, sc.ID)
					mu.Unlock()
				}
			}
		})
	}
	// Let writes pile up, then kill the server mid-flight.
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 150 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) < 20 {
		t.Fatalf("only %d screenings acknowledged before the crash", len(acked))
	}

	// Restart: every acknowledged screening is there.
	cmd, url = start()
	defer func() { cmd.Process.Signal(syscall.SIGKILL); cmd.Wait() }()
	missing := 0
	for _, id := range acked {
		req, _ := http.NewRequest("GET", url+"/api/v1/screenings/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged screenings missing after kill -9", missing, len(acked))
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	// The audit chain verifies after the crash.
	if out := cli("", "audit", "verify"); !strings.Contains(out, "intact") {
		t.Errorf("audit verify after the crash: %s", out)
	}
	// The database file is intact.
	db, err := sqldb.Open(context.Background(), filepath.Join(dir, sqldb.DBFile), sqldb.Options{Now: time.Now, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.WithReadTx(context.Background(), func(tx *sqldb.Tx) error {
		return tx.QueryRowContext(context.Background(), "PRAGMA integrity_check").Scan(&check)
	}); err != nil || check != "ok" {
		t.Errorf("integrity_check after the crash: %q %v", check, err)
	}
	t.Logf("%d acknowledged screenings survived kill -9", len(acked))
}
