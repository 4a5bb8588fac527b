// Package e2e drives Debian's chromium against the real discern binary,
// started with its fictional demo data: sign in, a full interview from a
// dev vignette's answers through the real forms, the result and its print
// view, the language switch, an interview left mid-way and resumed, and a
// user of another organization refused a record. axe-core (vendored in
// internal/web/testdata) checks every page visited.
//
// Without /usr/bin/chromium, or with -short, the tests skip.
package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"github.com/pquerna/otp/totp"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/discern-org/discern/internal/browsertest"

	"github.com/discern-org/discern/internal/content"
	"github.com/discern-org/discern/internal/demo"
	"github.com/discern-org/discern/internal/screening"
)

// startServer builds cmd/discern and runs `discern serve --demo` on a free
// port, returning its URL.
func startServer(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "discern")
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	build := exec.Command(gobin, "build", "-o", bin, "./cmd/discern")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build discern: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "--demo", "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0")
	// The demo runs on SQLite in the temp dir, whatever the environment
	// names.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISCERN_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("server log (last 3000 bytes):\n%s", stderr.tail(3000))
		}
	})
	urls := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`listening on (http://\S+)`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	select {
	case u := <-urls:
		return u
	case <-time.After(60 * time.Second):
		t.Fatalf("discern serve did not say where it listens; stderr:\n%s", stderr.tail(2000))
	}
	return ""
}

type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuffer) tail(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.b) > n {
		return string(s.b[len(s.b)-n:])
	}
	return string(s.b)
}

// tab is one chromium tab (browsertest.Tab) with the steps these tests
// take in it.
type tab struct{ *browsertest.Tab }

// browser opens a chromium tab, or skips the test.
func browser(t *testing.T) *tab {
	t.Helper()
	bt := browsertest.Start(t, "/static/", 4*time.Minute)
	return &tab{bt}
}

// check runs axe-core on the page and fails for serious or critical
// violations, and for anything the browser logged (a CSP violation, a
// script error, a missing asset).
func (b *tab) check(t *testing.T, where string) {
	t.Helper()
	browsertest.CheckAxe(t, b.Ctx, where)
	browsertest.CheckLogs(t, b.Tab, where)
}

// navigate opens a page and waits for it.
func (b *tab) navigate(t *testing.T, u string) {
	t.Helper()
	if err := chromedp.Run(b.Ctx, chromedp.Navigate(u), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
}

// submit clicks a button that sends a form and waits for the next page.
func (b *tab) submit(t *testing.T, sel string) {
	t.Helper()
	// The element's own click(), as a keyboard user's Enter would: a
	// click at coordinates can land on whatever sticks over the button.
	err := chromedp.Run(b.Ctx,
		chromedp.Evaluate(`window.__leaving = true`, nil),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%q).click()`, sel), nil),
	)
	if err != nil {
		t.Fatalf("submit %s: %v", sel, err)
	}
	// The old page goes while this waits: an error means it went.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var arrived bool
		err := chromedp.Run(b.Ctx, chromedp.Evaluate(`!window.__leaving && document.readyState === "complete"`, &arrived))
		if err == nil && arrived {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("submit %s: the next page did not arrive", sel)
}

func (b *tab) text(t *testing.T, sel string) string {
	t.Helper()
	var s string
	if err := chromedp.Run(b.Ctx, chromedp.Text(sel, &s, chromedp.ByQuery)); err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

func (b *tab) eval(t *testing.T, js string, out any) {
	t.Helper()
	if err := chromedp.Run(b.Ctx, chromedp.Evaluate(js, out)); err != nil {
		t.Fatalf("evaluate %.60s: %v", js, err)
	}
}

func (b *tab) path(t *testing.T) string {
	var p string
	b.eval(t, `location.pathname + location.search`, &p)
	return p
}

// signIn signs in through the sign-in form.
func (b *tab) signIn(t *testing.T, base, email string) {
	t.Helper()
	b.navigate(t, base+"/signin")
	b.check(t, "sign in")
	if err := chromedp.Run(b.Ctx,
		chromedp.SendKeys(`#email`, email, chromedp.ByID),
		chromedp.SendKeys(`#password`, demo.Password, chromedp.ByID),
	); err != nil {
		t.Fatal(err)
	}
	b.submit(t, `form[action="/signin"] button[type="submit"]`)
	if p := b.path(t); p != "/" {
		t.Fatalf("after signing in as %s the browser is at %s: %s", email, p, b.text(t, "main"))
	}
	b.check(t, "home")
}

func (b *tab) screenshot(t *testing.T, dir, name string, width int) {
	t.Helper()
	browsertest.Screenshot(t, b.Ctx, dir, name, width, "")
}

// vignetteAnswers reads a dev vignette and returns its evidence and its
// answers in the shape the form filler reads.
func vignetteAnswers(t *testing.T, name string) (*screening.Evidence, string) {
	t.Helper()
	b := content.MustLoadEmbedded()
	path := filepath.Join("..", "internal", "screening", "testdata", "vignettes", name+".yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := screening.ParseAnswers(b, path, data)
	if err != nil {
		t.Fatal(err)
	}
	type fill struct {
		Value   string   `json:"value,omitempty"`
		Options []string `json:"options,omitempty"`
		Age     *int     `json:"age,omitempty"`
		Prov    string   `json:"prov,omitempty"`
	}
	m := map[string]fill{}
	for _, a := range ev.Answers {
		m[a.Question] = fill{Value: a.Value, Options: a.Options, Age: a.Age, Prov: a.Provenance}
	}
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return ev, string(js)
}

// fillJS answers the questions on the page that the vignette answers, in
// the page's own inputs; it returns how many it answered, or throws for
// an answer the page has no input for.
const fillJS = `(function(ans){
  let n = 0;
  for (const fs of document.querySelectorAll("fieldset.question")) {
    const q = fs.id.slice(2), a = ans[q];
    if (!a) continue;
    const pick = id => { const el = document.getElementById(id); if (!el) throw new Error("no input " + id); el.checked = true; };
    if (a.age !== undefined) document.getElementById("a-" + q).value = String(a.age);
    else if (a.options) a.options.forEach(o => pick("a-" + q + "-" + o));
    else if (a.value) pick(document.getElementById("a-" + q + "-" + a.value) ? "a-" + q + "-" + a.value : "x-" + q + "-" + a.value);
    if (a.prov) { const p = document.getElementById("p-" + q); if (p) p.value = a.prov; }
    n++;
  }
  return n;
})`

// transferred sums what the page loaded: the document and every resource
// (decoded, so uncompressed), with the cache off.
func (b *tab) transferred(t *testing.T) (total int64, parts map[string]int64) {
	t.Helper()
	var entries []struct {
		Name string  `json:"name"`
		Size float64 `json:"size"`
	}
	b.eval(t, `performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
		.map(e => ({name: e.name, size: e.decodedBodySize}))`, &entries)
	parts = map[string]int64{}
	for _, e := range entries {
		parts[e.Name] = int64(e.Size)
		total += int64(e.Size)
	}
	return total, parts
}

func TestBrowser(t *testing.T) {
	b := browser(t)
	base := startServer(t)
	dir := browsertest.ScreenshotDir(t)
	ctx := b.Ctx

	b.navigate(t, base+"/people")
	if p := b.path(t); !strings.HasPrefix(p, "/signin?next=") {
		t.Fatalf("a page asked for without signing in went to %s, want the sign-in page", p)
	}
	b.signIn(t, base, "caseworker@harbour.example")

	// A Harbour person, for the interview and for the other organization.
	b.navigate(t, base+"/people")
	b.check(t, "people")
	b.submit(t, `ul.cards a[href^="/people/"]`)
	personPath := b.path(t)
	if !strings.HasPrefix(personPath, "/people/") {
		t.Fatalf("the people list led to %s", personPath)
	}
	b.check(t, "person")
	caseCode := b.text(t, "h1")

	t.Run("full interview from vignette D14", func(t *testing.T) {
		ev, answers := vignetteAnswers(t, "D14")
		b.submit(t, `a[href^="/screenings/new?person="]`)
		b.check(t, "start")
		var js string
		for _, j := range ev.Jurisdictions {
			js += fmt.Sprintf("%q,", j)
		}
		b.eval(t, fmt.Sprintf(`(function(){
			document.getElementById("instrument-%s").checked = true;
			document.getElementById("lang-%s").checked = true;
			const want = [%s];
			document.querySelectorAll('input[name="jurisdictions"]').forEach(i => i.checked = want.includes(i.value));
		})()`, ev.Instrument, ev.Language, js), nil)
		b.submit(t, `form[action="/screenings/new"] button[type="submit"]`)

		shot := false
		for step := 0; ; step++ {
			if step > 30 {
				t.Fatal("the interview did not end after 30 steps")
			}
			p := b.path(t)
			if !strings.Contains(p, "/interview") {
				break
			}
			var n int
			b.eval(t, fillJS+"("+answers+")", &n)
			t.Logf("step %d at %s: %d answers filled", step, p, n)
			b.check(t, "interview "+p)
			if !shot && n > 2 {
				b.screenshot(t, dir, "interview-desktop", 1280)
				b.screenshot(t, dir, "interview-phone", 390)
				shot = true
			}
			var finish bool
			b.eval(t, `!!document.querySelector('button[value="finish"]')`, &finish)
			if finish {
				b.submit(t, `button[value="finish"]`)
			} else {
				b.submit(t, `button[value="next"]`)
			}
			t.Logf("  sent (finish %v): now at %s (%d)", finish, b.path(t), b.LastStatus())
			if b.LastStatus() == 422 {
				t.Fatalf("the step at %s was refused: %s", p, b.text(t, "#error-summary"))
			}
		}
		resultPath := b.path(t)
		if !strings.HasPrefix(resultPath, "/screenings/") {
			t.Fatalf("the interview ended at %s", resultPath)
		}
		b.check(t, "result")
		if got := b.text(t, ".result-head"); !strings.Contains(got, caseCode) && caseCode != "" {
			t.Logf("the result does not name the case %q: %q", caseCode, got)
		}

		// The result the pages show is the engine's on the vignette's
		// answers: the determination per jurisdiction, and each element's
		// state in the table.
		res, err := screening.New(content.MustLoadEmbedded()).Evaluate(ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, jr := range res.Results {
			sec := "#j-" + jr.Jurisdiction
			var class string
			b.eval(t, fmt.Sprintf(`document.querySelector(%q).className`, sec), &class)
			if !strings.Contains(class, "det-"+jr.Determination) {
				t.Errorf("%s: the page's determination is %q, the engine's %s", jr.Jurisdiction, class, jr.Determination)
			}
			if sentence := b.text(t, sec+" .determination"); len(strings.TrimSpace(sentence)) < 20 {
				t.Errorf("%s: determination sentence %q", jr.Jurisdiction, sentence)
			}
			var rows []string
			b.eval(t, fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).map(r => r.className)`, sec+" table.elements tbody tr"), &rows)
			if len(rows) != len(jr.Elements) {
				t.Errorf("%s: %d element rows, the engine has %d elements", jr.Jurisdiction, len(rows), len(jr.Elements))
				continue
			}
			for i, el := range jr.Elements {
				if rows[i] != "row-"+el.State {
					t.Errorf("%s: element %d row %q, engine state %s", jr.Jurisdiction, i, rows[i], el.State)
				}
			}
		}
		b.screenshot(t, dir, "result-desktop", 1280)
		b.screenshot(t, dir, "result-phone", 390)

		b.navigate(t, base+resultPath+"?print=1")
		b.check(t, "print view")
		var nav bool
		b.eval(t, `!!document.querySelector("header nav, .site-header nav")`, &nav)
		if nav {
			t.Error("the print view shows the site's navigation")
		}
		b.screenshot(t, dir, "print-desktop", 1280)
		b.screenshot(t, dir, "print-phone", 390)
		browsertest.Screenshot(t, ctx, dir, "print-media-desktop", 1280, "print")
	})

	t.Run("leave mid-way and resume", func(t *testing.T) {
		b.navigate(t, base+"/screenings/new")
		b.check(t, "start anonymous")
		b.submit(t, `form[action="/screenings/new"] button[type="submit"]`)
		if p := b.path(t); !strings.Contains(p, "/interview?step=0") {
			t.Fatalf("start went to %s", p)
		}
		// Measure the interview page's weight with the cache off.
		if err := chromedp.Run(ctx, network.SetCacheDisabled(true), chromedp.Reload(), chromedp.WaitReady("body")); err != nil {
			t.Fatal(err)
		}
		total, parts := b.transferred(t)
		t.Logf("interview page weight: %d bytes (HTML+CSS+JS, uncompressed): %v", total, parts)
		if total > 150*1024 {
			t.Errorf("the interview page weighs %d bytes, over the 150 KB budget", total)
		}
		if err := chromedp.Run(ctx, network.SetCacheDisabled(false)); err != nil {
			t.Fatal(err)
		}
		b.check(t, "interview step 1")
		// Answer the first question of step 1 (saved by "next"), then one
		// of step 2 by a real click, which htmx saves in the background.
		b.eval(t, `document.querySelector('fieldset.question input[type="radio"][value="no"], fieldset.question input[type="radio"]').checked = true`, nil)
		b.submit(t, `button[value="next"]`)
		heading := b.text(t, "h1")
		var id string
		b.eval(t, `(function(){ const i = document.querySelector('fieldset.question input[type="radio"][id^="a-"]:not(:checked)'); return i.id; })()`, &id)
		b.eval(t, `window.__hx = []; ["htmx:trigger","htmx:beforeRequest","htmx:sendError","htmx:responseError","htmx:afterRequest","htmx:validation:halted","htmx:configRequest","change"].forEach(n => document.body.addEventListener(n, e => window.__hx.push(n + ":" + (e.detail && e.detail.xhr ? e.detail.xhr.status : ""))))`, nil)
		if err := chromedp.Run(ctx,
			chromedp.Evaluate(fmt.Sprintf(`document.getElementById(%q).click()`, id), nil),
			chromedp.Poll(`document.getElementById("autosave").textContent.length > 0 && !document.getElementById("autosave").textContent.includes("each time")`, nil,
				chromedp.WithPollingTimeout(15*time.Second)),
		); err != nil {
			var diag string
			b.eval(t, `location.href + " " + `+fmt.Sprintf("%q", id)+` + " checked=" + document.getElementById(`+fmt.Sprintf("%q", id)+`).checked + " " + JSON.stringify(window.__hx) + " " + (typeof htmx) + " " + (window.htmx ? htmx.version : "") + " | " + document.getElementById("autosave").textContent + " | " + document.querySelector("form.interview-form").getAttribute("hx-post")`, &diag)
			t.Fatalf("background save: %v (%s; logs %v)", err, diag, b.TakeLogs())
		}
		// Leave without a button: the home page lists the draft.
		b.navigate(t, base+"/")
		b.check(t, "home with a draft")
		b.submit(t, `a[href$="/interview"]`)
		if got := b.text(t, "h1"); got != heading {
			t.Errorf("resumed at %q, want the step left: %q", got, heading)
		}
		var kept bool
		b.eval(t, fmt.Sprintf(`document.getElementById(%q).checked`, id), &kept)
		if !kept {
			t.Errorf("the answer saved in the background (%s) is not there on resuming", id)
		}
		if body := b.text(t, "main"); !strings.Contains(body, "restored") {
			t.Errorf("no notice that the answers were restored: %.300s", body)
		}
		b.check(t, "resumed interview")

		// The questions in Spanish for this interview (an interpreter
		// arrived), the screen still in English.
		b.eval(t, `document.getElementById("qlang").value = "es"`, nil)
		b.submit(t, `button[value="next"]`)
		var qlang, pageLang string
		b.eval(t, `(document.querySelector("fieldset.question legend") || {}).lang || ""`, &qlang)
		b.eval(t, `document.documentElement.lang`, &pageLang)
		if qlang != "es" || pageLang != "en" {
			t.Errorf("questions in %q on a page in %q, want es on en", qlang, pageLang)
		}
		b.check(t, "interview, questions in Spanish")
		b.screenshot(t, dir, "interview-questions-es-phone", 390)
	})

	t.Run("Spanish", func(t *testing.T) {
		b.navigate(t, base+"/")
		b.submit(t, `.lang-switch button[lang="es"]`)
		var lang string
		b.eval(t, `document.documentElement.lang`, &lang)
		if lang != "es" {
			t.Fatalf("after choosing Español the page's language is %q", lang)
		}
		b.check(t, "home (es)")
		b.navigate(t, base+"/screenings/new")
		if h := b.text(t, "h1"); h == "" || strings.Contains(h, "screening") {
			t.Errorf("the start page in Spanish is titled %q", h)
		}
		b.check(t, "start (es)")
		b.navigate(t, base+"/")
		b.submit(t, `.lang-switch button[lang="en"]`)
	})

	t.Run("another organization cannot open the record", func(t *testing.T) {
		b.navigate(t, base+"/")
		b.submit(t, `form[action="/signout"] button`)
		if p := b.path(t); p != "/signin" {
			t.Fatalf("after signing out the browser is at %s", p)
		}
		b.signIn(t, base, "caseworker@northside.example")
		b.navigate(t, base+personPath)
		if s := b.LastStatus(); s != 404 && s != 403 {
			t.Errorf("Northside opening a Harbour person got %d, want 404 or 403", s)
		}
		if body := b.text(t, "main"); caseCode != "" && strings.Contains(body, caseCode) {
			t.Errorf("the refusal shows the case code %q", caseCode)
		}
		b.check(t, "refused record")
	})

	t.Run("an administrator sets up a second factor", func(t *testing.T) {
		b.navigate(t, base+"/")
		b.submit(t, `form[action="/signout"] button`)
		b.navigate(t, base+"/signin")
		if err := chromedp.Run(b.Ctx,
			chromedp.SendKeys(`#email`, "admin@harbour.example", chromedp.ByID),
			chromedp.SendKeys(`#password`, demo.Password, chromedp.ByID),
		); err != nil {
			t.Fatal(err)
		}
		b.submit(t, `form[action="/signin"] button[type="submit"]`)
		if p := b.path(t); !strings.HasPrefix(p, "/signin/setup") {
			t.Fatalf("an administrator without a second factor is at %s after signing in", p)
		}
		b.check(t, "second factor set-up")
		secret := b.text(t, "code.secret")
		code, err := totp.GenerateCode(strings.TrimSpace(secret), time.Now())
		if err != nil {
			t.Fatalf("the set-up page's secret %q: %v", secret, err)
		}
		if err := chromedp.Run(b.Ctx, chromedp.SendKeys(`#code`, code, chromedp.ByID)); err != nil {
			t.Fatal(err)
		}
		b.submit(t, `form[action="/signin/setup"] button[type="submit"]`)
		if p := b.path(t); p != "/" {
			t.Fatalf("after setting up the second factor the browser is at %s: %s", p, b.text(t, "main"))
		}
		b.navigate(t, base+"/admin/users")
		if s := b.LastStatus(); s != 200 {
			t.Fatalf("the administrator's users page: %d", s)
		}
		b.check(t, "admin users")
	})
	t.Logf("screenshots in %s", dir)
}
