package registry

import (
	"context"

	"jisheng/internal/db"
)

// Changed names the records one registry transaction wrote.
type Changed struct {
	Persons    []int64
	Households []int64
	// Bulk is set when a bulk load reports everything it wrote at once, at
	// its end: a hook may then rework Area set-based instead of record by
	// record.
	Bulk bool
	// Area is the path of the smallest division holding every record a
	// bulk load wrote (registered and residence divisions alike).
	Area string
}

// ChangeHook runs inside the transaction that changed the records, after
// the change, so that derived data (data-quality findings, say) commits or
// rolls back together with it. A hook's error aborts the change.
type ChangeHook func(ctx context.Context, tx *db.Tx, ch Changed) error

// OnChange registers a hook run by every registry change. Hooks are
// registered while the application is wired, before it serves requests.
func (s *Service) OnChange(h ChangeHook) { s.hooks = append(s.hooks, h) }

// Notify runs the change hooks; registry code and bulk writers (import)
// call it inside their transaction once they have written the records.
func (s *Service) Notify(ctx context.Context, tx *db.Tx, ch Changed) error {
	if len(ch.Persons) == 0 && len(ch.Households) == 0 {
		return nil
	}
	for _, h := range s.hooks {
		if err := h(ctx, tx, ch); err != nil {
			return err
		}
	}
	return nil
}

// householdsOf lists the households set among ids, without repeats.
func householdsOf(ids ...*int64) []int64 {
	var out []int64
	for _, id := range ids {
		if id != nil && *id != 0 && (len(out) == 0 || out[0] != *id) {
			out = append(out, *id)
		}
	}
	return out
}
