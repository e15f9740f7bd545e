package benefit

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
)

// ParamVersion is one version of a parameter at one layer, with the day
// before the next version at the same layer (To, empty while it is the
// latest) and who set it (empty for the built-in national values).
type ParamVersion struct {
	Key     string `json:"key"`
	Scope   string `json:"scope"`
	Level   string `json:"level"`
	From    string `json:"from"`
	To      string `json:"to"`
	Value   string `json:"value"`
	Basis   string `json:"basis"`
	Builtin bool   `json:"builtin"`
	SetBy   string `json:"set_by"`
	SetAt   string `json:"set_at"`
	InForce bool   `json:"in_force"` // read by the rules on the date asked for
}

// ParamHistory lists every version of every parameter of a program at the
// layers that apply to a county (national, its province, city and the
// county itself; other counties' layers are left out), grouped by key in
// the program's order and newest first within a key. InForce marks the
// versions the rules read on date.
func (s *Service) ParamHistory(ctx context.Context, c db.Conn, program, county, date string) ([]ParamVersion, error) {
	scopes := scopesOf(county)
	args := []any{program}
	for _, sc := range scopes {
		args = append(args, sc)
	}
	rows, err := c.Query(ctx, `SELECT key, scope, valid_from, value, basis, set_by, set_at FROM benefit_params
		WHERE program = ? AND scope IN (`+db.Placeholders(len(scopes))+`)`, args...)
	if err != nil {
		return nil, apperr.Wrap(err, "param history")
	}
	var all []ParamVersion
	var layers []Param
	for _, p := range builtin {
		if p.Program == program {
			all = append(all, ParamVersion{Key: p.Key, Scope: p.Scope, From: p.From, Value: p.Value, Basis: p.Basis, Builtin: true})
		}
	}
	for rows.Next() {
		var v ParamVersion
		if err := rows.Scan(&v.Key, &v.Scope, &v.From, &v.Value, &v.Basis, &v.SetBy, &v.SetAt); err != nil {
			rows.Close()
			return nil, apperr.Wrap(err, "scan param version")
		}
		all = append(all, v)
		layers = append(layers, Param{Program: program, Key: v.Key, Scope: v.Scope, From: v.From, Value: v.Value, Basis: v.Basis})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "param history")
	}

	// What the rules read on the date, resolved as Programs does.
	p := NewParams(program, county, date, layers)
	keys := knownKeys(program)
	for _, key := range keys {
		if topUp(key) {
			p.Sum(key)
		} else {
			p.Get(key)
		}
	}
	used := p.Version()
	order := func(key string) int {
		if i := slices.Index(keys, key); i >= 0 {
			return i
		}
		return len(keys)
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.Key != b.Key {
			if oa, ob := order(a.Key), order(b.Key); oa != ob {
				return oa < ob
			}
			return a.Key < b.Key
		}
		if a.From != b.From {
			return a.From > b.From
		}
		return len(a.Scope) > len(b.Scope) // the most specific layer first
	})
	for i := range all {
		v := &all[i]
		v.Level = Level(v.Scope)
		// The next version at the same layer is the nearest later one in
		// this newest-first list.
		for j := i - 1; j >= 0; j-- {
			if all[j].Key == v.Key && all[j].Scope == v.Scope && all[j].From > v.From {
				v.To = dayBefore(all[j].From)
				break
			}
		}
		v.InForce = slices.Contains(used, Used{Key: v.Key, Scope: v.Scope, From: v.From, Value: v.Value})
	}
	if all == nil {
		all = []ParamVersion{}
	}
	return all, nil
}

// dayBefore is the date before a YYYY-MM-DD date.
func dayBefore(date string) string {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(date))
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, -1).Format(time.DateOnly)
}
