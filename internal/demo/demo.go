// Package demo fills a new data directory with clearly fictional
// organizations, people and screenings, so that Discern can be explored
// without real data. Every name is invented and marked as such.
package demo

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
)

//go:embed data/*.yaml
var answerFiles embed.FS

// person is one fictional person of the demo, with the answer set their
// screening uses (a dev vignette's answers, written from its narrative).
type person struct {
	name, ageEstimate, contact string
	answers                    string // file under data/
	note                       string
	task                       string
	place                      discern.PlaceKind
	draft                      bool
}

var people = []person{
	{name: "Demo Person Olenka (fictional)", ageEstimate: "24", contact: "Only by text, weekdays after 6pm; code word: tea", answers: "D02.yaml",
		note: "Asked about a residence permit and about the woman moved with her. (Fictional demo note.)", task: "Book an immigration adviser (demo)", place: discern.PlaceShelter},
	{name: "Demo Person Jay (fictional)", ageEstimate: "36", answers: "D10.yaml",
		note: "Came for PrEP; declined any referral. (Fictional demo note.)", place: discern.PlaceHealthFacility},
	{name: "Demo Person Marta (fictional)", ageEstimate: "29", answers: "D14.yaml",
		task: "Share labour-rights information (demo)", place: discern.PlaceOffice},
	{name: "", ageEstimate: "about 45", answers: "D19.yaml", place: discern.PlaceResidence, draft: true},
	{name: "Demo Person Jo (fictional)", ageEstimate: "31", contact: "Do not call. Only in person at the drop-in.", answers: "D22.yaml",
		note: "Wants only supplies for now. Do not contact. (Fictional demo note.)", place: discern.PlaceStreet},
	{name: "Demo Person Jess (fictional)", ageEstimate: "27", answers: "D24.yaml",
		task: "Find a trans-inclusive shelter bed (demo)", place: discern.PlaceHealthFacility},
}

// Casework records the demo people, encounters, screenings, notes and tasks
// as the given caseworker, through the casework service (so everything is
// sealed and audited as real records would be). It returns the number of
// people created.
func Casework(ctx context.Context, svc *casework.Service, caseworker casework.Actor, now time.Time) (int, error) {
	b := svc.Engine().Bundle()
	for i, p := range people {
		view, err := svc.CreatePerson(ctx, caseworker, casework.PersonInput{Name: p.name, AgeEstimate: p.ageEstimate, Contact: p.contact, AssignedTo: caseworker.UserID})
		if err != nil {
			return i, fmt.Errorf("demo person %d: %w", i+1, err)
		}
		enc, err := svc.CreateEncounter(ctx, caseworker, casework.EncounterInput{PersonID: view.ID, OccurredAt: now.Add(-time.Duration(24*(len(people)-i)) * time.Hour), PlaceKind: p.place})
		if err != nil {
			return i, fmt.Errorf("demo encounter %d: %w", i+1, err)
		}
		data, err := answerFiles.ReadFile("data/" + p.answers)
		if err != nil {
			return i, err
		}
		ev, err := screening.ParseAnswers(b, p.answers, data)
		if err != nil {
			return i, fmt.Errorf("demo answers %s: %w", p.answers, err)
		}
		if _, err := svc.CreateScreening(ctx, caseworker, casework.ScreeningInput{PersonID: view.ID, EncounterID: enc.ID, Evidence: ev, Complete: !p.draft}); err != nil {
			return i, fmt.Errorf("demo screening %d: %w", i+1, err)
		}
		if p.note != "" {
			if _, err := svc.CreateNote(ctx, caseworker, view.ID, discern.ClassNarrative, p.note); err != nil {
				return i, err
			}
		}
		if p.task != "" {
			due := now.Add(72 * time.Hour)
			if _, err := svc.CreateTask(ctx, caseworker, casework.TaskInput{PersonID: view.ID, Title: p.task, DueAt: &due, AssigneeID: caseworker.UserID}); err != nil {
				return i, err
			}
		}
	}
	return len(people), nil
}

// directoryJSON is the fictional service directory of the demo: fifteen
// invented organizations and thirty services in the invented city of Port
// Marlow, placed in the open Atlantic (near 10° N, 30° W) so that no real
// address can be mistaken for one of them. It is HSDS 3.0 JSON in the form
// `discern directory export` writes; example.org addresses and 555 phone
// numbers only.
//
//go:embed data/directory.json
var directoryJSON []byte

// LegalAidOrgID is the HSDS id of the demo directory's legal-aid partner,
// "Northside Legal Aid (fictional)", which is also the second demo
// organization in Discern: referrals to it arrive in its inbox.
const LegalAidOrgID = "00000000-0000-4000-8000-0000000000a1"

// DirectoryJSON returns the demo directory as HSDS 3.0 JSON.
func DirectoryJSON() []byte { return bytes.Clone(directoryJSON) }
