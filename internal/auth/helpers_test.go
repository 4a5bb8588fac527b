package auth

import (
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/discern-org/discern/internal/discern"
)

// testRand returns a deterministic random source, so that tests repeat
// exactly. Production code gets crypto/rand.Reader.
func testRand(seed byte) io.Reader {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

// mustKind fails the test unless err is a discern.Error of kind want
// wrapping cause (when cause is not nil).
func mustKind(tb testing.TB, err error, want discern.ErrorKind, cause error) {
	tb.Helper()
	if got := discern.KindOf(err); got != want {
		tb.Fatalf("error kind = %q (%v), want %q", got, err, want)
	}
	if cause != nil && !errors.Is(err, cause) {
		tb.Fatalf("error = %v, want it to wrap %v", err, cause)
	}
}

// failingReader fails every read, for the paths that handle a broken
// random source.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("no randomness") }
