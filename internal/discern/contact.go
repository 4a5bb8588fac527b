package discern

import (
	"slices"
	"time"
)

// ContactChannel is a way to reach a person.
type ContactChannel string

// The channels.
const (
	ChannelPhone     ContactChannel = "phone"
	ChannelSMS       ContactChannel = "sms"
	ChannelMessaging ContactChannel = "messaging" // an app the person named
	ChannelEmail     ContactChannel = "email"
	ChannelInPerson  ContactChannel = "in_person" // at a place and time the person chose
	ChannelViaWorker ContactChannel = "via_worker"
)

// ContactChannels lists every channel.
var ContactChannels = []ContactChannel{ChannelPhone, ChannelSMS, ChannelMessaging, ChannelEmail, ChannelInPerson, ChannelViaWorker}

// Valid reports whether c is a known channel.
func (c ContactChannel) Valid() bool { return slices.Contains(ContactChannels, c) }

// ContactWindow is a span of the day, in the person's own time zone, when a
// channel is safe: for example only weekday mornings, when someone else
// does not hold the phone. To before From spans midnight.
type ContactWindow struct {
	Weekdays []time.Weekday // empty: every day
	From, To int            // minutes after local midnight, 0..1440
}

func (w ContactWindow) holds(local time.Time) bool {
	m := local.Hour()*60 + local.Minute()
	if len(w.Weekdays) > 0 {
		day := local.Weekday()
		// Past midnight in a window that spans it, the window began the day before.
		if w.To < w.From && m < w.To {
			day = (day + 6) % 7
		}
		if !slices.Contains(w.Weekdays, day) {
			return false
		}
	}
	if w.From <= w.To {
		return m >= w.From && m < w.To
	}
	return m >= w.From || m < w.To
}

// SafeChannel is one channel the person said is safe, with its windows
// (none: any time).
type SafeChannel struct {
	Channel ContactChannel
	Windows []ContactWindow
}

// ContactSafety is what a person said about reaching them. Details (the
// number, the code word) are sealed elsewhere with the person's contact
// data; this holds only the rules every notification and reminder obeys.
type ContactSafety struct {
	DoNotContact bool
	Channels     []SafeChannel
	TimeZone     string // IANA name; empty is UTC
	HasCodeWord  bool   // staff must use the code word before saying why they call
}

// Validate checks contact-safety rules before they are stored.
func (s *ContactSafety) Validate() error {
	if s.TimeZone != "" {
		if _, err := time.LoadLocation(s.TimeZone); err != nil {
			return Invalid("time_zone", "%q is not a known time zone.", s.TimeZone)
		}
	}
	for _, c := range s.Channels {
		if !c.Channel.Valid() {
			return Invalid("channels", "%q is not a known channel.", c.Channel)
		}
		for _, w := range c.Windows {
			if w.From < 0 || w.From > 1440 || w.To < 0 || w.To > 1440 || w.From == w.To {
				return Invalid("channels", "A time window runs between two different times of day.")
			}
			for _, d := range w.Weekdays {
				if d < time.Sunday || d > time.Saturday {
					return Invalid("channels", "A time window names an unknown weekday.")
				}
			}
		}
	}
	return nil
}

// MayContact says whether the person may be reached on channel at t, and
// if not, why. With no rules recorded, Discern does not assume any channel
// is safe: only contact through the worker is allowed.
func (s *ContactSafety) MayContact(channel ContactChannel, t time.Time) (bool, string) {
	if s == nil || (len(s.Channels) == 0 && !s.DoNotContact) {
		if channel == ChannelViaWorker {
			return true, ""
		}
		return false, "No safe channel is recorded for this person; reach them only through their worker."
	}
	if s.DoNotContact {
		return false, "The person asked not to be contacted."
	}
	loc := time.UTC
	if s.TimeZone != "" {
		if l, err := time.LoadLocation(s.TimeZone); err == nil {
			loc = l
		} else {
			return false, "The person's time zone is not known, so no time can be checked as safe."
		}
	}
	local := t.In(loc)
	for _, c := range s.Channels {
		if c.Channel != channel {
			continue
		}
		if len(c.Windows) == 0 {
			return true, ""
		}
		for _, w := range c.Windows {
			if w.holds(local) {
				return true, ""
			}
		}
		return false, "This is not a safe time to use this channel."
	}
	return false, "The person has not said this channel is safe."
}
