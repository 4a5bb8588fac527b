package discern

import "testing"

func TestAuditEntryValidate(t *testing.T) {
	ok := AuditEntry{ActorID: "01KJMA0FM00000000000000000", OrgID: "01KJMA0FM00000000000000001", Action: "person.read",
		TargetType: "person", TargetID: "01KJMA0FM00000000000000002", Outcome: OutcomeSuccess, RequestID: "req-7f3a",
		DataClasses: []DataClass{ClassIdentity}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid entry: %v", err)
	}
	cases := []struct {
		name  string
		edit  func(*AuditEntry)
		field string
	}{
		{"action without dot", func(e *AuditEntry) { e.Action = "read" }, "action"},
		{"action with spaces", func(e *AuditEntry) { e.Action = "read file of Ana" }, "action"},
		{"action with capitals", func(e *AuditEntry) { e.Action = "Person.Read" }, "action"},
		{"action double dot", func(e *AuditEntry) { e.Action = "person..read" }, "action"},
		{"action leading digit", func(e *AuditEntry) { e.Action = "1person.read" }, "action"},
		{"target type with dot", func(e *AuditEntry) { e.TargetType = "person.x" }, "target_type"},
		{"name as target id", func(e *AuditEntry) { e.TargetID = "Ana Maria" }, "target_id"},
		{"long actor", func(e *AuditEntry) { e.ActorID = string(make([]byte, 65)) }, "actor_id"},
		{"newline in request id", func(e *AuditEntry) { e.RequestID = "a\nb" }, "request_id"},
		{"no outcome", func(e *AuditEntry) { e.Outcome = "" }, "outcome"},
		{"unknown class", func(e *AuditEntry) { e.DataClasses = []DataClass{"gossip"} }, "data_classes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := ok
			tc.edit(&e)
			err := e.Validate()
			if x, isErr := err.(*Error); !isErr || x.Kind != KindInvalid || x.Field != tc.field {
				t.Fatalf("Validate() = %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func TestPage(t *testing.T) {
	for _, tc := range []struct {
		p     Page
		valid bool
		size  int
	}{
		{Page{}, true, DefaultLimit},
		{Page{Limit: 1}, true, 1},
		{Page{Limit: MaxLimit}, true, MaxLimit},
		{Page{Limit: MaxLimit + 1}, false, 0},
		{Page{Limit: -1}, false, 0},
		{Page{Cursor: string(make([]byte, 201))}, false, 0},
	} {
		err := tc.p.Validate()
		if (err == nil) != tc.valid {
			t.Errorf("%+v: Validate() = %v", tc.p, err)
		}
		if tc.valid && tc.p.Size() != tc.size {
			t.Errorf("%+v: Size() = %d, want %d", tc.p, tc.p.Size(), tc.size)
		}
	}
}

func TestValidLanguage(t *testing.T) {
	for tag, want := range map[string]bool{
		"en": true, "pt-BR": true, "zh-Hant-TW": true, "sr-Latn": true,
		"": false, "e": false, "en_GB": false, "en-": false, "english please": false, "-en": false,
	} {
		if got := ValidLanguage(tag); got != want {
			t.Errorf("ValidLanguage(%q) = %v, want %v", tag, got, want)
		}
	}
}

func TestPersonValidate(t *testing.T) {
	sealed := Sealed(make([]byte, MinSealedLen))
	index := BlindIndex(make([]byte, BlindIndexLen))
	ok := Person{OrgID: "o", CreatedBy: "u", CaseCode: sealed, CaseCodeIndex: index}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*Person){
		"no org":             func(p *Person) { p.OrgID = "" },
		"no creator":         func(p *Person) { p.CreatedBy = "" },
		"no case code":       func(p *Person) { p.CaseCode = nil },
		"plaintext contact":  func(p *Person) { p.Contact = Sealed("+44 7700 900000") },
		"plaintext age":      func(p *Person) { p.AgeEstimate = Sealed("17") },
		"name without index": func(p *Person) { p.Name = sealed },
		"index without name": func(p *Person) { p.NameIndex = index },
		"long index":         func(p *Person) { p.Name, p.NameIndex = sealed, BlindIndex(make([]byte, 32)) },
	} {
		p := ok
		edit(&p)
		if KindOf(p.Validate()) != KindInvalid {
			t.Errorf("%s: accepted", name)
		}
	}
}
