package directory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// knownKeys caches, per struct type, the JSON member names its fields carry.
var knownKeys sync.Map // reflect.Type -> map[string]bool

func keysOf(t reflect.Type) map[string]bool {
	if k, ok := knownKeys.Load(t); ok {
		return k.(map[string]bool)
	}
	k := map[string]bool{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			k[name] = true
		}
	}
	knownKeys.Store(t, k)
	return k
}

// unmarshalExt decodes the object b into the struct v, and keeps in extra
// every member v does not carry exactly as given. encoding/json matches
// member names without regard to case, so only exact names reach v: "ID"
// stays an extension member instead of overwriting "id".
func unmarshalExt(b []byte, v any, extra *map[string]json.RawMessage) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		return fmt.Errorf("want a JSON object, got null")
	}
	known := keysOf(reflect.TypeOf(v).Elem())
	typed := make(map[string]json.RawMessage, len(raw))
	var ext map[string]json.RawMessage
	for k, m := range raw {
		if known[k] {
			typed[k] = m
			continue
		}
		if ext == nil {
			ext = map[string]json.RawMessage{}
		}
		ext[k] = bytes.Clone(m)
	}
	tb, err := json.Marshal(typed)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(tb, v); err != nil {
		return err
	}
	// A member the typed field drops on output (null, "", []) is kept as
	// given, so that export writes it back.
	back, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(back, &out); err != nil {
		return err
	}
	for k, m := range typed {
		if _, ok := out[k]; !ok {
			if ext == nil {
				ext = map[string]json.RawMessage{}
			}
			ext[k] = bytes.Clone(m)
		}
	}
	*extra = ext
	return nil
}

// marshalExt encodes the struct v merged with extra. Typed fields win over
// extra members of the same name. Keys come out sorted, so export is stable.
func marshalExt(v any, extra map[string]json.RawMessage) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, e := range extra {
		if _, ok := m[k]; !ok {
			m[k] = e
		}
	}
	return json.Marshal(m)
}
