package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/discern-org/discern/internal/browsertest"

	"github.com/discern-org/discern/internal/screening"
)

// The browser tests drive Debian's chromium against a small server made
// here from the renderers (the real server wires the same calls in
// package httpserver). They prove the interview works with JavaScript off,
// that no page breaks the Content-Security-Policy, that axe-core finds no
// serious or critical accessibility violation on any page, and they write
// screenshots of the interview, the result and the print view at desktop
// and phone widths.

// e2eServer keeps one draft screening in memory and serves the interview,
// the result and every fixture page.
type e2eServer struct {
	t        testing.TB
	r        *Renderer
	mu       sync.Mutex
	drafts   map[string]*screening.Evidence
	saved    map[string]time.Time
	lang     string
	autosave int
}

func newE2EServer(t testing.TB) (*httptest.Server, *e2eServer) {
	r := mustRenderer(t)
	s := &e2eServer{t: t, r: r, drafts: map[string]*screening.Evidence{}, saved: map[string]time.Time{}, lang: "en"}
	mux := http.NewServeMux()
	mux.Handle("GET "+PathStatic, Static())
	mux.HandleFunc("POST "+PathLanguage, s.language)
	mux.HandleFunc("GET "+PathInterview, s.interview)
	mux.HandleFunc("POST "+PathInterview, s.interviewPost)
	mux.HandleFunc("GET "+PathScreening, s.result)
	mux.HandleFunc("GET /fixture/{lang}/{name}", s.fixture)
	h := http.Handler(mux)
	h = http.NewCrossOriginProtection().Handler(h)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Security-Policy", CSP)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return srv, s
}

func (s *e2eServer) page(req *http.Request) Page {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Page{Lang: s.lang, User: staffUser, CurrentURL: req.URL.RequestURI(), RequestID: "e2e"}
}

func (s *e2eServer) draft(id string) *screening.Evidence {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev, ok := s.drafts[id]
	if !ok {
		ev = &screening.Evidence{Instrument: "short", Language: "en", Jurisdictions: []string{"england-wales", "uk-nrm", "palermo", "us-federal"}}
		s.drafts[id] = ev
	}
	return ev
}

func (s *e2eServer) language(w http.ResponseWriter, req *http.Request) {
	if l := req.FormValue("lang"); l == "en" || l == "es" {
		s.mu.Lock()
		s.lang = l
		s.mu.Unlock()
	}
	http.Redirect(w, req, LocalPath(req.FormValue("return")), http.StatusSeeOther)
}

func (s *e2eServer) followups(ev *screening.Evidence) []screening.Followup {
	_, e := mustBundle(s.t)
	res, err := e.Evaluate(ev)
	if err != nil {
		s.t.Errorf("evaluate: %v", err)
		return nil
	}
	return res.Followups
}

func (s *e2eServer) interview(w http.ResponseWriter, req *http.Request) {
	id := req.PathValue("id")
	ev := s.draft(id)
	step, fu, ok := ParseStep(req.URL.Query().Get("step"))
	if !ok {
		step = 0
	}
	p := InterviewPage{Page: s.page(req), ScreeningID: id, CaseCode: "HX-4821", Evidence: ev, Step: step,
		Restored: len(ev.Answers) > 0 && req.URL.Query().Get("resumed") == "1", SavedAt: s.saved[id]}
	if fu {
		p.FollowupStep, p.Followups = true, s.followups(ev)
	}
	if err := s.r.Interview(w, p); err != nil {
		s.t.Errorf("interview: %v", err)
	}
}

func (s *e2eServer) interviewPost(w http.ResponseWriter, req *http.Request) {
	id := req.PathValue("id")
	if err := req.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	b, _ := mustBundle(s.t)
	ev := s.draft(id)
	step, fu, ok := ParseStep(req.PostForm.Get("step"))
	if !ok {
		http.Error(w, "bad step", http.StatusBadRequest)
		return
	}
	shown := SectionQuestions(b, ev.Instrument, step)
	var fus []screening.Followup
	if fu {
		fus = s.followups(ev)
		shown = FollowupQuestions(fus)
	}
	answers, problems := ParseInterviewForm(b, shown, req.PostForm)
	s.mu.Lock()
	for _, a := range answers {
		ev.Set(a)
	}
	s.saved[id] = fixedTime
	lang := s.lang
	s.mu.Unlock()
	if ql, ok := ParseQuestionLanguage(b, req.PostForm); ok {
		s.mu.Lock()
		ev.Language = ql
		s.mu.Unlock()
	}
	nav := ParseNav(req.PostForm)
	if nav == NavLanguage {
		if l := req.PostForm.Get("lang"); l == "en" || l == "es" {
			s.mu.Lock()
			s.lang = l
			s.mu.Unlock()
		}
	}
	if nav == NavAutosave {
		s.mu.Lock()
		s.autosave++
		s.mu.Unlock()
		if err := s.r.AutosaveStatus(w, lang, fixedTime, problems); err != nil {
			s.t.Errorf("autosave: %v", err)
		}
		return
	}
	if len(problems) > 0 {
		p := InterviewPage{Page: s.page(req), ScreeningID: id, CaseCode: "HX-4821", Evidence: ev, Step: step, FollowupStep: fu, Followups: fus,
			Form: req.PostForm, Problems: problems}
		if err := s.r.Interview(w, p); err != nil {
			s.t.Errorf("interview: %v", err)
		}
		return
	}
	next := URL(PathInterview, id)
	sections := len(b.Instrument(ev.Instrument).Sections)
	switch {
	case nav == NavLanguage && fu:
		next += "?step=followups"
	case nav == NavLanguage:
		next += fmt.Sprintf("?step=%d", step)
	case nav == NavSave:
		next = "/fixture/en/home"
	case nav == NavFinish:
		next = URL(PathScreening, id)
	case nav == NavPrev && fu:
		next += fmt.Sprintf("?step=%d", sections-1)
	case nav == NavPrev:
		next += fmt.Sprintf("?step=%d", max(0, step-1))
	case fu:
		next = URL(PathScreening, id)
	case step+1 >= sections:
		next += "?step=followups"
	default:
		next += fmt.Sprintf("?step=%d", step+1)
	}
	http.Redirect(w, req, next, http.StatusSeeOther)
}

func (s *e2eServer) result(w http.ResponseWriter, req *http.Request) {
	id := req.PathValue("id")
	var ev *screening.Evidence
	if id == "d01" {
		ev = mustVignette(s.t, "D01")
	} else {
		s.mu.Lock()
		ev = s.drafts[id]
		s.mu.Unlock()
	}
	if ev == nil {
		_ = s.r.Error(w, ErrorPage{Page: s.page(req), Status: http.StatusNotFound})
		return
	}
	p := s.page(req)
	ev.Language = p.Lang
	_, e := mustBundle(s.t)
	res, err := e.Evaluate(ev)
	if err != nil {
		s.t.Errorf("evaluate: %v", err)
		return
	}
	if err := s.r.Result(w, ResultPage{Page: p, ScreeningID: id, CaseCode: "HX-4821", PersonID: "p_1", Result: res,
		CompletedAt: &fixedTime, Print: req.URL.Query().Get("print") == "1", CanContinue: id != "d01"}); err != nil {
		s.t.Errorf("result: %v", err)
	}
}

func (s *e2eServer) fixture(w http.ResponseWriter, req *http.Request) {
	for _, p := range fixturePages(s.t, s.r, req.PathValue("lang")) {
		if p.name == req.PathValue("name") {
			if err := p.render(w); err != nil {
				s.t.Errorf("fixture: %v", err)
			}
			return
		}
	}
	http.NotFound(w, req)
}

// browser opens a chromium tab (or skips the test).
func browser(t *testing.T) (context.Context, *browsertest.Tab) {
	t.Helper()
	tab := browsertest.Start(t, PathStatic, 2*time.Minute)
	return tab.Ctx, tab
}

// checkNoOverflow fails when anything sticks out sideways: on a phone
// that means a page that scrolls in two directions.
func checkNoOverflow(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	var out []string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll("body *"))
		.filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest(".table-wrap:not(:has(.stack-on-phone))") && !e.closest(".skip-link, .visually-hidden"))
		.slice(0, 5).map(e => e.tagName + "." + e.className + ": " + (e.textContent || "").trim().slice(0, 60))`, &out)); err != nil {
		t.Fatal(err)
	}
	for _, o := range out {
		t.Errorf("%s: wider than the screen: %s", where, o)
	}
}

// checkAxeScriptOff runs axe on a page under test with script off, and
// turns script off again for what follows.
func checkAxeScriptOff(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	browsertest.CheckAxe(t, ctx, where)
	if err := chromedp.Run(ctx, emulation.SetScriptExecutionDisabled(true)); err != nil {
		t.Fatal(err)
	}
}

func TestBrowser(t *testing.T) {
	ctx, cl := browser(t)
	srv, es := newE2EServer(t)
	dir := browsertest.ScreenshotDir(t)
	base := srv.URL

	t.Run("every page passes axe and the CSP", func(t *testing.T) {
		r := mustRenderer(t)
		// At a phone's width, where layouts break first.
		if err := chromedp.Run(ctx, emulation.SetDeviceMetricsOverride(390, 844, 1, true)); err != nil {
			t.Fatal(err)
		}
		for _, lang := range r.Languages() {
			for _, p := range fixturePages(t, r, lang) {
				u := base + "/fixture/" + lang + "/" + p.name
				if err := chromedp.Run(ctx, chromedp.Navigate(u), chromedp.WaitReady("body")); err != nil {
					t.Fatalf("%s: %v", u, err)
				}
				var got string
				if err := chromedp.Run(ctx, chromedp.Evaluate(`document.documentElement.lang`, &got)); err != nil || got != lang {
					t.Errorf("%s: lang %q (%v)", u, got, err)
				}
				browsertest.CheckAxe(t, ctx, lang+"/"+p.name)
				browsertest.CheckLogs(t, cl, lang+"/"+p.name)
				checkNoOverflow(t, ctx, lang+"/"+p.name)
				if os.Getenv("DISCERN_SCREENSHOTS_ALL") != "" {
					browsertest.Screenshot(t, ctx, dir, "page-"+lang+"-"+p.name+"-phone", 390, "")
				}
			}
		}
	})

	t.Run("interview with JavaScript off", func(t *testing.T) {
		id := "nojs"
		url := base + URL(PathInterview, id)
		var body, ageValue, summary string
		var radio bool
		err := chromedp.Run(ctx,
			emulation.SetScriptExecutionDisabled(true),
			chromedp.Navigate(url+"?step=0"),
			chromedp.WaitVisible(`#a-safe_now-no`, chromedp.ByID),
			chromedp.Click(`#a-safe_now-no`, chromedp.ByID),
			chromedp.Click(`button[value="next"]`, chromedp.ByQuery),
			// Step 2: a mistyped age comes back with the problem named
			// and the other answers kept.
			chromedp.WaitVisible(`#a-age`, chromedp.ByID),
			chromedp.SendKeys(`#a-age`, "l9", chromedp.ByID),
			chromedp.Click(`#a-age_doubt-no`, chromedp.ByID),
			chromedp.SetValue(`#p-age_doubt`, "observed", chromedp.ByID),
			chromedp.Click(`button[value="next"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`#error-summary`, chromedp.ByID),
			chromedp.Text(`#error-summary`, &summary, chromedp.ByID),
			chromedp.Value(`#a-age`, &ageValue, chromedp.ByID),
			chromedp.Evaluate(`document.getElementById("a-age_doubt-no").checked`, &radio),
		)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(summary, "Enter an age in whole years") || ageValue != "l9" || !radio {
			t.Fatalf("after a bad age: summary %q, age %q, other answer kept %v", summary, ageValue, radio)
		}
		checkAxeScriptOff(t, ctx, "interview with problems")
		browsertest.Screenshot(t, ctx, dir, "interview-problems-desktop", 1280, "")
		browsertest.Screenshot(t, ctx, dir, "interview-problems-phone", 390, "")
		err = chromedp.Run(ctx,
			chromedp.SetValue(`#a-age`, "19", chromedp.ByID),
			chromedp.Click(`button[value="next"]`, chromedp.ByQuery),
			// Step 3: the work.
			chromedp.WaitVisible(`#a-exchange_sex-yes`, chromedp.ByID),
			chromedp.Click(`#a-exchange_sex-yes`, chromedp.ByID),
			chromedp.Click(`#a-others_involved-yes`, chromedp.ByID),
			chromedp.Click(`#a-money_share-all_or_most`, chromedp.ByID),
			chromedp.Click(`#a-work_directed-yes`, chromedp.ByID),
			chromedp.Click(`#x-other_work-unknown`, chromedp.ByID),
		)
		if err != nil {
			t.Fatal(err)
		}
		checkAxeScriptOff(t, ctx, "interview step 3")
		browsertest.Screenshot(t, ctx, dir, "interview-desktop", 1280, "")
		browsertest.Screenshot(t, ctx, dir, "interview-phone", 390, "")
		err = chromedp.Run(ctx,
			chromedp.Click(`button[value="save"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`#drafts-h`, chromedp.ByID), // saved and left for the home page
			// Resume: the saved answers come back, with the notice.
			chromedp.Navigate(url+"?step=2&resumed=1"),
			chromedp.WaitVisible(`#a-exchange_sex-yes`, chromedp.ByID),
			chromedp.Text(`main`, &body, chromedp.ByQuery),
			chromedp.Evaluate(`document.getElementById("a-money_share-all_or_most").checked && document.getElementById("x-other_work-unknown").checked`, &radio),
		)
		if err != nil {
			t.Fatal(err)
		}
		if !radio || !strings.Contains(body, "restored from the saved draft") {
			t.Fatalf("resume: answers kept %v; notice in %q", radio, trunc(body, 300))
		}
		// Go on to the end, switching to Spanish on the way.
		err = chromedp.Run(ctx,
			chromedp.Click(`button[value="next"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`#a-travel_arranged-yes`, chromedp.ByID),
			chromedp.Click(`#a-travel_arranged-yes`, chromedp.ByID),
			chromedp.Click(`#a-housing_controlled-yes`, chromedp.ByID),
			chromedp.Click(`button[value="next"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`#a-free_to_leave-unknown`, chromedp.ByID),
			chromedp.Click(`#a-free_to_leave-unknown`, chromedp.ByID),
			chromedp.Click(`#a-documents-has_them`, chromedp.ByID),
			// The switch inside the form saves this step's answers first.
			chromedp.Click(`#interview-lang button[lang="es"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`html[lang="es"]`, chromedp.ByQuery),
			chromedp.Text(`h1`, &body, chromedp.ByQuery),
			chromedp.Evaluate(`document.getElementById("a-free_to_leave-unknown").checked && document.getElementById("a-documents-has_them").checked`, &radio),
		)
		if err != nil {
			t.Fatal(err)
		}
		if body != "Control y seguridad" {
			t.Errorf("after switching language the heading is %q", body)
		}
		if !radio {
			t.Error("switching language lost the answers on the page")
		}
		var result string
		var asked int
		err = chromedp.Run(ctx,
			chromedp.Click(`button[value="next"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`#a-legal_situation-neither`, chromedp.ByID),
			chromedp.Click(`#a-legal_situation-neither`, chromedp.ByID),
			chromedp.Click(`button[value="next"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`button[value="finish"]`, chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelectorAll("fieldset.question").length`, &asked),
		)
		if err != nil {
			t.Fatal(err)
		}
		if asked == 0 {
			t.Error("no follow-up questions, though means were left open")
		}
		checkAxeScriptOff(t, ctx, "follow-ups (es)")
		browsertest.Screenshot(t, ctx, dir, "followups-es-phone", 390, "")
		browsertest.Screenshot(t, ctx, dir, "followups-es-desktop", 1280, "")
		if asked > 0 {
			// Answer the engine's first question.
			if err := chromedp.Run(ctx, chromedp.Click(`fieldset.question input[type="radio"][value="yes"]`, chromedp.ByQuery)); err != nil {
				t.Fatal(err)
			}
		}
		err = chromedp.Run(ctx,
			chromedp.Click(`button[value="finish"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`.jurisdiction`, chromedp.ByQuery),
			chromedp.Text(`.glance`, &result, chromedp.ByQuery),
			emulation.SetScriptExecutionDisabled(false),
		)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(result, "De un vistazo") || !strings.Contains(result, "Protocolo de Palermo") {
			t.Errorf("result at a glance: %q", result)
		}
		browsertest.CheckLogs(t, cl, "interview without JavaScript")
		if err := chromedp.Run(ctx, chromedp.Click(`.lang-switch button[lang="en"]`, chromedp.ByQuery), chromedp.WaitVisible(`html[lang="en"] .jurisdiction`, chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("htmx saves as answers change", func(t *testing.T) {
		var status string
		err := chromedp.Run(ctx,
			chromedp.Navigate(base+URL(PathInterview, "js")+"?step=0"),
			chromedp.WaitVisible(`#a-safe_now-yes`, chromedp.ByID),
			chromedp.Evaluate(`typeof htmx === "object"`, nil),
			chromedp.Click(`#a-safe_now-yes`, chromedp.ByID),
			chromedp.Poll(`document.getElementById("autosave").textContent.includes("Saved")`, nil, chromedp.WithPollingTimeout(10*time.Second)),
			chromedp.Text(`#autosave`, &status, chromedp.ByID),
		)
		if err != nil {
			t.Fatalf("autosave: %v (status %q)", err, status)
		}
		if a, ok := es.answer("js", "safe_now"); !ok || a.Value != "yes" {
			t.Errorf("the background save did not store the answer: %+v", a)
		}
		browsertest.CheckLogs(t, cl, "htmx")
	})

	t.Run("result and print view", func(t *testing.T) {
		var alerts string
		err := chromedp.Run(ctx,
			chromedp.Navigate(base+URL(PathScreening, "d01")),
			chromedp.WaitVisible(`.alerts`, chromedp.ByQuery),
			chromedp.Text(`.alerts`, &alerts, chromedp.ByQuery),
		)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.ToLower(alerts), "urgent") {
			t.Errorf("alerts %q", alerts)
		}
		browsertest.CheckAxe(t, ctx, "result")
		browsertest.Screenshot(t, ctx, dir, "result-desktop", 1280, "")
		browsertest.Screenshot(t, ctx, dir, "result-phone", 390, "")
		var printVisible bool
		err = chromedp.Run(ctx,
			chromedp.Navigate(base+URL(PathScreening, "d01")+"?print=1"),
			chromedp.WaitVisible(`.jurisdiction`, chromedp.ByQuery),
			chromedp.Evaluate(`!document.querySelector("[data-print]").hidden`, &printVisible),
		)
		if err != nil {
			t.Fatal(err)
		}
		if !printVisible {
			t.Error("the print button stays hidden with JavaScript on")
		}
		browsertest.CheckAxe(t, ctx, "print view")
		browsertest.Screenshot(t, ctx, dir, "print-view-desktop", 1280, "")
		browsertest.Screenshot(t, ctx, dir, "print-view-phone", 390, "")
		browsertest.Screenshot(t, ctx, dir, "print-media-desktop", 1280, "print")
		var pdf []byte
		if err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			pdf, _, err = cdppage.PrintToPDF().WithPaperWidth(8.27).WithPaperHeight(11.69).Do(ctx)
			return err
		})); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "print.pdf"), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		browsertest.CheckLogs(t, cl, "result")
	})
	t.Logf("screenshots in %s", dir)
}

// answer reads an answer back from the test server's draft.
func (s *e2eServer) answer(id, question string) (screening.Answer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ev := s.drafts[id]; ev != nil {
		return ev.Answer(question)
	}
	return screening.Answer{}, false
}
