package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb/sqldbtest"
)

// TestReplicasShareOnePostgreSQL starts two servers at once on one
// PostgreSQL schema with one master key (from the environment), signs in on
// one and uses the session on the other: the servers keep no state of
// their own, and both start (and migrate) at the same time without harm.
func TestReplicasShareOnePostgreSQL(t *testing.T) {
	base := os.Getenv(sqldbtest.EnvPostgres)
	if base == "" {
		t.Skipf("%s is not set; skipping the PostgreSQL replica test", sqldbtest.EnvPostgres)
	}
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "discern")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "r_" + hex.EncodeToString(b[:])
	psql := func(q string) {
		if out, err := exec.Command("psql", base, "-qc", q).CombinedOutput(); err != nil {
			t.Fatalf("psql: %v %s", err, out)
		}
	}
	psql("CREATE SCHEMA " + schema)
	t.Cleanup(func() {
		psql("DROP SCHEMA IF EXISTS " + schema + " CASCADE; DROP SCHEMA IF EXISTS " + schema + "_keys CASCADE")
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	kr, err := seal.NewKeyring(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keyText, _ := kr.MarshalText()
	var entries []string
	for _, line := range strings.Split(string(keyText), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			entries = append(entries, line)
		}
	}
	env := append(os.Environ(), "DISCERN_DATABASE_URL="+u.String(), "DISCERN_KEY_SCHEMA="+schema+"_keys", "DISCERN_MASTER_KEY="+strings.Join(entries, ";"))

	start := func(dir string) (*exec.Cmd, string) {
		cmd := exec.Command(bin, "serve", "--data", dir, "--addr", "127.0.0.1:0")
		cmd.Env = env
		out, _ := cmd.StdoutPipe()
		var errBuf strings.Builder
		cmd.Stderr = &errBuf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				go io.Copy(io.Discard, out)
				return cmd, m[1]
			}
		}
		t.Fatalf("a replica printed no URL: %s", errBuf.String())
		return nil, ""
	}
	// Both replicas start at once: their migrations take turns.
	var urls [2]string
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() { _, urls[i] = start(filepath.Join(t.TempDir(), "replica")) })
	}
	wg.Wait()

	run := func(stdin string, args ...string) string {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("discern %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	data := filepath.Join(t.TempDir(), "cli")
	orgID := regexp.MustCompile(`Organization (\S+) created`).FindStringSubmatch(run("", "org", "add", "--data", data, "--name", "Replicas (fictional)", "--country", "GB"))[1]
	run("a long enough password for replicas\n", "user", "add", "--data", data, "--org", orgID, "--email", "cw@replicas.example", "--name", "CW", "--role", "caseworker")

	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Post(urls[0]+"/api/v1/sessions", "application/json", strings.NewReader(`{"email":"cw@replicas.example","password":"a long enough password for replicas"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		cookie = c
	}
	if resp.StatusCode != http.StatusCreated || cookie == nil {
		t.Fatalf("sign-in on replica 1: %d", resp.StatusCode)
	}
	// The session made on one replica works on the other; a person made on
	// the second reads on the first, sealed with the shared key.
	req, _ := http.NewRequest("POST", urls[1]+"/api/v1/people", strings.NewReader(`{"name":"Replica Person (fictional)"}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(cookie)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create on replica 2 with replica 1's session: %d %s", resp.StatusCode, body)
	}
	id := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(string(body))[1]
	req, _ = http.NewRequest("GET", urls[0]+"/api/v1/people/"+id, nil)
	req.AddCookie(cookie)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Replica Person (fictional)") {
		t.Fatalf("read on replica 1: %d %s", resp.StatusCode, body)
	}
}
