package httpserver

import (
	"errors"
	"github.com/discern-org/discern/internal/auth"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/discern-org/discern/internal/directory"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/web"
)

// idRE is the shape of a record id carried back in the directory form.
var idRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// uiDirectory is the directory page: GET with the form's values in the
// query (no script needed), matches below the form. With
// ?screening={id} it fills in the needs that screening's result suggests
// (needmap.json's from_result), the person's age estimate when the user
// may see it, and the interview's language, and says these are
// suggestions; it searches only when the form is sent.
func uiDirectory(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		q := r.URL.Query()
		snap := d.directory()
		p := web.DirectoryPage{Page: pageOf(d, r), Services: snap.Catalog.Len(), AttributeChoices: directory.AttributeNames()}
		for _, n := range directory.NeedNames() {
			p.NeedChoices = append(p.NeedChoices, string(n))
		}
		if sid := q.Get("screening"); sid != "" {
			a := actorOf(ctx)
			sv, err := d.casework.GetScreening(ctx, a, sid)
			if err != nil {
				return err
			}
			p.ScreeningID = sv.ID
			if res := sv.Result; res != nil {
				for _, n := range directory.SuggestNeeds(resultIDs(res)) {
					p.Form.Needs = append(p.Form.Needs, string(n))
				}
				if len(p.Form.Needs) > 0 {
					p.Suggested = append(p.Suggested, "directory.suggested_needs")
				}
				if res.Language != "" {
					p.Form.Languages = res.Language
					p.Suggested = append(p.Suggested, "directory.suggested_language")
				}
			}
			if sv.PersonID != "" && allowed(a.Principal, auth.ReferralsCreate) {
				p.PersonID = sv.PersonID
			}
			if sv.PersonID != "" {
				// The age estimate is identity data: GetPerson shows it only
				// to those who may see it, and audits the read.
				if pv, err := d.casework.GetPerson(ctx, a, sv.PersonID); err == nil && pv.AgeEstimate != nil {
					if age := ageFromEstimate(*pv.AgeEstimate); age != "" {
						p.Form.Age = age
						p.Suggested = append(p.Suggested, "directory.suggested_age")
					}
				}
			}
			return d.web.Directory(w, p)
		}
		if from := q.Get("from"); idRE.MatchString(from) {
			p.ScreeningID = from
		}
		if !q.Has("find") && !q.Has("needs") {
			return d.web.Directory(w, p)
		}
		p.Form = web.ParseDirectoryForm(q)
		p.Searched = true
		v := p.Form.Query()
		if pc := strings.TrimSpace(p.Form.Postcode); pc != "" && p.Form.Lat == "" && p.Form.Lon == "" {
			if ll, ok := snap.Catalog.Postcode(pc); ok {
				v.Set("lat", strconv.FormatFloat(ll.Lat, 'f', -1, 64))
				v.Set("lon", strconv.FormatFloat(ll.Lon, 'f', -1, 64))
			} else {
				p.Problems = append(p.Problems, web.FieldProblem{Field: "postcode", Key: "directory.problem_postcode", Value: pc})
			}
		}
		n, err := directory.ParseNeeds(v)
		if err != nil {
			qe, ok := errors.AsType[*directory.QueryError](err)
			if !ok {
				return err
			}
			field := qe.Param
			if field == "limit" {
				field = "needs"
			}
			p.Problems = append(p.Problems, web.FieldProblem{Field: field, Key: "directory.problem_" + qe.Param})
		} else if len(n.Kinds) == 0 {
			p.Problems = append(p.Problems, web.FieldProblem{Field: "needs", Key: "directory.problem_needs"})
		}
		if len(p.Problems) > 0 {
			return d.web.Directory(w, p)
		}
		ms, err := matchServices(d, n)
		if err != nil {
			return err
		}
		for _, m := range ms {
			dm := web.DirectoryMatch{ServiceID: m.Service.ID, Name: m.Service.Name, Description: m.Service.Description, URL: safeURL(m.Service.URL)}
			if o := m.Service.Organization; o != nil {
				dm.Organization = o.Name
			}
			if len(m.Service.Phones) > 0 {
				dm.Phone = m.Service.Phones[0].Number
			}
			if m.Location != nil {
				dm.Location = m.Location.Name
			}
			if m.DistanceKm >= 0 {
				dm.DistanceKm = strconv.FormatFloat(m.DistanceKm, 'f', 1, 64)
			}
			for _, c := range m.Covered {
				dm.Covered = append(dm.Covered, string(c))
			}
			for _, x := range m.Why {
				dm.Why = append(dm.Why, web.DirectoryPoint{Key: x.Key, Value: x.Value})
			}
			for _, x := range m.Gaps {
				dm.Gaps = append(dm.Gaps, web.DirectoryPoint{Key: x.Key, Value: x.Value})
			}
			p.Matches = append(p.Matches, dm)
		}
		return d.web.Directory(w, p)
	})
}

// safeURL keeps a service's web address only if it is http or https.
func safeURL(u string) string {
	if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		return u
	}
	return ""
}

// resultIDs are the ids of a result that may suggest needs.
func resultIDs(res *screening.Result) directory.ResultIDs {
	var ids directory.ResultIDs
	for _, a := range res.Alerts {
		ids.Alerts = append(ids.Alerts, a.ID)
	}
	for _, ind := range res.Indicators {
		if ind.State == "present" {
			ids.Indicators = append(ids.Indicators, ind.ID)
		}
	}
	for _, ri := range res.Rights {
		ids.Rights = append(ids.Rights, ri.ID)
	}
	for _, j := range res.Results {
		for _, pw := range j.Pathways {
			if pw.Status == "eligible" || pw.Status == "possible" {
				ids.Pathways = append(ids.Pathways, pw.ID)
			}
		}
		for _, a := range j.Alerts {
			ids.Alerts = append(ids.Alerts, a.ID)
		}
	}
	return ids
}

// ageFromEstimate reads a whole number of years from a free-text age
// estimate ("24", "about 45", "16-18" → 16, "under 18" → 17); "" when
// there is none.
func ageFromEstimate(s string) string {
	m := regexp.MustCompile(`\d{1,3}`).FindString(s)
	if m == "" {
		return ""
	}
	n, _ := strconv.Atoi(m)
	if strings.Contains(strings.ToLower(s), "under") && n > 0 {
		n--
	}
	if n > 130 {
		return ""
	}
	return strconv.Itoa(n)
}
