package screening

import "testing"

func TestSummaryChanges(t *testing.T) {
	eng := New(bundle)
	a, err := eng.Evaluate(ev([]string{"eu", "england-wales"}, adultManaged))
	if err != nil {
		t.Fatal(err)
	}
	b, err := eng.Evaluate(ev([]string{"eu", "england-wales"}, adultCoerced))
	if err != nil {
		t.Fatal(err)
	}
	if ch := a.Summary().Changes(a.Summary()); len(ch) != 0 {
		t.Errorf("a summary differs from itself: %v", ch)
	}
	ch := a.Summary().Changes(b.Summary())
	want := map[string]bool{"eu: determination not_trafficking → sex_trafficking": true, "eu: means not_met → met": true}
	found := 0
	for _, c := range ch {
		if want[c] {
			found++
		}
		if c == "england-wales: determination sex_trafficking → sex_trafficking" || len(c) > 26 && c[:26] == "england-wales: determinati" {
			t.Errorf("England and Wales met the elements both times; reported %q", c)
		}
	}
	if found != len(want) {
		t.Errorf("changes %v lack %v", ch, want)
	}
}
