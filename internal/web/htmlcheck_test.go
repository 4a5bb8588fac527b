package web

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
)

// A small HTML checker for the tests: enough of a tokenizer to prove the
// pages are well formed (every element closed, in order; attributes quoted
// and not repeated; ids unique) and to look at elements and attributes.

type element struct {
	tag     string
	attrs   map[string]string
	parents []string // open elements, outermost first
	text    string   // text directly after the start tag, up to the next tag
	offset  int
}

func (e element) has(attr string) bool { _, ok := e.attrs[attr]; return ok }

var voidTags = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}

// optional-end elements the templates never leave open, so they are
// checked as strictly as the rest.

var attrRE = regexp.MustCompile(`^\s*([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'))?`)

// parseHTML tokenizes doc and returns its elements, or the first error in
// its structure.
func parseHTML(doc string) ([]element, error) {
	var out []element
	var stack []string
	i := 0
	for i < len(doc) {
		lt := strings.IndexByte(doc[i:], '<')
		if lt < 0 {
			break
		}
		text := doc[i : i+lt]
		if len(out) > 0 && out[len(out)-1].text == "" {
			out[len(out)-1].text = strings.TrimSpace(html.UnescapeString(text))
		}
		i += lt
		switch {
		case strings.HasPrefix(doc[i:], "<!--"):
			end := strings.Index(doc[i:], "-->")
			if end < 0 {
				return nil, fmt.Errorf("offset %d: unclosed comment", i)
			}
			i += end + 3
			continue
		case strings.HasPrefix(strings.ToLower(doc[i:]), "<!doctype"):
			end := strings.IndexByte(doc[i:], '>')
			i += end + 1
			continue
		case strings.HasPrefix(doc[i:], "</"):
			end := strings.IndexByte(doc[i:], '>')
			if end < 0 {
				return nil, fmt.Errorf("offset %d: unclosed end tag", i)
			}
			name := strings.ToLower(strings.TrimSpace(doc[i+2 : i+end]))
			if len(stack) == 0 || stack[len(stack)-1] != name {
				return nil, fmt.Errorf("offset %d: </%s> closes <%s> (context %q)", i, name, strings.Join(stack, ">"), around(doc, i))
			}
			stack = stack[:len(stack)-1]
			i += end + 1
			continue
		}
		// A start tag: name, then attributes up to '>'.
		j := i + 1
		for j < len(doc) && !strings.ContainsRune(" \t\n\r/>", rune(doc[j])) {
			j++
		}
		name := strings.ToLower(doc[i+1 : j])
		if name == "" {
			return nil, fmt.Errorf("offset %d: stray '<' (%q)", i, around(doc, i))
		}
		el := element{tag: name, attrs: map[string]string{}, parents: slices.Clone(stack), offset: i}
		rest := doc[j:]
		for {
			rest = strings.TrimLeft(rest, " \t\n\r")
			if strings.HasPrefix(rest, ">") || strings.HasPrefix(rest, "/>") {
				break
			}
			m := attrRE.FindStringSubmatchIndex(rest)
			if m == nil {
				return nil, fmt.Errorf("offset %d: <%s>: bad attribute near %q", i, name, trunc(rest, 40))
			}
			key := strings.ToLower(rest[m[2]:m[3]])
			val := ""
			if m[4] >= 0 {
				val = rest[m[4]:m[5]]
			} else if m[6] >= 0 {
				val = rest[m[6]:m[7]]
			} else if strings.HasPrefix(strings.TrimLeft(rest[m[3]:], " "), "=") {
				return nil, fmt.Errorf("offset %d: <%s %s=…>: unquoted attribute value", i, name, key)
			}
			if _, dup := el.attrs[key]; dup {
				return nil, fmt.Errorf("offset %d: <%s>: attribute %s repeated", i, name, key)
			}
			el.attrs[key] = html.UnescapeString(val)
			rest = rest[m[1]:]
		}
		selfClose := strings.HasPrefix(rest, "/>")
		consumed := len(doc[j:]) - len(rest)
		if selfClose {
			i = j + consumed + 2
		} else {
			i = j + consumed + 1
		}
		out = append(out, el)
		if voidTags[name] || selfClose {
			continue
		}
		if name == "script" || name == "style" || name == "textarea" || name == "title" {
			end := strings.Index(strings.ToLower(doc[i:]), "</"+name)
			if end < 0 {
				return nil, fmt.Errorf("offset %d: <%s> never closed", i, name)
			}
			out[len(out)-1].text = html.UnescapeString(doc[i : i+end])
			i += end
		}
		stack = append(stack, name)
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("unclosed elements at the end: %s", strings.Join(stack, ">"))
	}
	return out, nil
}

func around(doc string, i int) string {
	lo, hi := max(0, i-60), min(len(doc), i+60)
	return doc[lo:hi]
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// checkPage returns every problem found in a rendered page: structure,
// inline script or style, event handlers, and the accessibility rules the
// interface holds itself to.
func checkPage(doc string) []string {
	els, err := parseHTML(doc)
	if err != nil {
		return []string{"not well formed: " + err.Error()}
	}
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	ids := map[string]int{}
	labels := map[string]bool{}
	for _, e := range els {
		if id, ok := e.attrs["id"]; ok {
			ids[id]++
		}
		if e.tag == "label" {
			labels[e.attrs["for"]] = true
		}
	}
	for id, n := range ids {
		if n > 1 {
			bad("id %q used %d times", id, n)
		}
	}
	sawHTML := false
	for _, e := range els {
		for k, v := range e.attrs {
			if strings.HasPrefix(k, "on") {
				bad("<%s %s>: event-handler attribute", e.tag, k)
			}
			if k == "style" {
				bad("<%s style>: inline style", e.tag)
			}
			if (k == "href" || k == "src" || k == "action") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "javascript:") {
				bad("<%s %s=javascript:>", e.tag, k)
			}
			if (k == "href" || k == "src" || k == "action") && (strings.HasPrefix(v, "//") || strings.Contains(v, "://")) && e.tag != "a" {
				bad("<%s %s=%q>: a request to another origin", e.tag, k, v)
			}
			if strings.HasPrefix(k, "hx-") && strings.Contains(v, "js:") {
				bad("<%s %s>: htmx evaluating script", e.tag, k)
			}
			if k == "aria-describedby" || k == "aria-labelledby" {
				for _, ref := range strings.Fields(v) {
					if ids[ref] == 0 {
						bad("<%s %s=%q>: no element has id %q", e.tag, k, v, ref)
					}
				}
			}
			if k == "href" && strings.HasPrefix(v, "#") && len(v) > 1 && ids[v[1:]] == 0 {
				bad("<a href=%q>: no such id on the page", v)
			}
			if strings.Contains(v, "/unknown-path/") || (k == "href" || k == "src") && v == "" {
				bad("<%s %s=%q>: a broken link", e.tag, k, v)
			}
		}
		switch e.tag {
		case "html":
			sawHTML = true
			if e.attrs["lang"] == "" || e.attrs["dir"] == "" {
				bad("<html> needs lang and dir")
			}
		case "style":
			bad("<style> element: inline style")
		case "script":
			if e.attrs["src"] == "" || strings.TrimSpace(e.text) != "" {
				bad("inline <script>")
			}
		case "img":
			if !e.has("alt") {
				bad("<img> without alt")
			}
		case "input", "select", "textarea":
			typ := e.attrs["type"]
			if typ == "hidden" || typ == "submit" || typ == "button" {
				continue
			}
			id := e.attrs["id"]
			if (id == "" || !labels[id]) && e.attrs["aria-label"] == "" && !slices.Contains(e.parents, "label") {
				bad("<%s name=%q>: no label", e.tag, e.attrs["name"])
			}
			if (typ == "radio" || typ == "checkbox") && !slices.Contains(e.parents, "fieldset") && e.attrs["name"] != "require_mfa" {
				bad("<input type=%s name=%q>: a choice outside a fieldset with a legend", typ, e.attrs["name"])
			}
		case "fieldset":
			// checked below through the legends
		case "button":
			if strings.TrimSpace(e.text) == "" && e.attrs["aria-label"] == "" {
				// Text may follow a nested span; the tokenizer keeps only
				// text up to the first child, so look at the raw page.
				if !strings.Contains(doc[e.offset:min(len(doc), e.offset+400)], "</button>") {
					bad("<button> without text")
				}
			}
		case "table":
			// Every data table says what it is.
		case "th":
			if slices.Contains(e.parents, "thead") && !e.has("scope") {
				bad("<th> in thead without scope")
			}
		}
	}
	if !sawHTML {
		bad("no <html> element")
	}
	// Every fieldset starts with a legend.
	for i, e := range els {
		if e.tag != "fieldset" {
			continue
		}
		if i+1 >= len(els) || els[i+1].tag != "legend" {
			bad("<fieldset id=%q> without a legend first", e.attrs["id"])
		}
	}
	// One h1 per page.
	h1 := 0
	for _, e := range els {
		if e.tag == "h1" {
			h1++
		}
	}
	if h1 != 1 {
		bad("%d <h1> elements, want 1", h1)
	}
	return probs
}
