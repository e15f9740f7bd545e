package health

import (
	"slices"
	"time"
)

// The schedule follows events: opening a case, recording a step, and
// completing a visit each ask the program's rules what is now due, what is
// done and what is no longer needed. The functions here are pure, so the
// rules are tested as tables without a database.

// StepRec is what the rules read of a recorded step.
type StepRec struct {
	Stage  string
	Date   string // YYYY-MM-DD
	Code   string
	Fields map[string]any
}

// Due is a visit a rule calls for.
type Due struct {
	Kind   string
	Seq    int
	DueOn  string
	Window int
}

// Effects are what a step does to the case's visits.
type Effects struct {
	Create   []Due
	Complete []string // kinds of open visits the step completes (DoneBy)
	Lapse    []string // kinds of open visits the step makes unnecessary
}

// OnOpen returns the visits due when a case opens on date with its first step.
func OnOpen(p Program, first StepRec) []Due {
	var out []Due
	for _, r := range p.Visits {
		if r.Anchor == "opened" {
			out = append(out, Due{Kind: r.Kind, Seq: 1, DueOn: addInterval(first.Date, r), Window: r.Window})
		}
	}
	return append(out, OnStep(p, first).Create...)
}

// OnStep returns what recording step does.
func OnStep(p Program, step StepRec) Effects {
	var e Effects
	for _, r := range p.Visits {
		if r.DoneBy == step.Stage {
			e.Complete = append(e.Complete, r.Kind)
		}
		if slices.Contains(r.LapsesAt, step.Stage) {
			e.Lapse = append(e.Lapse, r.Kind)
		}
		if d, ok := dueFromStep(r, step); ok {
			e.Create = append(e.Create, d)
		}
	}
	return e
}

// dueFromStep is the visit rule r schedules from step, if it is r's anchor
// and the step's code satisfies r's condition.
func dueFromStep(r VisitRule, step StepRec) (Due, bool) {
	if r.Anchor != step.Stage || (len(r.When) > 0 && !slices.Contains(r.When, step.Code)) {
		return Due{}, false
	}
	anchor := step.Date
	if r.AnchorField != "" {
		v, _ := step.Fields[r.AnchorField].(string)
		if v == "" {
			return Due{}, false
		}
		anchor = v
	}
	return Due{Kind: r.Kind, Seq: 1, DueOn: addInterval(anchor, r), Window: r.Window}, true
}

// OnVisitDone returns the next visit of a recurring rule after visit seq
// was done on doneOn, unless the case has reached the rule's last stage.
func OnVisitDone(r VisitRule, seq int, doneOn string, reached []string) (Due, bool) {
	if r.RepeatUntil == "" || slices.Contains(reached, r.RepeatUntil) {
		return Due{}, false
	}
	for _, s := range r.LapsesAt {
		if slices.Contains(reached, s) {
			return Due{}, false
		}
	}
	return Due{Kind: r.Kind, Seq: seq + 1, DueOn: addInterval(doneOn, r), Window: r.Window}, true
}

// addInterval adds the rule's months and days to date. A month added to the
// 31st lands on the last day of a shorter month (31 Jan + 1 month = 28 or
// 29 Feb), as people count "one month after", not on 3 March as
// time.AddDate would.
func addInterval(date string, r VisitRule) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return addMonthsClamped(t, r.Months).AddDate(0, 0, r.Days).Format(time.DateOnly)
}

func addMonthsClamped(t time.Time, months int) time.Time {
	if months == 0 {
		return t
	}
	first := time.Date(t.Year(), t.Month()+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(t.Day(), last), 0, 0, 0, 0, time.UTC)
}

// Timeliness classes of a visit, derived from its dates when asked.
const (
	OnTime  = "on_time" // done within its window
	Late    = "late"    // done after its window
	Missed  = "missed"  // not done and its window has passed
	Pending = "pending" // not done, window still open
	NotDue  = "lapsed"  // no longer needed before its window passed
)

// Timeliness classifies a visit on today: done visits by their done date
// against the original due date (rescheduling does not move it), open ones
// by whether the window has passed, lapsed ones by whether the window had
// passed when they lapsed.
func Timeliness(status, dueOn string, window int, doneOn, lapsedOn, today string) string {
	end := addInterval(dueOn, VisitRule{Days: window})
	switch status {
	case "done":
		if doneOn <= end {
			return OnTime
		}
		return Late
	case "lapsed":
		if lapsedOn > end {
			return Missed
		}
		return NotDue
	}
	if today > end {
		return Missed
	}
	return Pending
}
