package seal

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// maxKeyFileSize bounds what LoadKeyFile reads; a real key file is well
// under a kilobyte even after many rotations.
const maxKeyFileSize = 1 << 20

// LoadKeyFile reads a keyring from the key file at path. It refuses a file
// that group or others may read or write (on systems with Unix permissions),
// since anyone who can read it and a database copy can read everything.
func LoadKeyFile(path string) (*Keyring, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seal: key file: %w", err)
	}
	defer f.Close()
	// Stat the open file, not the path, so the check and the read see the same file.
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("seal: key file: %w", err)
	}
	if err := checkKeyFileMode(path, fi); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("seal: key file %s: larger than %d bytes; is this the right file?", path, maxKeyFileSize)
	}
	defer clear(data)
	return ParseKeyring(path, data)
}

func checkKeyFileMode(path string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("seal: key file %s is not a regular file", path)
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		return nil // no Unix permission bits to check
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("seal: key file %s has mode %#o, so group or others may access it; "+
			"it holds every encryption key: run chmod 600 %s", path, perm, path)
	}
	return nil
}

// LoadOrCreateKeyFile loads the key file at path, or, when there is none,
// creates one with a fresh keyring from rand and reports created = true.
// The file is created atomically with mode 0600 (never half-written, never
// overwriting a file that appeared meanwhile), and its directory with 0700
// if missing. On creation the caller must warn loudly that the file has to
// be backed up separately from the database: losing it loses all encrypted
// data.
func LoadOrCreateKeyFile(path string, rand io.Reader) (kr *Keyring, created bool, err error) {
	kr, err = LoadKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return kr, false, err
	}
	kr, err = NewKeyring(rand)
	if err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("seal: key file: %w", err)
	}
	err = writeKeyFile(path, kr, false)
	if errors.Is(err, fs.ErrExist) {
		// Another process created it first; use theirs, or keys would diverge.
		kr, err = LoadKeyFile(path)
		return kr, false, err
	}
	if err != nil {
		return nil, false, err
	}
	return kr, true, nil
}

// WriteKeyFile saves kr to path with mode 0600, atomically: readers see
// either the old file or the new one, never a mix, even after a crash. Use
// it after [Keyring.Rotate] or [Keyring.Remove].
func WriteKeyFile(path string, kr *Keyring) error {
	return writeKeyFile(path, kr, true)
}

func writeKeyFile(path string, kr *Keyring, replace bool) (err error) {
	data, _ := kr.MarshalText()
	defer clear(data)
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("seal: key file: %w", err)
	}
	name := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		os.Remove(name) // fails harmlessly once renamed away
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("seal: key file %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("seal: key file %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("seal: key file %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("seal: key file %s: %w", path, err)
	}
	tmp = nil
	if replace {
		err = os.Rename(name, path)
	} else {
		// A hard link fails if path exists, so a concurrent creator is never overwritten.
		err = os.Link(name, path)
	}
	if err != nil {
		return fmt.Errorf("seal: key file: %w", err)
	}
	// Make the new directory entry durable; not every system can sync a directory.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
