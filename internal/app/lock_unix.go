//go:build unix

package app

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an advisory lock on f without waiting: shared, or
// exclusive. It reports errBusy when another process holds a conflicting
// lock. The lock lasts until f is closed, or the process ends, so a
// killed process never leaves the directory locked.
func lockFile(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return errBusy
		}
		return err
	}
}
