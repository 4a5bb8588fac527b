//go:build !unix

package app

import "os"

// lockFile does nothing where flock(2) is missing: there, nothing stops a
// restore or a key rotation from running beside a server, and the
// operations guide's "stop the server first" is the only guard.
func lockFile(f *os.File, exclusive bool) error { return nil }
