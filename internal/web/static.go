package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

// asset is one embedded static file under its content-hashed name.
type asset struct {
	data        []byte
	contentType string
	etag        string
}

type assetTable struct {
	byURL  map[string]*asset // "/static/css/app.1a2b3c4d5e.css" -> file
	byName map[string]string // "css/app.css" -> its URL
}

// servedExt lists what the static handler serves; anything else in the
// folder (licences, notes) stays private.
var servedExt = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
	".ico": "image/x-icon",
	".txt": "text/plain; charset=utf-8",
}

var assets = sync.OnceValue(func() *assetTable {
	t := &assetTable{byURL: map[string]*asset{}, byName: map[string]string{}}
	_ = fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct, ok := servedExt[path.Ext(p)]
		if !ok {
			return nil
		}
		data, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		h := hex.EncodeToString(sum[:])[:10]
		name := strings.TrimPrefix(p, "static/")
		ext := path.Ext(name)
		u := PathStatic + strings.TrimSuffix(name, ext) + "." + h + ext
		if ct == "" {
			ct = mime.TypeByExtension(ext)
		}
		t.byURL[u] = &asset{data: data, contentType: ct, etag: `"` + h + `"`}
		t.byName[name] = u
		return nil
	})
	return t
})

// AssetURL returns the versioned URL of a static file ("css/app.css" →
// "/static/css/app.1a2b3c4d5e.css"). The name carries a hash of the
// content, so the file can be cached for a year and a new build is never
// served a stale stylesheet. An unknown name returns "" (and the
// template test catches it).
func AssetURL(name string) string { return assets().byName[name] }

// Static serves the embedded assets under PathStatic, by their hashed
// names only: `mux.Handle("GET "+web.PathStatic, web.Static())`.
func Static() http.Handler {
	t := assets()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		a, ok := t.byURL[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", a.etag)
		h.Set("X-Content-Type-Options", "nosniff")
		if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, a.etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(a.data)))
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(a.data)
	})
}
