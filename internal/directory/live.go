package directory

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Snapshot is one loaded directory with its catalog and index. It never
// changes; a new file gives a new Snapshot.
type Snapshot struct {
	Directory *Directory
	Catalog   *Catalog
	// Loaded is when the file was read (zero for an empty or static
	// directory).
	Loaded time.Time
}

// Live is the directory a server serves: the file written by `discern
// directory import` (DATA/directory.json), behind an atomic pointer.
//
// Reloading: Current looks at the file's modification time and size at
// most once per CheckEvery (on use, not on a timer); when they changed it
// reads the file in the background and swaps the new Snapshot in when it
// is valid, while requests go on being served from the old one. A file
// that does not read or validate is logged and never replaces the
// directory being served; it is not read again until it changes. An
// absent file is an empty directory. Reload does the same at once.
type Live struct {
	path       string
	log        *slog.Logger
	checkEvery time.Duration
	now        func() time.Time

	cur       atomic.Pointer[Snapshot]
	nextCheck atomic.Int64 // unix nanoseconds
	loading   sync.Mutex   // one reload at a time
	seen      stamp        // of the file last tried, under loading
}

type stamp struct {
	mod   time.Time
	size  int64
	found bool
}

// DefaultCheckEvery is how often Live looks at its file by default.
const DefaultCheckEvery = 3 * time.Second

// OpenLive loads path (absent: an empty directory). A file that is there
// but broken is logged and the directory starts empty; the error is also
// returned, so that a caller may refuse to start instead.
func OpenLive(path string, logger *slog.Logger, checkEvery time.Duration) (*Live, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if checkEvery <= 0 {
		checkEvery = DefaultCheckEvery
	}
	l := &Live{path: path, log: logger, checkEvery: checkEvery, now: time.Now}
	l.cur.Store(emptySnapshot())
	err := l.Reload()
	l.nextCheck.Store(l.now().Add(checkEvery).UnixNano())
	return l, err
}

// NewStatic serves d and never reloads.
func NewStatic(d *Directory) *Live {
	l := &Live{}
	l.cur.Store(&Snapshot{Directory: d, Catalog: NewCatalog(d)})
	return l
}

func emptySnapshot() *Snapshot {
	d := &Directory{}
	return &Snapshot{Directory: d, Catalog: NewCatalog(d)}
}

// Current is the directory to serve now. Every CheckEvery it also starts
// a background reload if the file changed.
func (l *Live) Current() *Snapshot {
	if l.path != "" {
		if now := l.now().UnixNano(); now >= l.nextCheck.Load() {
			l.nextCheck.Store(now + int64(l.checkEvery))
			if l.loading.TryLock() {
				go func() {
					defer l.loading.Unlock()
					if err := l.reloadLocked(); err != nil {
						l.log.Error("directory: the new directory file was not loaded; still serving the previous one", "path", l.path, "error", err.Error())
					}
				}()
			}
		}
	}
	return l.cur.Load()
}

// Reload reads the file now if it changed since it was last tried. On an
// error the directory being served stays as it was.
func (l *Live) Reload() error {
	if l.path == "" {
		return nil
	}
	l.loading.Lock()
	defer l.loading.Unlock()
	err := l.reloadLocked()
	if err != nil {
		l.log.Error("directory: the directory file was not loaded; still serving the previous one", "path", l.path, "error", err.Error())
	}
	return err
}

func (l *Live) reloadLocked() error {
	st, err := os.Stat(l.path)
	var s stamp
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		s = stamp{mod: st.ModTime(), size: st.Size(), found: true}
	}
	if s == l.seen {
		return nil
	}
	l.seen = s
	if !s.found {
		// The file was removed: an empty directory, as at a first start.
		l.cur.Store(emptySnapshot())
		l.log.Info("directory: no directory file; serving an empty directory", "path", l.path)
		return nil
	}
	f, err := os.Open(l.path)
	if err != nil {
		return err
	}
	defer f.Close()
	d, err := ImportJSON(f, l.path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", l.path, err)
	}
	snap := &Snapshot{Directory: d, Catalog: NewCatalog(d), Loaded: l.now()}
	l.cur.Store(snap)
	l.log.Info("directory: loaded", "path", l.path, "services", snap.Catalog.Len(), "organizations", len(snap.Catalog.orgs))
	return nil
}
