// Package browsertest drives Debian's chromium for Discern's browser tests
// (internal/web's pages and e2e's real binary): it starts a tab with the
// flags this machine needs, records what the page logs and the status of
// each document, checks pages with axe-core (vendored here), and takes
// screenshots. Tests skip, saying why, without /usr/bin/chromium or with
// -short.
package browsertest

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian's chromium package installs the browser.
const ChromiumPath = "/usr/bin/chromium"

//go:embed axe/axe.min.js
var axeSource string

// AxeSHA256 is the checksum of the vendored axe-core, recorded when it was
// packed from the npm registry (axe/SOURCE).
const AxeSHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"

// Tab is one chromium tab, with what it logged and the status of the last
// document it loaded.
type Tab struct {
	Ctx    context.Context
	mu     sync.Mutex
	logs   []string
	status int64
}

func (b *Tab) add(s string) { b.mu.Lock(); b.logs = append(b.logs, s); b.mu.Unlock() }

// TakeLogs returns and clears what the page logged: console errors and
// warnings, exceptions, CSP violations, failed subresources.
func (b *Tab) TakeLogs() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.logs
	b.logs = nil
	return out
}

// LastStatus is the HTTP status of the last document loaded.
func (b *Tab) LastStatus() int64 { b.mu.Lock(); defer b.mu.Unlock(); return b.status }

// Start opens a tab, or skips the test. staticPrefix names the path of the
// site's static files: a failed load of anything else is a page answered
// 404 or 422 on purpose, not a broken asset. The tab lives for timeout.
func Start(t *testing.T, staticPrefix string, timeout time.Duration) *Tab {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Skipf("browser tests need Debian's chromium at %s (apt-get install -y chromium): %v", ChromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profileDir(t)),
		// Without these the closed network here refuses a storm of
		// background connections.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("font-render-hinting", "none"),
	}
	actx, cancel := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	b := &Tab{}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *log.EventEntryAdded:
			if strings.Contains(ev.Entry.Text, "Failed to load resource") && !strings.Contains(ev.Entry.URL, staticPrefix) {
				return
			}
			b.add(string(ev.Entry.Level) + ": " + ev.Entry.Text + " " + ev.Entry.URL)
		case *runtime.EventExceptionThrown:
			b.add("exception: " + ev.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError || ev.Type == runtime.APITypeWarning {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value))
				}
				b.add(string(ev.Type) + ": " + strings.Join(parts, " "))
			}
		case *network.EventResponseReceived:
			if ev.Type == network.ResourceTypeDocument {
				b.mu.Lock()
				b.status = ev.Response.Status
				b.mu.Unlock()
			}
		}
	})
	ctx, cancel3 := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancel3)
	if err := chromedp.Run(ctx, log.Enable(), network.Enable()); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b.Ctx = ctx
	return b
}

// profileDir is a fresh user-data-dir, removed after the browser has gone;
// chromium may still be writing to it as it exits, which must not fail the
// test the way t.TempDir's strict cleanup would.
func profileDir(t *testing.T) string {
	d, err := os.MkdirTemp("", "discern-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 20 {
			if os.RemoveAll(d) == nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	return d
}

// AxeViolation is one rule axe-core found broken on a page.
type AxeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// RunAxe injects axe-core into the page (script must be on) and returns the
// WCAG 2.1 A/AA and best-practice violations.
func RunAxe(ctx context.Context) ([]AxeViolation, error) {
	if sum := sha256.Sum256([]byte(axeSource)); hex.EncodeToString(sum[:]) != AxeSHA256 {
		return nil, fmt.Errorf("the vendored axe-core does not match its recorded checksum")
	}
	var loaded bool
	if err := chromedp.Run(ctx, chromedp.Evaluate(axeSource+";typeof axe === 'object'", &loaded)); err != nil || !loaded {
		return nil, fmt.Errorf("inject axe: %v", err)
	}
	var out []AxeViolation
	err := chromedp.Run(ctx, chromedp.Evaluate(`axe.run(document, {resultTypes: ["violations"],
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
		.then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.slice(0, 3).map(n => ({target: n.target, html: n.html.slice(0, 200)}))})))`,
		&out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	return out, err
}

// CheckAxe fails the test for serious or critical violations and logs the
// rest. It turns script on for axe.
func CheckAxe(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	if err := chromedp.Run(ctx, emulation.SetScriptExecutionDisabled(false)); err != nil {
		t.Fatal(err)
	}
	vs, err := RunAxe(ctx)
	if err != nil {
		t.Fatalf("%s: axe: %v", where, err)
	}
	for _, v := range vs {
		msg := fmt.Sprintf("%s: axe %s (%s): %s", where, v.ID, v.Impact, v.Help)
		for _, n := range v.Nodes {
			msg += fmt.Sprintf("\n    %v %s", n.Target, n.HTML)
		}
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
}

// CheckLogs fails the test for anything the page logged since the last
// check (favicon requests aside: the server has none, by design).
func CheckLogs(t *testing.T, b *Tab, where string) {
	t.Helper()
	for _, m := range b.TakeLogs() {
		if strings.Contains(m, "favicon") {
			continue
		}
		t.Errorf("%s: browser logged: %s", where, m)
	}
}

// ScreenshotDir is where screenshots go: DISCERN_SCREENSHOTS, or the
// test's artifact directory (kept with go test -artifacts).
func ScreenshotDir(t *testing.T) string {
	if d := os.Getenv("DISCERN_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.ArtifactDir()
}

// Screenshot writes a full-page PNG at the given width ("" media, or
// "print" for the print stylesheet).
func Screenshot(t *testing.T, ctx context.Context, dir, name string, width int, media string) {
	t.Helper()
	var buf []byte
	if err := chromedp.Run(ctx,
		emulation.SetDeviceMetricsOverride(int64(width), 900, 1, width < 600),
		emulation.SetEmulatedMedia().WithMedia(media),
		chromedp.Sleep(100*time.Millisecond),
		chromedp.FullScreenshot(&buf, 100),
		emulation.SetEmulatedMedia().WithMedia(""),
		emulation.ClearDeviceMetricsOverride(),
	); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}
