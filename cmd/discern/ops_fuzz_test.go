package main

import (
	"fmt"
	"strings"
	"testing"
)

func FuzzParseHead(f *testing.F) {
	f.Add("3:" + strings.Repeat("ab", 32))
	f.Add("0:" + strings.Repeat("ab", 32))
	f.Add("-1:00")
	f.Add("9223372036854775808:" + strings.Repeat("00", 32))
	f.Add(":")
	f.Add("3:zz")
	f.Fuzz(func(t *testing.T, s string) {
		seq, hash, err := parseHead(s)
		if err != nil {
			if seq != 0 || hash != nil {
				t.Fatalf("error with a result: %d %x", seq, hash)
			}
			return
		}
		if seq < 1 || len(hash) != 32 {
			t.Fatalf("accepted %q as %d:%x", s, seq, hash)
		}
		// What verify prints reads back the same.
		again, hash2, err := parseHead(fmt.Sprintf("%d:%x", seq, hash))
		if err != nil || again != seq || string(hash2) != string(hash) {
			t.Fatalf("round trip of %q: %d %x %v", s, again, hash2, err)
		}
	})
}

// unquote reads one word as a POSIX shell would: unquoted characters and
// single-quoted runs, with no other quoting (which shellQuote never
// produces).
func unquote(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return "", false
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case strings.ContainsRune(" \t\n\"$`\\|&;<>()*?[]#~!{}", rune(c)):
			return "", false // would be special to the shell unquoted
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

func FuzzShellQuote(f *testing.F) {
	for _, s := range []string{"", "plain", "it's", "a b", "$HOME", "'", "''", "`id`", "x\ny", "--file=/b/d.dump", "postgres://u:xxxxx@h/db?a=b&c=d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := shellQuote(s)
		got, ok := unquote(q)
		if !ok || got != s {
			t.Fatalf("shellQuote(%q) = %q, which a shell reads as %q (ok %v)", s, q, got, ok)
		}
	})
}
