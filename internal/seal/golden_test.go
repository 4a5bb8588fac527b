package seal

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden-v1.txt (only when adding a format version)")

// goldenPath holds a wrapped key and a sealed field written by the first
// version of this package, under test keys. Data in people's databases was
// written the same way and must open forever, so this file is never
// regenerated for an existing format version.
var goldenPath = filepath.Join("testdata", "golden-v1.txt")

const goldenKeys = "index HR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0=\nmaster k1 oaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaE=\n"

func TestGoldenV1(t *testing.T) {
	kr, err := ParseKeyring("golden", []byte(goldenKeys))
	if err != nil {
		t.Fatal(err)
	}
	b := Binding{"people", "name", "0190f4b2-7a1c-7d3e-9a55-6c1f2b3d4e5f"}
	const person, plaintext = "person-1", "Ana María Pérez"
	if *update {
		dk, wk, err := kr.NewDataKey(testRand(1), person)
		if err != nil {
			t.Fatal(err)
		}
		wkb := mustMarshal(t, wk)
		ct := mustSeal(t, dk, plaintext, b)
		out := fmt.Sprintf("# Written by internal/seal's first format version; see golden_test.go.\nwrapped %x\nfield %x\n", wkb, ct)
		if err := os.WriteFile(goldenPath, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	vals := map[string][]byte{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if vals[k], err = hex.DecodeString(v); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
	}
	var wk WrappedKey
	if err := wk.UnmarshalBinary(vals["wrapped"]); err != nil {
		t.Fatal(err)
	}
	dk, err := kr.Unwrap(person, wk)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := Open(dk, vals["field"], b)
	if err != nil {
		t.Fatal(err)
	}
	if string(pt) != plaintext {
		t.Errorf("golden field = %q, want %q", pt, plaintext)
	}
}
