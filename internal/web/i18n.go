package web

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/discern-org/discern/internal/content"
	"go.yaml.in/yaml/v3"
)

// uiTexts holds the interface's own texts (locales/*.yaml), flattened to
// dotted keys. Content texts — questions, options, the report's words —
// stay in the content bundle, where lawyers and trainers review them.
type uiTexts struct {
	order []string                     // language ids, English first
	names map[string]string            // language id -> its own name
	texts map[string]map[string]string // language -> key -> text
}

func (u *uiTexts) has(lang string) bool { _, ok := u.texts[lang]; return ok }

func loadUITexts(fsys fs.FS) (*uiTexts, error) {
	u := &uiTexts{names: map[string]string{}, texts: map[string]map[string]string{}}
	paths, err := fs.Glob(fsys, "locales/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, p := range paths {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		var root map[string]any
		if err := yaml.Unmarshal(data, &root); err != nil {
			return nil, fmt.Errorf("web: %s: %w", p, err)
		}
		lang := strings.TrimSuffix(path.Base(p), ".yaml")
		flat := map[string]string{}
		if err := flatten("", root, flat); err != nil {
			return nil, fmt.Errorf("web: %s: %w", p, err)
		}
		u.texts[lang] = flat
		u.names[lang] = flat["meta.name"]
		u.order = append(u.order, lang)
	}
	if !u.has("en") {
		return nil, fmt.Errorf("web: no English interface texts")
	}
	sort.Slice(u.order, func(i, j int) bool {
		if u.order[i] == "en" || u.order[j] == "en" {
			return u.order[i] == "en"
		}
		return u.order[i] < u.order[j]
	})
	return u, nil
}

func flatten(prefix string, v any, out map[string]string) error {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			if err := flatten(key, c, out); err != nil {
				return err
			}
		}
	case string:
		out[prefix] = v
	case bool, int, float64:
		out[prefix] = fmt.Sprint(v)
	default:
		return fmt.Errorf("%s: expected text, got %T", prefix, v)
	}
	return nil
}

// keys returns a language's keys in order.
func (u *uiTexts) keys(lang string) []string {
	var ks []string
	for k := range u.texts[lang] {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Localizer gives the templates their words: `{{.L.T "nav.home"}}`. It is
// reached through the page, so one parsed template set serves every
// language with no per-request cloning.
type Localizer struct {
	lang   string
	ui     *uiTexts
	bundle *content.Bundle
}

// Lang is the language the localizer speaks.
func (l *Localizer) Lang() string { return l.lang }

// T returns the text for key: the interface's own text if it has one,
// otherwise the content's (which falls back to the content's default
// language and then to the key, so a gap shows rather than hides). args are
// name, value pairs replacing {name} in the text.
func (l *Localizer) T(key string, args ...any) string {
	s, ok := l.ui.texts[l.lang][key]
	if !ok {
		s, ok = l.ui.texts["en"][key]
	}
	if !ok {
		s = l.bundle.Text(l.lang, key)
	}
	if len(args) == 0 {
		return s
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Date formats a moment the same way in every language: an ISO date and a
// 24-hour time need no translation and cannot be misread.
func (l *Localizer) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02 15:04")
}

// Day formats a date without the time.
func (l *Localizer) Day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// N is T for a count: it uses key+"_one" when n is 1 and that text
// exists (English and Spanish need no more plural forms than that), and
// passes n as {n}.
func (l *Localizer) N(key string, n int, args ...any) string {
	if n == 1 {
		if _, ok := l.ui.texts[l.lang][key+"_one"]; ok {
			key += "_one"
		}
	}
	return l.T(key, append([]any{"n", n}, args...)...)
}
