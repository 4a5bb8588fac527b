package discern

import (
	"strings"
	"testing"
	"time"
)

func TestMayContact(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	at := func(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, london) } // 23 Nov 2026 is a Monday
	s := &ContactSafety{TimeZone: "Europe/London", HasCodeWord: true, Channels: []SafeChannel{
		{Channel: ChannelSMS, Windows: []ContactWindow{{Weekdays: []time.Weekday{time.Monday, time.Tuesday}, From: 9 * 60, To: 12 * 60}}},
		{Channel: ChannelPhone, Windows: []ContactWindow{{From: 22 * 60, To: 2 * 60}}}, // late evening into the night
		{Channel: ChannelEmail},
	}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		channel ContactChannel
		t       time.Time
		ok      bool
		why     string
	}{
		{"sms in its window", ChannelSMS, at(23, 10, 0), true, ""},
		{"sms at the window's end", ChannelSMS, at(23, 12, 0), false, "not a safe time"},
		{"sms on a Wednesday", ChannelSMS, at(25, 10, 0), false, "not a safe time"},
		{"phone before midnight", ChannelPhone, at(23, 23, 30), true, ""},
		{"phone after midnight", ChannelPhone, at(24, 1, 30), true, ""},
		{"phone in the afternoon", ChannelPhone, at(23, 15, 0), false, "not a safe time"},
		{"email any time", ChannelEmail, at(29, 3, 0), true, ""},
		{"unlisted channel", ChannelInPerson, at(23, 10, 0), false, "has not said"},
		{"the zone is the person's", ChannelSMS, time.Date(2026, 11, 23, 13, 0, 0, 0, time.FixedZone("UTC+4", 4*3600)), true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ok, why := s.MayContact(tc.channel, tc.t)
			if ok != tc.ok || !strings.Contains(why, tc.why) {
				t.Fatalf("MayContact = %v %q, want %v %q", ok, why, tc.ok, tc.why)
			}
		})
	}
	// Weekdays on a window across midnight belong to the evening it began.
	night := &ContactSafety{Channels: []SafeChannel{{Channel: ChannelPhone,
		Windows: []ContactWindow{{Weekdays: []time.Weekday{time.Friday}, From: 22 * 60, To: 2 * 60}}}}}
	fri := time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC)
	if ok, _ := night.MayContact(ChannelPhone, fri); !ok {
		t.Error("Friday 23:00 is in the Friday-night window")
	}
	if ok, _ := night.MayContact(ChannelPhone, fri.Add(2*time.Hour)); !ok {
		t.Error("Saturday 01:00 is still in the Friday-night window")
	}
	if ok, _ := night.MayContact(ChannelPhone, fri.Add(-24*time.Hour+2*time.Hour)); ok {
		t.Error("Friday 01:00 belongs to Thursday night")
	}

	dnc := *s
	dnc.DoNotContact = true
	if ok, why := dnc.MayContact(ChannelEmail, at(23, 10, 0)); ok || !strings.Contains(why, "not to be contacted") {
		t.Fatalf("do not contact: %v %q", ok, why)
	}
	var none *ContactSafety
	if ok, _ := none.MayContact(ChannelSMS, at(23, 10, 0)); ok {
		t.Fatal("with nothing recorded, no channel is assumed safe")
	}
	if ok, _ := none.MayContact(ChannelViaWorker, at(23, 10, 0)); !ok {
		t.Fatal("with nothing recorded, the worker can still be asked to pass a message")
	}
}

func TestContactSafetyValidate(t *testing.T) {
	bad := []ContactSafety{
		{TimeZone: "Mars/Olympus"},
		{Channels: []SafeChannel{{Channel: "pigeon"}}},
		{Channels: []SafeChannel{{Channel: ChannelSMS, Windows: []ContactWindow{{From: 600, To: 600}}}}},
		{Channels: []SafeChannel{{Channel: ChannelSMS, Windows: []ContactWindow{{From: -1, To: 600}}}}},
		{Channels: []SafeChannel{{Channel: ChannelSMS, Windows: []ContactWindow{{From: 0, To: 600, Weekdays: []time.Weekday{9}}}}}},
	}
	for i, s := range bad {
		if err := s.Validate(); KindOf(err) != KindInvalid {
			t.Errorf("case %d: %v, want invalid", i, err)
		}
	}
}
