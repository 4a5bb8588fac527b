package discern

import (
	"fmt"
	"time"
)

// Date is a calendar day with no time of day and no time zone: the day a
// referral was made, the day a decision is due. Plan clocks count in whole
// days, so daylight-saving changes can never move a deadline by an hour
// (or, near midnight, by a day).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the calendar day of t in loc (UTC when loc is nil).
func DateOf(t time.Time, loc *time.Location) Date {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate reads a date written as YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, Invalid("date", "%q is not a date written as YYYY-MM-DD.", s)
	}
	return DateOf(t, time.UTC), nil
}

// String writes the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d names a real day between the years 1900 and 2200.
func (d Date) Valid() bool {
	return d.Year >= 1900 && d.Year <= 2200 && d.utc().Day() == d.Day && d.utc().Month() == d.Month
}

func (d Date) utc() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// Compare returns -1, 0 or +1 as d is before, the same as, or after e.
func (d Date) Compare(e Date) int { return d.utc().Compare(e.utc()) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// DaysUntil is the number of days from d to e (negative when e is earlier).
func (d Date) DaysUntil(e Date) int { return int(e.utc().Sub(d.utc()).Hours() / 24) }

// AddDays adds n calendar days.
func (d Date) AddDays(n int) Date { return DateOf(d.utc().AddDate(0, 0, n), time.UTC) }

// AddMonths adds n months, keeping the day of the month where it exists
// and otherwise taking the month's last day: 31 January plus one month is
// 28 (or 29) February, never 3 March, because a time limit must not run
// past the month it names.
func (d Date) AddMonths(n int) Date {
	first := time.Date(d.Year, d.Month, 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return Date{first.Year(), first.Month(), min(d.Day, last)}
}

// AddYears adds n years; 29 February becomes 28 February in a year that is
// not a leap year.
func (d Date) AddYears(n int) Date { return d.AddMonths(12 * n) }

// IsWorkingDay reports whether d is Monday to Friday. Public holidays are
// not modelled: they differ by country and region and change every year,
// so a count of working days from Discern may be short by the holidays in
// between, and the screen says so.
func (d Date) IsWorkingDay() bool {
	w := d.Weekday()
	return w != time.Saturday && w != time.Sunday
}

// AddWorkingDays counts n working days forward from d (d itself is day 0,
// so a referral on a Friday with a limit of 5 working days is due the next
// Friday).
func (d Date) AddWorkingDays(n int) Date {
	for n > 0 {
		d = d.AddDays(1)
		if d.IsWorkingDay() {
			n--
		}
	}
	return d
}

// ClockRule is the length of a pathway's clock, as the content gives it:
// exactly one of the fields is set.
type ClockRule struct {
	Days        int `json:"days,omitempty"`
	WorkingDays int `json:"working_days,omitempty"`
	Months      int `json:"months,omitempty"`
	Years       int `json:"years,omitempty"`
}

// IsZero reports whether the rule has no length (a date entered by hand).
func (r ClockRule) IsZero() bool { return r == ClockRule{} }

// From is the day the clock runs out when it started on start.
func (r ClockRule) From(start Date) Date {
	switch {
	case r.WorkingDays > 0:
		return start.AddWorkingDays(r.WorkingDays)
	case r.Months > 0:
		return start.AddMonths(r.Months)
	case r.Years > 0:
		return start.AddYears(r.Years)
	}
	return start.AddDays(r.Days)
}
