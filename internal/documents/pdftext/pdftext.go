// Package pdftext extracts the text of the PDFs package documents makes,
// for tests: every page content stream is inflated and the strings shown
// with Tj and TJ (UTF-16BE, as fpdf writes them for UTF-8 fonts) are
// decoded. It reads only those PDFs; it is no general PDF reader.
package pdftext

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"regexp"
	"strings"
	"unicode/utf16"
)

var streamRE = regexp.MustCompile(`(?s)<<([^<>]*(?:<<[^<>]*>>[^<>]*)*)>>\s*stream\r?\n`)

// Text returns the text of a PDF, one shown string a line.
func Text(pdf []byte) (string, error) {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return "", errors.New("pdftext: not a PDF")
	}
	var out strings.Builder
	for _, m := range streamRE.FindAllSubmatchIndex(pdf, -1) {
		dict := string(pdf[m[2]:m[3]])
		start := m[1]
		end := bytes.Index(pdf[start:], []byte("endstream"))
		if end < 0 {
			return "", errors.New("pdftext: a stream has no end")
		}
		data := pdf[start : start+end]
		if strings.Contains(dict, "/Length1") || strings.Contains(dict, "/Subtype") {
			continue // a font file or an image, not page content
		}
		if strings.Contains(dict, "/FlateDecode") {
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				return "", err
			}
			if data, err = io.ReadAll(zr); err != nil && err != io.ErrUnexpectedEOF {
				return "", err
			}
		}
		if bytes.Contains(data, []byte("begincmap")) || !bytes.Contains(data, []byte("BT")) {
			continue
		}
		show(&out, data)
	}
	return out.String(), nil
}

// Flat is the text with every run of white space made one space, so that
// a phrase wrapped over two lines is still found.
func Flat(text string) string { return strings.Join(strings.Fields(text), " ") }

// show appends the strings of the Tj/TJ operators in a content stream.
func show(out *strings.Builder, s []byte) {
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
			raw, i = literal(s, i+1)
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

// literal reads a PDF string literal from s[i:] (after its opening
// parenthesis) and returns its bytes and the index of its closing one.
func literal(s []byte, i int) ([]byte, int) {
	var raw []byte
	depth := 1
	for ; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			i++
			if i >= len(s) {
				return raw, i
			}
			e := s[i]
			switch e {
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
				return raw, i
			}
		}
		raw = append(raw, c)
	}
	return raw, i
}
