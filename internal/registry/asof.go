package registry

// "As of" queries: a person's state and an area's population on any past
// date.
//
// A person with events has their replayed history in person_spans; every
// other person (the imported million, say) is counted from the persons row:
// from their birth date on, with their current divisions, alive until a
// recorded death date. So "as of" costs nothing per person until a person's
// first event, and the two sources never overlap: a person is counted from
// person_spans exactly when they have spans.

import (
	"context"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
)

// PersonState is a person's state at the end of a date.
type PersonState struct {
	PersonID int64  `json:"person_id"`
	Date     string `json:"date"`
	// Exists is false before the birth date; the other fields are empty then.
	Exists                 bool   `json:"exists"`
	Status                 string `json:"status"`
	StatusLabel            string `json:"status_label"`
	BirthDate              string `json:"birth_date"`
	Sex                    string `json:"sex"`
	DeathDate              string `json:"death_date,omitempty"`
	MaritalStatus          string `json:"marital_status"`
	MaritalStatusLabel     string `json:"marital_status_label"`
	SpouseID               *int64 `json:"spouse_id"`
	SpouseName             string `json:"spouse_name"`
	RegisteredDivision     string `json:"registered_division"`
	RegisteredDivisionName string `json:"registered_division_name"`
	ResidenceDivision      string `json:"residence_division"`
	ResidenceDivisionName  string `json:"residence_division_name"`
	AwayPlace              string `json:"away_place"`
	AwaySince              string `json:"away_since"`
	AdoptiveMotherID       *int64 `json:"adoptive_mother_id"`
	AdoptiveMotherName     string `json:"adoptive_mother_name,omitempty"`
	AdoptiveFatherID       *int64 `json:"adoptive_father_id"`
	AdoptiveFatherName     string `json:"adoptive_father_name,omitempty"`
	// HasEvents tells whether the state comes from recorded events or, for
	// a person without any, from the person record as registered.
	HasEvents bool `json:"has_events"`
}

// asOfDate checks a date parameter; empty means today.
func (s *Service) asOfDate(date string) (string, error) {
	date = strings.TrimSpace(date)
	today := s.today()
	if date == "" {
		return today.Format(dateLayout), nil
	}
	return date, checkDate("date", "查询日期", date, today)
}

// PersonStateAt returns the state of a person in the caller's area at the
// end of date (YYYY-MM-DD; empty: today).
func (s *Service) PersonStateAt(ctx context.Context, id int64, date string) (PersonState, error) {
	pr := auth.From(ctx)
	date, err := s.asOfDate(date)
	if err != nil {
		return PersonState{}, err
	}
	var out PersonState
	err = s.db.ReadTx(ctx, func(tx *db.Tx) error {
		if _, err := loadPerson(ctx, tx.Conn, pr, id); err != nil {
			return err
		}
		_, hasEvents, err := loadBase(ctx, tx.Conn, id)
		if err != nil {
			return err
		}
		st, exists, err := stateAt(ctx, tx.Conn, id, date, 0)
		if err != nil {
			return err
		}
		out = PersonState{PersonID: id, Date: date, Exists: exists, HasEvents: hasEvents}
		if exists {
			return fillState(ctx, tx.Conn, pr, &out, st)
		}
		return nil
	})
	return out, err
}

func fillState(ctx context.Context, c db.Conn, pr *auth.Principal, out *PersonState, st lifeState) error {
	out.Status, out.StatusLabel = st.Status, statuses.label(st.Status)
	out.BirthDate, out.Sex, out.DeathDate = st.BirthDate, st.Sex, st.DeathDate
	out.MaritalStatus, out.MaritalStatusLabel = st.MaritalStatus, maritalStatuses.label(st.MaritalStatus)
	if st.MaritalStatus == "" {
		out.MaritalStatusLabel = ""
	}
	out.SpouseID, out.SpouseName = st.SpouseID, st.SpouseName
	out.RegisteredDivision, out.ResidenceDivision = st.RegDivision, st.ResDivision
	out.AwayPlace, out.AwaySince = st.AwayPlace, st.AwaySince
	out.AdoptiveMotherID, out.AdoptiveFatherID = st.AdoptiveMotherID, st.AdoptiveFatherID
	var ids []int64
	for _, p := range []*int64{st.SpouseID, st.AdoptiveMotherID, st.AdoptiveFatherID} {
		if p != nil {
			ids = append(ids, *p)
		}
	}
	names, err := namesInScope(ctx, c, pr, ids)
	if err != nil {
		return err
	}
	if st.SpouseID != nil {
		out.SpouseName = names[*st.SpouseID]
	}
	if st.AdoptiveMotherID != nil {
		out.AdoptiveMotherName = names[*st.AdoptiveMotherID]
	}
	if st.AdoptiveFatherID != nil {
		out.AdoptiveFatherName = names[*st.AdoptiveFatherID]
	}
	places, err := division.DisplayNames(ctx, c, []string{st.RegDivision, st.ResDivision})
	out.RegisteredDivisionName, out.ResidenceDivisionName = places[st.RegDivision], places[st.ResDivision]
	return err
}

// Headcount is a population by sex.
type Headcount struct {
	Total  int `json:"total"`
	Male   int `json:"male"`
	Female int `json:"female"`
}

func (h *Headcount) add(sex string, n int) {
	h.Total += n
	switch sex {
	case "male":
		h.Male += n
	case "female":
		h.Female += n
	}
}

// Population is an area's population at the end of a date: registered
// (户籍人口: alive with their registration in the area) and resident
// (居住人口: alive, living in the area and not away outside the county).
type Population struct {
	Division   DivisionRef       `json:"division"`
	Date       string            `json:"date"`
	Registered Headcount         `json:"registered"`
	Resident   Headcount         `json:"resident"`
	Children   []PopulationChild `json:"children"`
}

// PopulationChild is the population of one child division.
type PopulationChild struct {
	DivisionRef
	Registered Headcount `json:"registered"`
	Resident   Headcount `json:"resident"`
}

// PopulationAt counts the population of division code (default: the
// caller's own; it must lie in the caller's area) at the end of date, with
// each child division's.
func (s *Service) PopulationAt(ctx context.Context, code, date string) (Population, error) {
	pr := auth.From(ctx)
	date, err := s.asOfDate(date)
	if err != nil {
		return Population{}, err
	}
	if code == "" {
		code = pr.DivisionCode
	}
	var out Population
	err = s.db.ReadTx(ctx, func(tx *db.Tx) error {
		d, err := division.GetIn(ctx, tx.Conn, code, pr.DivisionPath)
		if err != nil {
			return err
		}
		kids, err := division.Children(ctx, tx.Conn, d.Code)
		if err != nil {
			return err
		}
		n := len(d.Path)
		if len(kids) > 0 {
			n = len(kids[0].Path)
		}
		reg, err := countAsOf(ctx, tx.Conn, "reg_path", "1 = 1", "1 = 1", d.Path, date, n)
		if err != nil {
			return err
		}
		res, err := countAsOf(ctx, tx.Conn, "res_path", "p.away_place IS NULL", "s.away = 0", d.Path, date, n)
		if err != nil {
			return err
		}
		out = Population{Division: refOf(d), Date: date, Children: []PopulationChild{}}
		for _, k := range kids {
			if k.ValidTo != "" && k.ValidTo <= date {
				continue
			}
			out.Children = append(out.Children, PopulationChild{DivisionRef: refOf(k), Registered: reg.by[k.Path], Resident: res.by[k.Path]})
		}
		out.Registered, out.Resident = reg.all, res.all
		return nil
	})
	return out, err
}

type areaCount struct {
	all Headcount
	by  map[string]Headcount // by path prefix of length n
}

// countAsOf counts the persons alive at the end of date whose col (reg_path
// or res_path) lies in area, by sex and by the first n bytes of col: persons
// without spans from their row, the others from their span covering date.
// rowCond and spanCond narrow the two sources alike.
func countAsOf(ctx context.Context, c db.Conn, col, rowCond, spanCond, area, date string, n int) (areaCount, error) {
	inRows, ra := db.Subtree("p."+col, area)
	inSpans, sa := db.Subtree("s."+col, area)
	q := `SELECT substr(p.` + col + `, 1, ?) AS k, p.sex, COUNT(*) FROM persons p
		WHERE ` + inRows + ` AND ` + rowCond + ` AND (p.birth_date IS NULL OR p.birth_date <= ?)
		  AND (p.status = 'alive' OR (p.status = 'deceased' AND p.death_date > ?))
		  AND NOT EXISTS (SELECT 1 FROM person_spans x WHERE x.person_id = p.id)
		GROUP BY k, p.sex
		UNION ALL
		SELECT substr(s.` + col + `, 1, ?) AS k, s.sex, COUNT(*) FROM person_spans s
		WHERE ` + inSpans + ` AND ` + spanCond + ` AND s.from_date <= ? AND (s.to_date IS NULL OR s.to_date > ?)
		  AND s.status = 'alive'
		GROUP BY k, s.sex`
	args := append([]any{n}, ra...)
	args = append(append(args, date, date, n), sa...)
	args = append(args, date, date)
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return areaCount{}, apperr.Wrap(err, "population as of")
	}
	defer rows.Close()
	out := areaCount{by: map[string]Headcount{}}
	for rows.Next() {
		var k, sex string
		var m int
		if err := rows.Scan(&k, &sex, &m); err != nil {
			return out, apperr.Wrap(err, "scan population")
		}
		out.all.add(sex, m)
		h := out.by[k]
		h.add(sex, m)
		out.by[k] = h
	}
	return out, apperr.Wrap(rows.Err(), "population rows")
}
