package browsertest

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// TestAxeIsTheVendoredFile: the embedded axe-core is the file recorded in
// axe/SOURCE, unchanged since it was packed.
func TestAxeIsTheVendoredFile(t *testing.T) {
	src, err := os.ReadFile("axe/SOURCE")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), AxeSHA256+"  axe.min.js") {
		t.Errorf("axe/SOURCE does not record %s", AxeSHA256)
	}
	sum := sha256.Sum256([]byte(axeSource))
	if got := hex.EncodeToString(sum[:]); got != AxeSHA256 {
		t.Errorf("axe.min.js has sha256 %s, recorded %s", got, AxeSHA256)
	}
}
