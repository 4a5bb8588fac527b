package documents

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

//go:embed locales/*.yaml data/*.yaml
var files embed.FS

// fallbackLang is the language every label has.
const fallbackLang = "en"

var (
	loadOnce sync.Once
	labelSet map[string]map[string]string // language → key → text
	provs    provisions
	loadErr  error
)

// provisions names the content's alerts and pathways that are
// non-punishment provisions (data/provisions.yaml).
type provisions struct {
	Alerts   []string `yaml:"alerts"`
	Pathways []string `yaml:"pathways"`
}

func load() error {
	loadOnce.Do(func() {
		labelSet = map[string]map[string]string{}
		names, err := fs.Glob(files, "locales/*.yaml")
		if err != nil {
			loadErr = err
			return
		}
		for _, name := range names {
			data, err := files.ReadFile(name)
			if err != nil {
				loadErr = err
				return
			}
			var tree map[string]any
			if err := yaml.Unmarshal(data, &tree); err != nil {
				loadErr = fmt.Errorf("documents: %s: %w", name, err)
				return
			}
			flat := map[string]string{}
			flatten("", tree, flat)
			labelSet[strings.TrimSuffix(path.Base(name), ".yaml")] = flat
		}
		if labelSet[fallbackLang] == nil {
			loadErr = fmt.Errorf("documents: no %s labels", fallbackLang)
			return
		}
		data, err := files.ReadFile("data/provisions.yaml")
		if err == nil {
			err = yaml.Unmarshal(data, &provs)
		}
		if err != nil {
			loadErr = fmt.Errorf("documents: data/provisions.yaml: %w", err)
		}
	})
	return loadErr
}

func flatten(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(key, c, out)
		}
	default:
		out[prefix] = fmt.Sprint(x)
	}
}

// scripts the embedded Go fonts cover.
var fontScripts = map[string]bool{"Latn": true, "Grek": true, "Cyrl": true}

// locale is the language a document is written in, decided once per
// document: the labels' language (the requested one when the font can show
// its script, English otherwise) and what the reader must be told about it.
type locale struct {
	lang  string // key into labelSet and the content's locales
	notes []string
}

// newLocale resolves a BCP 47 tag. An empty tag is English; an unparsable
// one is an error.
func newLocale(tag string) (locale, error) {
	if err := load(); err != nil {
		return locale{}, err
	}
	if tag == "" {
		return locale{lang: fallbackLang}, nil
	}
	t, err := language.Parse(tag)
	if err != nil {
		return locale{}, fmt.Errorf("%q is not a language tag", tag)
	}
	base, _ := t.Base()
	script, _ := t.Script()
	name := display.English.Tags().Name(t)
	if name == "" {
		name = tag
	}
	en := locale{lang: fallbackLang}
	if !fontScripts[script.String()] {
		en.notes = append(en.notes, en.t("common.unsupported_script", "language", name))
		return en, nil
	}
	if labelSet[base.String()] == nil {
		en.notes = append(en.notes, en.t("common.untranslated", "language", name))
		return en, nil
	}
	return locale{lang: base.String()}, nil
}

// t returns the label for key in the locale's language, falling back to
// English per key, then to the key itself (so a missing label is visible).
// args are name, value pairs filling {name} placeholders.
func (l locale) t(key string, args ...any) string {
	s, ok := labelSet[l.lang][key]
	if !ok {
		if s, ok = labelSet[fallbackLang][key]; !ok {
			s = key
		}
	}
	for i := 0; i+1 < len(args); i += 2 {
		s = strings.ReplaceAll(s, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return s
}

// Label returns the document label for key in the language lang (BCP 47),
// falling back to English per key, with name, value pairs filling its
// {name} placeholders. Callers use it to label the fields they put in a
// packet's sections, in the packet's language.
func Label(lang, key string, args ...any) string {
	loc, err := newLocale(lang)
	if err != nil {
		loc = locale{lang: fallbackLang}
	}
	return loc.t(key, args...)
}

// NonPunishmentAlerts lists the content's alerts that are non-punishment
// provisions (data/provisions.yaml): a non-punishment letter is made only
// for a result that raises one of them.
func NonPunishmentAlerts() ([]string, error) {
	if err := load(); err != nil {
		return nil, err
	}
	return slices.Clone(provs.Alerts), nil
}
