// Package directory holds an HSDS 3.0 (Open Referral Human Services Data
// Specification) service directory, so that Discern can refer a person, with
// their consent, to services that fit what they asked for.
//
// # Formats
//
// ImportJSON reads the JSON forms (service_full, organization_full,
// service_at_location_full, location, taxonomy, taxonomy_term, arrays and API
// pages of them, and ExportJSON's own document); ImportTabular reads the CSV
// data package. Every record is validated against the HSDS JSON Schemas
// embedded in schema/ (Open Referral, CC BY-SA 4.0; see schema/SOURCE), with
// no network access. Errors are *ImportError values naming the file, the
// record and the JSON path.
//
// Nothing is lost on the way through Go: each type keeps the members it does
// not know, and those it cannot hold as given (null, "", []), in Extra, and
// writes them back. Export is stable: the same Directory gives the same
// bytes. JSON records keep their nesting; CSV records stay flat, one list per
// file. ExportTabular flattens nested records into their tables.
//
// # Matching
//
// NewIndex builds an in-memory index; Index.Match ranks services for a
// person's Needs and says why each matched and what it does not offer.
// The mapping from needs and wanted attributes to HSDS taxonomy terms is
// data, in needmap.json:
//
//   - A service answers a need when an attribute of the service or of its
//     organization links a taxonomy term (nested, or by taxonomy_term_id)
//     whose code or name, ignoring case, is listed under that need; for
//     example "legal_immigration" ← immigration, legal aid, asylum, …;
//     "shelter" ← emergency shelter, safe house, …. A service with
//     interpretation_services text also answers "language".
//   - Wanted attributes (serves_trafficking_survivors, sex_worker_led,
//     lgbtq_affirming, no_id_required, free, confidential) work the same way.
//   - HSDS 3.0 has no gender eligibility field: an attribute whose term is
//     "gender" carries the genders served in its value ("female,non-binary";
//     "all"). Age eligibility comes from minimum_age and maximum_age.
//   - Languages come from the service's languages and those of its
//     locations, compared by code or name.
//
// Ranking is by needs covered, then eligibility stated and met (a stated
// age or gender that excludes the person removes the service), then a
// shared language, then wanted attributes, then haversine distance to the
// nearest location, then id. Only services whose status is "active" (or
// unstated) are matched.
package directory
