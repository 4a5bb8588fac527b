package directory

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// AttributeNames lists the wanted attributes the mapping knows, sorted.
func AttributeNames() []string {
	m := loadNeedMap()
	var out []string
	for a := range m.Attributes {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// MaxMatchLimit bounds Needs.Limit from a request.
const MaxMatchLimit = 100

// NeedsParams are the query parameters ParseNeeds reads.
var NeedsParams = []string{"needs", "age", "gender", "languages", "lat", "lon", "max_km", "attributes", "limit"}

// ParseNeeds reads a matching request from query parameters (or a form):
// needs, attributes and languages as repeated parameters or comma-separated
// lists; age in years; gender; lat and lon together; max_km (needs lat and
// lon); limit (1 to MaxMatchLimit, default 20). Other parameters are left
// to the caller. Errors are *QueryError.
func ParseNeeds(v url.Values) (Needs, error) {
	n := Needs{Limit: 20}
	list := func(k string, maxN, maxLen int) ([]string, error) {
		var out []string
		for _, raw := range v[k] {
			for _, s := range strings.Split(raw, ",") {
				if s = strings.TrimSpace(s); s == "" {
					continue
				}
				if len(s) > maxLen {
					return nil, &QueryError{k, fmt.Sprintf("each value has at most %d characters", maxLen)}
				}
				if !slices.Contains(out, s) {
					out = append(out, s)
				}
			}
		}
		if len(out) > maxN {
			return nil, &QueryError{k, fmt.Sprintf("at most %d values", maxN)}
		}
		return out, nil
	}
	one := func(k string) (string, error) {
		if len(v[k]) > 1 {
			return "", &QueryError{k, "give this parameter once"}
		}
		return strings.TrimSpace(v.Get(k)), nil
	}
	needs, err := list("needs", 20, 40)
	if err != nil {
		return n, err
	}
	known := NeedNames()
	for _, s := range needs {
		if !slices.Contains(known, Need(s)) {
			return n, &QueryError{"needs", fmt.Sprintf("%q is not a need this directory knows; the needs are %s", s, joinNeeds(known))}
		}
		n.Kinds = append(n.Kinds, Need(s))
	}
	attrs, err := list("attributes", 20, 40)
	if err != nil {
		return n, err
	}
	knownAttr := AttributeNames()
	for _, s := range attrs {
		if !slices.Contains(knownAttr, s) {
			return n, &QueryError{"attributes", fmt.Sprintf("%q is not an attribute this directory knows; the attributes are %s", s, strings.Join(knownAttr, ", "))}
		}
	}
	n.Attributes = attrs
	if n.Languages, err = list("languages", 10, 40); err != nil {
		return n, err
	}
	s, err := one("age")
	if err != nil {
		return n, err
	}
	if s != "" {
		a, err := strconv.Atoi(s)
		if err != nil || a < 0 || a > 130 {
			return n, &QueryError{"age", "want an age in whole years, from 0 to 130"}
		}
		n.Age = &a
	}
	if n.Gender, err = one("gender"); err != nil {
		return n, err
	}
	if len(n.Gender) > 40 {
		return n, &QueryError{"gender", "at most 40 characters"}
	}
	lat, err := one("lat")
	if err != nil {
		return n, err
	}
	lon, err := one("lon")
	if err != nil {
		return n, err
	}
	switch {
	case lat == "" && lon == "":
	case lat == "" || lon == "":
		return n, &QueryError{"lat", "give both lat and lon, or neither"}
	default:
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lon, 64)
		if err1 != nil || math.IsNaN(la) || la < -90 || la > 90 {
			return n, &QueryError{"lat", "want a latitude in decimal degrees, from -90 to 90"}
		}
		if err2 != nil || math.IsNaN(lo) || lo < -180 || lo > 180 {
			return n, &QueryError{"lon", "want a longitude in decimal degrees, from -180 to 180"}
		}
		n.Location = &LatLon{la, lo}
	}
	s, err = one("max_km")
	if err != nil {
		return n, err
	}
	if s != "" {
		km, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(km) || km <= 0 || km > 20_038 {
			return n, &QueryError{"max_km", "want a distance in kilometres, greater than 0 and at most 20038"}
		}
		if n.Location == nil {
			return n, &QueryError{"max_km", "a distance limit needs a place to measure from: give lat and lon too"}
		}
		n.MaxDistanceKm = km
	}
	if s, err = one("limit"); err != nil {
		return n, err
	}
	if s != "" {
		l, err := strconv.Atoi(s)
		if err != nil || l < 1 || l > MaxMatchLimit {
			return n, &QueryError{"limit", fmt.Sprintf("want a whole number from 1 to %d", MaxMatchLimit)}
		}
		n.Limit = l
	}
	return n, nil
}

func joinNeeds(ns []Need) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = string(n)
	}
	return strings.Join(s, ", ")
}
