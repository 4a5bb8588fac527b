package documents

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

// Sender is who makes a document: the organization and the worker's
// display name.
type Sender struct {
	Organization string
	Worker       string
}

// Recipient is who a referral goes to: an organization, one of its
// services, or both.
type Recipient struct {
	Organization string
	Service      string
}

// ConsentBasis is the consent a referral rests on, as the person gave it.
type ConsentBasis struct {
	ID         string
	Version    int
	Method     discern.ConsentMethod
	GivenAt    time.Time
	ValidUntil *time.Time // nil: until the person withdraws it
	Purposes   []discern.ConsentPurpose
	Classes    []discern.DataClass // what the person agreed to share
}

// Field is one labelled value of a section.
type Field struct {
	Label string
	Value string
}

// Section holds fields of one data class. A field can only be put into a
// packet through the section of its class, so that the class decides
// whether it is printed.
type Section struct {
	Class  discern.DataClass
	Fields []Field
}

// ReferralPacket is the input of a referral packet.
//
// Sections may hold any class: only those in Released are printed, and
// every other class is printed as withheld, never its content. Reason and
// Needs are case-class information and follow the same rule.
type ReferralPacket struct {
	Language  string    // BCP 47; the labels' language (English when empty)
	Date      time.Time // the packet's date, also its PDF creation date
	Reference string    // the referral's id, optional
	From      Sender
	To        Recipient
	Reason    string
	Needs     []string
	Consent   ConsentBasis
	// Released lists the classes shared in this packet: the consent's
	// classes, or fewer when the worker shares less. Nil means all the
	// consent covers; a class the consent does not cover is an error.
	Released      []discern.DataClass
	Sections      []Section
	ContactSafety discern.ContactSafety
}

// released returns the classes printed and checks them against the consent.
func (p *ReferralPacket) released() ([]discern.DataClass, error) {
	for _, c := range p.Consent.Classes {
		if !c.Valid() {
			return nil, discern.Invalid("consent.classes", "%q is not a known kind of information.", c)
		}
	}
	if p.Released == nil {
		return p.Consent.Classes, nil
	}
	for _, c := range p.Released {
		if !slices.Contains(p.Consent.Classes, c) {
			return nil, discern.Invalid("released", "%q is not covered by the consent, so it cannot be shared.", c)
		}
	}
	return p.Released, nil
}

func (p *ReferralPacket) validate() error {
	switch {
	case p.Date.IsZero():
		return discern.Invalid("date", "The packet needs a date.")
	case strings.TrimSpace(p.From.Organization) == "":
		return discern.Invalid("from", "Name the sending organization.")
	case strings.TrimSpace(p.To.Organization) == "" && strings.TrimSpace(p.To.Service) == "":
		return discern.Invalid("to", "Name the recipient organization or service.")
	case p.Consent.ID == "":
		return discern.Invalid("consent", "A referral packet rests on a consent; name it.")
	case !p.Consent.Method.Valid():
		return discern.Invalid("consent.method", "%q is not a known way of giving consent.", p.Consent.Method)
	case p.Consent.GivenAt.IsZero():
		return discern.Invalid("consent.given_at", "Say when consent was given.")
	case len(p.Consent.Classes) == 0:
		return discern.Invalid("consent.classes", "The consent names no kind of information.")
	}
	for _, pu := range p.Consent.Purposes {
		if !pu.Valid() {
			return discern.Invalid("consent.purposes", "%q is not a known purpose.", pu)
		}
	}
	seen := map[discern.DataClass]bool{}
	for _, s := range p.Sections {
		if !s.Class.Valid() {
			return discern.Invalid("sections", "%q is not a known kind of information.", s.Class)
		}
		if seen[s.Class] {
			return discern.Invalid("sections", "There are two %s sections; put its fields in one.", s.Class)
		}
		seen[s.Class] = true
	}
	return p.ContactSafety.Validate()
}

// WriteReferralPacket writes the referral packet as a PDF to w.
func WriteReferralPacket(w io.Writer, p *ReferralPacket) error {
	if p == nil {
		return discern.Invalid("packet", "No referral packet given.")
	}
	if err := p.validate(); err != nil {
		return err
	}
	released, err := p.released()
	if err != nil {
		return err
	}
	loc, err := newLocale(p.Language)
	if err != nil {
		return discern.Invalid("language", "%v", err)
	}
	d := newDoc(loc, p.Date)
	t := loc.t
	has := func(c discern.DataClass) bool { return slices.Contains(released, c) }
	withheld := func(c discern.DataClass) string {
		if slices.Contains(p.Consent.Classes, c) {
			return t("common.withheld_not_shared")
		}
		return t("common.withheld_no_consent")
	}

	d.setTitle(t("referral.title"))
	d.para(t("referral.intro"))
	d.field(t("common.date"), d.date2(p.Date))
	d.fieldIf(t("common.reference"), p.Reference)
	d.field(t("common.from"), join(", ", p.From.Organization, p.From.Worker))
	d.field(t("common.to"), join(", ", p.To.Organization, p.To.Service))

	d.heading(t("referral.reason"))
	if has(discern.ClassCase) {
		d.para(orNone(t, p.Reason))
		if len(p.Needs) > 0 {
			d.sub(t("referral.needs"))
			for _, n := range p.Needs {
				d.bullet(0, n)
			}
		}
	} else {
		d.para(withheld(discern.ClassCase))
	}

	d.heading(t("referral.consent"))
	c := p.Consent
	id := c.ID
	if c.Version > 0 {
		id += " (" + t("referral.consent_version", "version", strconv.Itoa(c.Version)) + ")"
	}
	d.field(t("referral.consent_id"), id)
	d.field(t("referral.consent_method"), t("method."+string(c.Method)))
	d.field(t("referral.consent_given"), d.date2(c.GivenAt))
	if c.ValidUntil != nil {
		d.field(t("referral.consent_until"), d.date2(*c.ValidUntil))
	} else {
		d.field(t("referral.consent_until"), t("referral.consent_until_revoked"))
	}
	var words []string
	for _, pu := range c.Purposes {
		words = append(words, t("purpose."+string(pu)))
	}
	d.field(t("referral.consent_purposes"), orNone(t, strings.Join(words, "; ")))
	words = words[:0]
	for _, cl := range c.Classes {
		words = append(words, t("class."+string(cl)))
	}
	d.field(t("referral.consent_classes"), strings.Join(words, "; "))

	d.heading(t("referral.released"))
	var out []string
	for _, cl := range discern.DataClasses {
		if !has(cl) {
			out = append(out, t("class."+string(cl))+": "+withheld(cl))
			continue
		}
		d.sub(t("class." + string(cl)))
		fields := sectionFields(p.Sections, cl)
		if len(fields) == 0 {
			d.para(t("referral.section_empty"))
		}
		for _, f := range fields {
			d.field(f.Label, f.Value)
		}
	}
	if len(out) > 0 {
		d.sub(t("common.withheld_classes"))
		for _, s := range out {
			d.bullet(0, s)
		}
	}

	d.heading(t("referral.contact_safety"))
	contactSafety(d, &p.ContactSafety, has(discern.ClassContact))
	return d.render(w)
}

// contactSafety writes the rules for reaching the person. The do-not-contact
// and code-word instructions protect the person and reveal nothing about
// them, so they are always printed; channels and times are contact-class
// information. The code word itself is never in the input.
func contactSafety(d *doc, cs *discern.ContactSafety, contact bool) {
	t := d.loc.t
	switch {
	case cs.DoNotContact:
		d.notice(t("referral.do_not_contact"))
	case !contact:
		d.notice(t("referral.channels_withheld"))
	case len(cs.Channels) == 0:
		d.notice(t("referral.no_channels"))
	default:
		d.sub(t("referral.channels"))
		for _, ch := range cs.Channels {
			when := t("referral.any_time")
			if len(ch.Windows) > 0 {
				var ws []string
				for _, win := range ch.Windows {
					ws = append(ws, window(t, win))
				}
				when = strings.Join(ws, "; ")
			}
			d.bullet(0, t("channel."+string(ch.Channel))+": "+when)
		}
		if cs.TimeZone != "" {
			d.para(t("referral.time_zone", "zone", cs.TimeZone))
		}
	}
	if cs.HasCodeWord {
		d.notice(t("referral.code_word"))
	}
	d.para(t("referral.safety_rules"))
}

func window(t func(string, ...any) string, w discern.ContactWindow) string {
	var days []string
	for _, wd := range w.Weekdays {
		days = append(days, t("weekday."+strconv.Itoa(int(wd))))
	}
	hm := func(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }
	s := hm(w.From) + "–" + hm(w.To)
	if len(days) > 0 {
		s = strings.Join(days, ", ") + " " + s
	}
	return s
}

func sectionFields(sections []Section, c discern.DataClass) []Field {
	for _, s := range sections {
		if s.Class == c {
			return s.Fields
		}
	}
	return nil
}

func join(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func orNone(t func(string, ...any) string, s string) string {
	if strings.TrimSpace(s) == "" {
		return t("common.none")
	}
	return s
}
