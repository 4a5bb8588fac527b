package documents

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// missing marks a run of characters the fonts cannot show.
const missing = "[?]"

var (
	coverOnce sync.Once
	// cover has a bit for every rune of the Basic Multilingual Plane that
	// both embedded fonts have a glyph for. fpdf writes text as UTF-16 code
	// units and cannot encode runes beyond the BMP, so those never count
	// as covered.
	cover [0x10000 / 64]uint64
)

func buildCover() {
	var fonts []*sfnt.Font
	for _, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			panic("documents: embedded Go font does not parse: " + err.Error()) // compiled in; cannot happen
		}
		fonts = append(fonts, f)
	}
	var buf sfnt.Buffer
	for r := rune(0x20); r < 0x10000; r++ {
		ok := true
		for _, f := range fonts {
			if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
				ok = false
				break
			}
		}
		if ok {
			cover[r/64] |= 1 << (r % 64)
		}
	}
}

// covered reports whether the fonts can show r.
func covered(r rune) bool {
	coverOnce.Do(buildCover)
	return r >= 0 && r < 0x10000 && cover[r/64]&(1<<(r%64)) != 0
}

// clean makes s safe to draw: invalid UTF-8 is dropped, tabs become
// spaces, other control characters are removed (line breaks are kept when
// multiline), and each run of characters the fonts lack becomes "[?]"
// rather than an empty box. It reports whether anything was replaced.
func clean(s string, multiline bool) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	replaced, inRun := false, false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			continue
		case r == '\n' && multiline:
			b.WriteRune(r)
			inRun = false
			continue
		case r == '\t' || r == '\n':
			r = ' '
		case unicode.IsControl(r) || r == '\u00ad' || unicode.Is(unicode.Cf, r):
			continue
		}
		if unicode.IsSpace(r) && r != ' ' {
			r = ' '
		}
		if covered(r) {
			b.WriteRune(r)
			inRun = false
			continue
		}
		replaced = true
		if !inRun {
			b.WriteString(missing)
			inRun = true
		}
	}
	return b.String(), replaced
}
