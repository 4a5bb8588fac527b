package documents

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"
)

var streamRE = regexp.MustCompile(`(?s)<<([^<>]*(?:<<[^<>]*>>[^<>]*)*)>>\s*stream\r?\n`)

// pdfText extracts the text of a PDF made by this package: it inflates
// every page content stream and decodes the strings shown with Tj and TJ,
// which fpdf writes as UTF-16BE for UTF-8 fonts. Each shown string ends a
// line, so text wrapped over lines comes back with line breaks in it.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 20)])
	}
	var out strings.Builder
	for _, m := range streamRE.FindAllSubmatchIndex(pdf, -1) {
		dict := string(pdf[m[2]:m[3]])
		start := m[1]
		end := bytes.Index(pdf[start:], []byte("endstream"))
		if end < 0 {
			t.Fatal("a stream has no end")
		}
		data := pdf[start : start+end]
		if strings.Contains(dict, "/Length1") || strings.Contains(dict, "/Subtype") {
			continue // a font file or an image, not page content
		}
		if strings.Contains(dict, "/FlateDecode") {
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("inflating a stream: %v", err)
			}
			if data, err = io.ReadAll(zr); err != nil && err != io.ErrUnexpectedEOF {
				t.Fatalf("inflating a stream: %v", err)
			}
		}
		if bytes.Contains(data, []byte("begincmap")) || !bytes.Contains(data, []byte("BT")) {
			continue
		}
		showText(&out, data)
	}
	return out.String()
}

// showText appends the strings of the Tj/TJ operators in a content stream.
func showText(out *strings.Builder, s []byte) {
	inArray := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			inArray = true
		case ']':
			inArray = false
			out.WriteByte('\n')
		case '(':
			var raw []byte
			depth := 1
			for i++; i < len(s) && depth > 0; i++ {
				c := s[i]
				switch c {
				case '\\':
					i++
					if i >= len(s) {
						break
					}
					switch e := s[i]; e {
					case 'n':
						raw = append(raw, '\n')
					case 'r':
						raw = append(raw, '\r')
					case 't':
						raw = append(raw, '\t')
					case 'b':
						raw = append(raw, '\b')
					case 'f':
						raw = append(raw, '\f')
					default:
						if e >= '0' && e <= '7' {
							v := 0
							for k := 0; k < 3 && i < len(s) && s[i] >= '0' && s[i] <= '7'; k++ {
								v = v*8 + int(s[i]-'0')
								i++
							}
							i--
							raw = append(raw, byte(v))
						} else {
							raw = append(raw, e)
						}
					}
					continue
				case '(':
					depth++
				case ')':
					depth--
					if depth == 0 {
						continue
					}
				}
				raw = append(raw, c)
			}
			i--
			u := make([]uint16, 0, len(raw)/2)
			for k := 0; k+1 < len(raw); k += 2 {
				u = append(u, uint16(raw[k])<<8|uint16(raw[k+1]))
			}
			out.WriteString(string(utf16.Decode(u)))
			if !inArray {
				out.WriteByte('\n')
			}
		}
	}
}

// flat joins wrapped lines, so that a phrase broken over two lines is
// still found.
func flat(text string) string {
	return strings.Join(strings.Fields(text), " ")
}
