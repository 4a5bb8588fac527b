package httpserver

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/danielgtaylor/huma/v2"

	"github.com/discern-org/discern/internal/directory"
	"github.com/discern-org/discern/internal/discern"
)

// The HSDS 3.0 read API (/hsds/…) serves the live service directory in the
// shapes of the HSDS 3.0 OpenAPI (Open Referral): paged lists with
// total_items … contents, single records in their full form, and the
// query parameters that OpenAPI names. It is described by that OpenAPI,
// not by Discern's own document, so its routes are plain handlers. The
// directory is shared by every organization and holds no personal data;
// it is still not public (confidential shelters), so every route needs
// the directory.read action.

// hsdsVersion is the HSDS version the API follows.
const hsdsVersion = "3.0"

// hsdsOpenAPIURL is the HSDS 3.0 OpenAPI document the API follows.
const hsdsOpenAPIURL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"

// hsdsProfile is where the HSDS 3.0 profile (no changes) is described.
const hsdsProfile = "https://docs.openreferral.org/en/v3.0/"

// directory is the service directory to serve now.
func (d *deps) directory() *directory.Snapshot { return d.dir.Current() }

func hsdsMeta() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.Query()) > 0 {
			writeProblem(w, r, discern.Invalid("query", "This address takes no query parameters."))
			return
		}
		writeJSON(w, http.StatusOK, directory.Meta{Version: hsdsVersion, Profile: hsdsProfile, OpenAPIURL: hsdsOpenAPIURL})
	})
}

// hsdsList serves GET /hsds/<kind>.
func hsdsList(d *deps, kind string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := directory.ParseQuery(kind, r.URL.Query())
		if err != nil {
			writeProblem(w, r, queryProblem(err))
			return
		}
		page, err := d.directory().Catalog.List(kind, q)
		if err != nil {
			writeProblem(w, r, queryProblem(err))
			return
		}
		if q.NDJSON {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.WriteHeader(http.StatusOK)
			enc := json.NewEncoder(w)
			for _, c := range page.Contents {
				if enc.Encode(c) != nil {
					return
				}
			}
			return
		}
		writeJSON(w, http.StatusOK, page)
	})
}

// hsdsItem serves GET /hsds/<kind>/{<wildcard>}.
func hsdsItem(d *deps, kind, wildcard string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fullService, err := directory.CheckItemParams(kind, r.URL.Query())
		if err != nil {
			writeProblem(w, r, queryProblem(err))
			return
		}
		c := d.directory().Catalog
		id := r.PathValue(wildcard)
		var v any
		switch kind {
		case directory.ListServices:
			if s := c.Service(id); s != nil {
				v = s
			}
		case directory.ListServiceAtLocations:
			if s := c.ServiceAtLocation(id); s != nil {
				v = s
			}
		case directory.ListOrganizations:
			v = c.Organization(id, fullService)
		case directory.ListTaxonomies:
			if t := c.Taxonomy(id); t != nil {
				v = t
			}
		case directory.ListTaxonomyTerms:
			if t := c.TaxonomyTerm(id); t != nil {
				v = t
			}
		}
		if v == nil {
			writeProblem(w, r, discern.Errorf(discern.KindNotFound, "The directory has no such record."))
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
}

// queryProblem turns a directory query error into an invalid-input error
// naming the parameter.
func queryProblem(err error) error {
	if qe, ok := errors.AsType[*directory.QueryError](err); ok {
		return discern.Invalid(qe.Param, "%s: %s.", qe.Param, qe.Msg)
	}
	return err
}

// matchBody is one match of GET /api/v1/directory/matches.
type matchBody struct {
	ServiceID        string   `json:"service_id" doc:"The HSDS id of the service (GET /hsds/services/{service_id} has all of it)."`
	ServiceName      string   `json:"service_name"`
	OrganizationID   string   `json:"organization_id,omitempty"`
	OrganizationName string   `json:"organization_name,omitempty"`
	Description      string   `json:"description,omitempty"`
	URL              string   `json:"url,omitempty"`
	Phone            string   `json:"phone,omitempty"`
	LocationID       string   `json:"location_id,omitempty" doc:"The nearest location with coordinates, when a place was given."`
	LocationName     string   `json:"location_name,omitempty"`
	DistanceKm       *float64 `json:"distance_km,omitempty" doc:"Great-circle distance to the nearest location, when a place was given and the service has coordinates."`
	CoveredNeeds     []string `json:"covered_needs" doc:"The needs asked for that this service answers."`
	Reasons          []string `json:"reasons" doc:"Why it matched, in plain sentences."`
	Unmet            []string `json:"unmet" doc:"Preferences it does not meet or does not state, in plain sentences."`
}

type matchesBody struct {
	Matches []matchBody `json:"matches"`
	// Needs and Attributes are the values the needs and attributes
	// parameters take, for clients building a form.
	Needs      []string `json:"needs" doc:"Every need the directory's mapping knows."`
	Attributes []string `json:"attributes" doc:"Every wanted attribute the mapping knows."`
}

// matchOut turns matches into the API's shape.
func matchOut(ms []directory.Match) []matchBody {
	out := make([]matchBody, 0, len(ms))
	for _, m := range ms {
		b := matchBody{ServiceID: m.Service.ID, ServiceName: m.Service.Name, Description: m.Service.Description, URL: m.Service.URL,
			Reasons: nonNil(m.Reasons), Unmet: nonNil(m.Unmet), CoveredNeeds: []string{}}
		if o := m.Service.Organization; o != nil {
			b.OrganizationID, b.OrganizationName = o.ID, o.Name
		} else {
			b.OrganizationID = m.Service.OrganizationID
		}
		if len(m.Service.Phones) > 0 {
			b.Phone = m.Service.Phones[0].Number
		}
		if m.Location != nil {
			b.LocationID, b.LocationName = m.Location.ID, m.Location.Name
		}
		if m.DistanceKm >= 0 {
			km := m.DistanceKm
			b.DistanceKm = &km
		}
		for _, n := range m.Covered {
			b.CoveredNeeds = append(b.CoveredNeeds, string(n))
		}
		out = append(out, b)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// matchServices matches the needs against the live directory, naming the
// service's organization from the catalog.
func matchServices(d *deps, n directory.Needs) ([]directory.Match, error) {
	snap := d.directory()
	ms, err := snap.Catalog.Index.Match(n)
	if err != nil {
		return nil, discern.Invalid("needs", "%s", err.Error())
	}
	for i := range ms {
		if full := snap.Catalog.Service(ms[i].Service.ID); full != nil {
			ms[i].Service = full
		}
	}
	return ms, nil
}

// directoryMatches is GET /api/v1/directory/matches.
func directoryMatches(d *deps) func(huma.API, huma.Operation) {
	type input struct {
		Needs      []string `query:"needs" doc:"Needs to find help for (comma-separated or repeated): legal_immigration, shelter, medical, mental_health, harm_reduction, labour_rights, language."`
		Age        string   `query:"age" maxLength:"3" doc:"The person's age in years, if they chose to say; services whose stated ages exclude it are left out."`
		Gender     string   `query:"gender" maxLength:"40" doc:"The person's gender as they describe it; services whose stated genders exclude it are left out."`
		Languages  []string `query:"languages" doc:"Languages the person prefers, ISO 639 codes or names, most preferred first."`
		Lat        string   `query:"lat" maxLength:"32" doc:"Latitude of where the person is (decimal degrees), with lon."`
		Lon        string   `query:"lon" maxLength:"32" doc:"Longitude, with lat."`
		MaxKm      string   `query:"max_km" maxLength:"32" doc:"Leave out services farther than this many kilometres (needs lat and lon)."`
		Attributes []string `query:"attributes" doc:"Wanted qualities (comma-separated or repeated), such as serves_trafficking_survivors, sex_worker_led, no_id_required."`
		Limit      string   `query:"limit" maxLength:"4" doc:"At most this many matches (1 to 100; default 20)."`
	}
	type output struct{ Body matchesBody }
	return func(api huma.API, op huma.Operation) {
		op.Description += " Ranks the directory's services for a person's needs and says why each matched and what it does not offer. " +
			"Nothing is stored; the parameters are not logged."
		register(api, op, func(ctx context.Context, in *input) (*output, error) {
			v := url.Values{"needs": in.Needs, "languages": in.Languages, "attributes": in.Attributes}
			for k, s := range map[string]string{"age": in.Age, "gender": in.Gender, "lat": in.Lat, "lon": in.Lon, "max_km": in.MaxKm, "limit": in.Limit} {
				if s != "" {
					v.Set(k, s)
				}
			}
			n, err := directory.ParseNeeds(v)
			if err != nil {
				return nil, queryProblem(err)
			}
			if len(n.Kinds) == 0 {
				return nil, discern.Invalid("needs", "Choose at least one need.")
			}
			ms, err := matchServices(d, n)
			if err != nil {
				return nil, err
			}
			out := &output{Body: matchesBody{Matches: matchOut(ms), Attributes: directory.AttributeNames()}}
			for _, n := range directory.NeedNames() {
				out.Body.Needs = append(out.Body.Needs, string(n))
			}
			return out, nil
		})
	}
}
