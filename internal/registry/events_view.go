package registry

import (
	"context"
	"slices"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
)

// PersonEvents lists the events of a person in the caller's area, oldest
// first: those recorded on them and the marriages and divorces recorded on
// their spouse, corrected and voided ones included and marked.
func (s *Service) PersonEvents(ctx context.Context, id int64) ([]Event, error) {
	pr := auth.From(ctx)
	c := s.db.Reader()
	if _, err := loadPerson(ctx, c, pr, id); err != nil {
		return nil, err
	}
	rows, err := loadEventRows(ctx, c, id)
	if err != nil {
		return nil, err
	}
	return eventViews(ctx, c, pr, id, rows)
}

// eventView is one event of person self as PersonEvents shows it.
func (s *Service) eventView(ctx context.Context, c db.Conn, pr *auth.Principal, self, id int64) (Event, error) {
	rows, err := loadEventRows(ctx, c, self)
	if err != nil {
		return Event{}, err
	}
	views, err := eventViews(ctx, c, pr, self, rows)
	if err != nil {
		return Event{}, err
	}
	for _, v := range views {
		if v.ID == id {
			return v, nil
		}
	}
	return Event{}, apperr.NotFoundf("事件不存在")
}

func eventViews(ctx context.Context, c db.Conn, pr *auth.Principal, self int64, rows []storedEvent) ([]Event, error) {
	fixes := correctedBy(rows)
	var ids []int64
	var codes []string
	for _, e := range rows {
		ids = append(ids, e.PersonID)
		if e.RelatedID != nil {
			ids = append(ids, *e.RelatedID)
		}
		codes = append(codes, e.Details.Division, e.Details.ResidenceDivision)
	}
	names, err := namesInScope(ctx, c, pr, ids)
	if err != nil {
		return nil, err
	}
	places, err := division.DisplayNames(ctx, c, codes)
	if err != nil {
		return nil, err
	}
	out := []Event{}
	for _, e := range rows {
		if !e.concerns(self) {
			continue
		}
		v := Event{ID: e.ID, PersonID: e.PersonID, PersonName: names[e.PersonID], Kind: e.Kind,
			KindLabel: eventKinds.label(e.Kind), Date: e.Date, Details: e.Details, Corrects: e.CorrectsID,
			RelatedID: e.RelatedID, Role: "subject", CreatedAt: e.CreatedAt, CreatedBy: e.CreatedBy,
			DivisionName: places[e.Details.Division], ResidenceDivisionName: places[e.Details.ResidenceDivision]}
		if e.PersonID != self {
			v.Role = "spouse"
		}
		if e.RelatedID != nil {
			v.RelatedName = names[*e.RelatedID]
		}
		fix, corrected := fixes[e.ID]
		v.Effective = !corrected && e.Kind != KindVoid
		if corrected {
			v.CorrectedBy = &EventRef{ID: fix.ID, Kind: fix.Kind, KindLabel: eventKinds.label(fix.Kind),
				CreatedAt: fix.CreatedAt, CreatedBy: fix.CreatedBy}
		}
		out = append(out, v)
	}
	return out, nil
}

// namesInScope returns the names of the persons among ids that lie in pr's
// area; others stay linked by id only, as parents are.
func namesInScope(ctx context.Context, c db.Conn, pr *auth.Principal, ids []int64) (map[int64]string, error) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	cond, sargs := personScope("p", pr)
	args := make([]any, 0, len(ids)+len(sargs))
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := c.Query(ctx, `SELECT p.id, p.name FROM persons p WHERE p.id IN (`+db.Placeholders(len(ids))+`) AND `+cond,
		append(args, sargs...)...)
	if err != nil {
		return nil, apperr.Wrap(err, "person names")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, apperr.Wrap(err, "scan name")
		}
		out[id] = name
	}
	return out, apperr.Wrap(rows.Err(), "name rows")
}
