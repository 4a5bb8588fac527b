// Package web is Discern's server-rendered interface: the templates, the
// embedded static assets, the typed view models a handler fills, the form
// parsers and the renderer. It knows nothing of routing, sessions or the
// store: a handler in package httpserver gathers what a page shows (through
// casework and auth, already redacted), fills a view model and calls the
// Renderer.
//
// Every page works without JavaScript: forms are ordinary POSTs and htmx,
// vendored and served from this package, only enhances them. Templates emit
// no inline script, no inline style and no event-handler attribute, so the
// server can send a strict Content-Security-Policy (see CSP).
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/content"
)

//go:embed templates static locales
var files embed.FS

// CSP is the Content-Security-Policy the pages are written for: everything
// from the same origin, nothing inline, no frames, forms only to this site.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Renderer renders the pages. It is made once at start-up and is safe for
// concurrent use.
type Renderer struct {
	bundle    *content.Bundle
	ui        *uiTexts
	pages     map[string]*template.Template
	fragments *template.Template
	bufPool   sync.Pool
}

// pageNames lists every page template; New fails if one is missing, so a
// handler can never reach an undeclared page at run time.
var pageNames = []string{
	"home", "signin", "sessions", "interview_start", "interview", "result",
	"person", "people", "access", "admin_users", "admin_user_form", "admin_org", "error",
	"consent_form", "referral_new", "referral", "inbox",
	"directory",
	"plan",
}

// New parses every template and the interface texts, and checks that both
// the content and the interface are complete in every language offered.
func New(b *content.Bundle) (*Renderer, error) {
	if b == nil {
		return nil, fmt.Errorf("web: no content bundle")
	}
	ui, err := loadUITexts(files)
	if err != nil {
		return nil, err
	}
	r := &Renderer{bundle: b, ui: ui, pages: map[string]*template.Template{}}
	r.bufPool.New = func() any { return new(bytes.Buffer) }
	base := template.New("layout").Funcs(funcs)
	base, err = base.ParseFS(files, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	for _, name := range pageNames {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("web: %s: %w", name, err)
		}
		if _, err := t.ParseFS(files, "templates/pages/"+name+".html"); err != nil {
			return nil, fmt.Errorf("web: parse page %s: %w", name, err)
		}
		r.pages[name] = t
	}
	r.fragments, err = template.New("fragments").Funcs(funcs).ParseFS(files, "templates/fragments/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse fragments: %w", err)
	}
	return r, nil
}

// Languages lists the interface languages, in the order the switch shows
// them.
func (r *Renderer) Languages() []string { return r.ui.order }

// Bundle returns the content the renderer shows.
func (r *Renderer) Bundle() *content.Bundle { return r.bundle }

// render executes a page into a buffer first, so that a template error
// never leaves half a page on the wire, then writes it with its status.
func (r *Renderer) render(w http.ResponseWriter, status int, name string, data any) error {
	buf := r.bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer r.bufPool.Put(buf)
	if err := r.pages[name].ExecuteTemplate(buf, "layout", data); err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages hold personal data: never keep them in a shared or browser
	// cache, where the next person to use the device could find them.
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", fmt.Sprint(buf.Len()))
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// prepare fills the parts of the page chrome the renderer owns.
func (r *Renderer) prepare(p *Page, titleKey string) {
	if !r.ui.has(p.Lang) {
		p.Lang = r.ui.order[0]
	}
	p.L = &Localizer{lang: p.Lang, ui: r.ui, bundle: r.bundle}
	p.Dir = "ltr"
	if loc := r.bundle.Locale(p.Lang); loc != nil && loc.Direction == "rtl" {
		p.Dir = "rtl"
	}
	if p.Title == "" {
		p.Title = p.L.T(titleKey)
	}
	p.languages = r.ui.order
	p.names = r.ui.names
}

var funcs = template.FuncMap{
	"asset": AssetURL,
	"join":  strings.Join,
	"add":   func(a, b int) int { return a + b },
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12]
		}
		return s
	},
	"path": pathFor,
	"contains": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
}

// templateSources returns every template file's text, for the tests that
// read templates as text.
func templateSources() (map[string]string, error) {
	out := map[string]string{}
	err := fs.WalkDir(files, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".html" {
			return err
		}
		b, err := fs.ReadFile(files, p)
		out[p] = string(b)
		return err
	})
	return out, err
}

// summaryData feeds the "problem_summary" partial.
type summaryData struct {
	L    *Localizer
	List []problemView
}

// fieldErrData feeds the "field_error" and "invalid" partials.
type fieldErrData struct {
	L     *Localizer
	P     *FieldProblem
	Field string
}

// taskData feeds the "task_list" partial.
type taskData struct {
	L         *Localizer
	Tasks     []*casework.TaskView
	CaseCodes map[string]string
}

func init() {
	funcs["summaryList"] = func(l *Localizer, list []problemView) summaryData { return summaryData{L: l, List: list} }
	// summary lists a simple form's problems; each field's input has the
	// field's name as its id, and its label is the text prefix+field.
	funcs["summary"] = func(l *Localizer, ps FieldProblems, prefix string) summaryData {
		d := summaryData{L: l}
		for _, p := range ps {
			d.List = append(d.List, problemView{Anchor: p.Field, Label: l.T(prefix + p.Field), Message: l.T(p.Key, "value", p.Value)})
		}
		return d
	}
	funcs["fieldErr"] = func(l *Localizer, ps FieldProblems, field string) fieldErrData {
		return fieldErrData{L: l, P: ps.For(field), Field: field}
	}
	funcs["tasks"] = func(l *Localizer, ts []*casework.TaskView, codes map[string]string) taskData {
		return taskData{L: l, Tasks: ts, CaseCodes: codes}
	}
}
