package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeDemo starts the real server on a fresh demo directory, signs in
// as the demo caseworker over HTTP and reads the fictional people.
func TestServeDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	var errOut strings.Builder
	go func() {
		done <- run(ctx, []string{"discern", "serve", "--demo", "--data", dir, "--addr", "127.0.0.1:0"}, func(string) string { return "" },
			strings.NewReader(""), pw, &errOut)
		pw.Close()
	}()
	url := ""
	sc := bufio.NewScanner(pr)
	re := regexp.MustCompile(`listening on (http://\S+)`)
	var out strings.Builder
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
		}
		if strings.HasPrefix(sc.Text(), "Try:") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if url == "" {
		t.Fatalf("no URL printed:\n%s\n%s", out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "caseworker@harbour.example") || !strings.Contains(out.String(), "fictional") {
		t.Errorf("demo sign-in not printed:\n%s", out.String())
	}
	client := &http.Client{Timeout: 10 * time.Second}
	body := `{"email":"caseworker@harbour.example","password":"demo only: harbour lantern quiet"}`
	resp, err := client.Post(url+"/api/v1/sessions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session string
	for _, c := range resp.Cookies() {
		session = c.Value
	}
	if resp.StatusCode != http.StatusCreated || session == "" {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", url+"/api/v1/people", nil)
	req.AddCookie(&http.Cookie{Name: "__Host-discern_session", Value: session})
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []struct {
			CaseCode string `json:"case_code"`
		} `json:"items"`
	}
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(list.Items) != 6 {
		t.Fatalf("people: %d, %d items", resp.StatusCode, len(list.Items))
	}
	// The demo directory is installed and served.
	req, _ = http.NewRequest("GET", url+"/hsds/organizations/00000000-0000-4000-8000-0000000000a1", nil)
	req.AddCookie(&http.Cookie{Name: "__Host-discern_session", Value: session})
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var org struct {
		Name string `json:"name"`
	}
	json.NewDecoder(resp.Body).Decode(&org)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(org.Name, "Legal Aid (fictional)") {
		t.Fatalf("the demo directory's legal-aid partner: %d %q", resp.StatusCode, org.Name)
	}
	// `discern directory import` while the server runs: the server picks
	// the new directory up on use, without a restart.
	if code, _, errOut := discern(t, "", "directory", "import", "--data", dir,
		filepath.Join("..", "..", "internal", "directory", "testdata", "hsds-examples", "service_full.json")); code != 0 {
		t.Fatalf("directory import: %s", errOut)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		req, _ = http.NewRequest("GET", url+"/hsds/services", nil)
		req.AddCookie(&http.Cookie{Name: "__Host-discern_session", Value: session})
		resp, err = client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			TotalItems int `json:"total_items"`
		}
		json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if page.TotalItems == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the imported directory was not picked up: %d services", page.TotalItems)
		}
		time.Sleep(250 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, errOut.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down")
	}
	// A second start reuses the demo data and does not seed again.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel2()
	var out2 strings.Builder
	run(ctx2, []string{"discern", "serve", "--demo", "--data", dir, "--addr", "127.0.0.1:0"}, func(string) string { return "" }, strings.NewReader(""), &out2, io.Discard)
	if strings.Contains(out2.String(), "Created demo data") || !strings.Contains(out2.String(), "caseworker@harbour.example") {
		t.Errorf("second start:\n%s", out2.String())
	}
}

// TestAccountCommands makes an organization, an administrator and a
// caseworker with the CLI, gives the caseworker a token, and handles a
// lock-out.
func TestAccountCommands(t *testing.T) {
	dir := t.TempDir()
	data := []string{"--data", dir}
	code, out, errOut := discern(t, "", append([]string{"org", "add", "--name", "Harbour Outreach (fictional)", "--country", "gb"}, data...)...)
	if code != 0 {
		t.Fatalf("org add: %d %s", code, errOut)
	}
	orgID := regexp.MustCompile(`Organization (\S+) created`).FindStringSubmatch(out)[1]
	code, out, _ = discern(t, "", append([]string{"org", "list"}, data...)...)
	if code != 0 || !strings.Contains(out, orgID) || !strings.Contains(out, "GB") {
		t.Errorf("org list: %d\n%s", code, out)
	}
	code, out, errOut = discern(t, "correct horse battery staple lantern\n", append([]string{"user", "add", "--org", orgID, "--email", "cw@harbour.example", "--name", "Casey", "--role", "caseworker"}, data...)...)
	if code != 0 || !strings.Contains(out, "cw@harbour.example") {
		t.Fatalf("user add: %d %s %s", code, out, errOut)
	}
	// A weak password is refused with a clear message and exit code 2.
	code, _, errOut = discern(t, "password\n", append([]string{"user", "add", "--org", orgID, "--email", "weak@harbour.example", "--name", "W", "--role", "screener"}, data...)...)
	if code != 2 || !strings.Contains(errOut, "password") {
		t.Errorf("weak password: %d %s", code, errOut)
	}
	code, out, errOut = discern(t, "", append([]string{"token", "create", "--email", "cw@harbour.example", "--name", "export", "--scopes", "people:read"}, data...)...)
	if code != 0 || !strings.HasPrefix(strings.TrimSpace(out), "dsc_") || !strings.Contains(errOut, "shown once") {
		t.Errorf("token create: %d %q %s", code, out, errOut)
	}
	code, out, _ = discern(t, "", append([]string{"user", "list", "--org", orgID}, data...)...)
	if code != 0 || !strings.Contains(out, "cw@harbour.example") || !strings.Contains(out, "caseworker") {
		t.Errorf("user list: %d\n%s", code, out)
	}
	for _, sub := range []string{"disable", "enable", "reset-mfa", "unlock"} {
		if code, _, errOut := discern(t, "", append([]string{"user", sub, "--email", "cw@harbour.example"}, data...)...); code != 0 {
			t.Errorf("user %s: %d %s", sub, code, errOut)
		}
	}
	if code, _, errOut := discern(t, "", append([]string{"user", "disable", "--email", "nobody@harbour.example"}, data...)...); code == 0 {
		t.Errorf("disabling nobody succeeded: %s", errOut)
	}
	// The audit log records the operator's changes and verifies.
	if code, out, errOut := discern(t, "", append([]string{"audit", "verify"}, data...)...); code != 0 || !strings.Contains(out, "intact") {
		t.Errorf("audit verify: %d %s %s", code, out, errOut)
	}
}

// TestLoadtestRuns runs a short, gentle load test to keep the command
// working; the figures themselves are measured by hand (README).
func TestLoadtestRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("sends load for a few seconds; skipped with -short")
	}
	code, out, errOut := discern(t, "", "loadtest", "--rate", "20", "--duration", "1s", "--people", "3")
	if code != 0 || !strings.Contains(out, "ok 20") || !strings.Contains(out, "p99") || !strings.Contains(out, "VmRSS") {
		t.Errorf("loadtest: %d\n%s\n%s", code, out, errOut)
	}
}
