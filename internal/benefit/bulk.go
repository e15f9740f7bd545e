package benefit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

func init() {
	audit.RegisterActions(map[string]string{"benefit.evaluate_all": "全县资格测算"})
}

// BulkResult counts what EvaluateAll did per program.
type BulkResult struct {
	Date     string               `json:"date"`
	Persons  int                  `json:"persons"`
	Programs map[string]BulkCount `json:"programs"`
	Stored   int                  `json:"stored"`
	Seconds  float64              `json:"seconds"`
}

// BulkCount is one program's share of a bulk evaluation.
type BulkCount struct {
	Examined int `json:"examined"`
	Eligible int `json:"eligible"`
	ToAttest int `json:"to_attest"`
}

// EvaluateAll runs every program's rules over the persons registered in
// the caller's area on a date and stores the decision, with its reasons
// and parameter versions, of everyone who qualifies or lacks only an
// attested fact. It reads the registry once into memory instead of person
// by person, so a county of a million is judged in seconds.
func (s *Service) EvaluateAll(ctx context.Context, date string) (BulkResult, error) {
	pr := auth.From(ctx)
	if pr.Role != auth.RoleCounty && pr.DivisionPath != "/" {
		return BulkResult{}, apperr.New(apperr.Forbidden, "全县资格测算由县级管理员进行")
	}
	if !isDate(date) {
		return BulkResult{}, apperr.InvalidField("date", "测算日期应为有效日期（如 2026-12-31）")
	}
	start := time.Now()
	res := BulkResult{Date: date, Programs: map[string]BulkCount{}}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		pop, err := loadPopulation(ctx, s.db.Reader(), tx.Conn, pr.DivisionPath)
		if err != nil {
			return err
		}
		res.Persons = len(pop.members)
		w := newDecisionWriter(tx, pr.Username)
		for _, prog := range Programs() {
			layers, err := s.Layers(ctx, tx.Conn, prog.Code)
			if err != nil {
				return err
			}
			count, err := evaluateProgram(prog, pop, date, layers, w)
			if err != nil {
				return err
			}
			res.Programs[prog.Code] = count
		}
		if err := w.flush(ctx); err != nil {
			return err
		}
		res.Stored = w.stored
		res.Seconds = time.Since(start).Seconds()
		return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.evaluate_all", Entity: "division",
			EntityID: pr.DivisionCode, After: res})
	})
	return res, err
}

// population is the area's registry in memory, with its family links.
type population struct {
	members  []Member
	paths    []string
	status   []string
	index    map[int64]int
	spouse   []int64
	parents  [][]int64
	children map[int64][]int
	attested map[int64]map[string]string
}

// loadPopulation reads the persons registered in the area. The reading is
// split by id range over two reader connections (one per core): on SQLite
// the driver's per-row cost, not the disk, bounds a million-row read.
func loadPopulation(ctx context.Context, r db.Conn, c db.Conn, path string) (*population, error) {
	cond, args := db.Subtree("p.reg_path", path)
	var lo, hi int64
	if err := r.QueryRow(ctx, `SELECT COALESCE(MIN(p.id), 0), COALESCE(MAX(p.id), 0) FROM persons p WHERE `+cond, args...).Scan(&lo, &hi); err != nil {
		return nil, apperr.Wrap(err, "population range")
	}
	mid := lo + (hi-lo)/2
	parts := make([][]popRow, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for k, bounds := range [][2]int64{{lo, mid}, {mid + 1, hi}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[k], errs[k] = readPopulation(ctx, r, cond, args, bounds[0], bounds[1])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	pop := &population{index: map[int64]int{}, children: map[int64][]int{}, attested: map[int64]map[string]string{}}
	for _, part := range parts {
		for _, row := range part {
			pop.add(row)
		}
	}
	return pop, pop.loadAttested(ctx, c, path)
}

// popRow is one person as read, before linking.
type popRow struct {
	m                              Member
	path, status                   string
	spouse, mother, father, am, af int64
}

func readPopulation(ctx context.Context, c db.Conn, cond string, args []any, lo, hi int64) ([]popRow, error) {
	return readPersons(ctx, c, `p.id >= ? AND p.id <= ? AND `+cond, append([]any{lo, hi}, args...))
}

// readPersons reads the persons matching where, as the rules need them.
func readPersons(ctx context.Context, c db.Conn, where string, args []any) ([]popRow, error) {
	rows, err := c.Query(ctx, `SELECT p.id, p.name, p.sex, COALESCE(p.birth_date, ''), COALESCE(p.death_date, ''),
		COALESCE(p.hukou_type, ''), p.reg_path, p.status, COALESCE(p.spouse_id, 0), COALESCE(p.mother_id, 0),
		COALESCE(p.father_id, 0), COALESCE(p.adoptive_mother_id, 0), COALESCE(p.adoptive_father_id, 0)
		FROM persons p WHERE `+where, args...)
	if err != nil {
		return nil, apperr.Wrap(err, "persons")
	}
	defer rows.Close()
	var out []popRow
	for rows.Next() {
		var r popRow
		if err := rows.Scan(&r.m.ID, &r.m.Name, &r.m.Sex, &r.m.Birth, &r.m.DeathDate, &r.m.Hukou, &r.path, &r.status, &r.spouse,
			&r.mother, &r.father, &r.am, &r.af); err != nil {
			return nil, apperr.Wrap(err, "scan person")
		}
		out = append(out, r)
	}
	return out, apperr.Wrap(rows.Err(), "persons")
}

// idChunk bounds the ids of one IN list.
const idChunk = 500

// loadFamilies reads the given persons with their spouses, parents and
// children (and so the parents' other children), and their attested facts:
// what the rules read about them, in a few queries per 500 persons.
func loadFamilies(ctx context.Context, c db.Conn, ids []int64) (*population, error) {
	pop := &population{index: map[int64]int{}, children: map[int64][]int{}, attested: map[int64]map[string]string{}}
	load := func(where func(n int) string, ids []int64) error {
		for start := 0; start < len(ids); start += idChunk {
			chunk := ids[start:min(start+idChunk, len(ids))]
			args := make([]any, len(chunk))
			for i, id := range chunk {
				args[i] = id
			}
			rows, err := readPersons(ctx, c, where(len(chunk)), args)
			if err != nil {
				return err
			}
			for _, r := range rows {
				if _, seen := pop.index[r.m.ID]; !seen {
					pop.add(r)
				}
			}
		}
		return nil
	}
	in := func(col string) func(n int) string {
		return func(n int) string { return col + " IN (" + db.Placeholders(n) + ")" }
	}
	if err := load(in("p.id"), ids); err != nil {
		return nil, err
	}
	if err := load(in("p.id"), pop.missing(pop.relatives())); err != nil { // spouses and parents
		return nil, err
	}
	all := make([]int64, len(pop.members))
	for i, m := range pop.members {
		all[i] = m.ID
	}
	// One query per parent column, so each uses its own index.
	for _, col := range []string{"p.mother_id", "p.father_id", "p.adoptive_mother_id", "p.adoptive_father_id"} {
		if err := load(in(col), all); err != nil {
			return nil, err
		}
	}
	return pop, pop.loadAttestedFor(ctx, c)
}

// relatives lists the spouses and parents the loaded persons name.
func (pop *population) relatives() []int64 {
	var out []int64
	for i := range pop.members {
		if pop.spouse[i] != 0 {
			out = append(out, pop.spouse[i])
		}
		out = append(out, pop.parents[i]...)
	}
	return out
}

// missing keeps the ids not loaded yet, once each.
func (pop *population) missing(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if _, ok := pop.index[id]; !ok && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// loadAttestedFor reads the attested facts of every loaded person.
func (pop *population) loadAttestedFor(ctx context.Context, c db.Conn) error {
	for start := 0; start < len(pop.members); start += idChunk {
		chunk := pop.members[start:min(start+idChunk, len(pop.members))]
		args := make([]any, len(chunk))
		for i, m := range chunk {
			args[i] = m.ID
		}
		rows, err := c.Query(ctx, `SELECT person_id, key, value FROM benefit_facts WHERE person_id IN (`+
			db.Placeholders(len(chunk))+`) ORDER BY id`, args...)
		if err != nil {
			return apperr.Wrap(err, "attested facts")
		}
		if err := pop.scanFacts(rows); err != nil {
			return err
		}
	}
	return nil
}

// add links one person into the population.
func (pop *population) add(r popRow) {
	r.m.County = db.CountyCode(r.path)
	i := len(pop.members)
	pop.index[r.m.ID] = i
	pop.members, pop.paths, pop.status = append(pop.members, r.m), append(pop.paths, r.path), append(pop.status, r.status)
	pop.spouse = append(pop.spouse, r.spouse)
	var ps []int64
	for _, p := range []int64{r.mother, r.father, r.am, r.af} {
		if p != 0 {
			ps = append(ps, p)
			pop.children[p] = append(pop.children[p], i)
		}
	}
	pop.parents = append(pop.parents, ps)
}

// loadAttested reads the latest attested value of each person and key.
func (pop *population) loadAttested(ctx context.Context, c db.Conn, path string) error {
	cond, args := db.Subtree("p.reg_path", path)
	rows, err := c.Query(ctx, `SELECT f.person_id, f.key, f.value FROM benefit_facts f JOIN persons p ON p.id = f.person_id
		WHERE `+cond+` ORDER BY f.id`, args...)
	if err != nil {
		return apperr.Wrap(err, "attested facts")
	}
	return pop.scanFacts(rows)
}

// scanFacts records fact rows in id order: later rows win, "none" clears.
func (pop *population) scanFacts(rows *sql.Rows) error {
	defer rows.Close()
	for rows.Next() {
		var id int64
		var key, value string
		if err := rows.Scan(&id, &key, &value); err != nil {
			return apperr.Wrap(err, "scan fact")
		}
		if pop.attested[id] == nil {
			pop.attested[id] = map[string]string{}
		}
		if value == "none" {
			delete(pop.attested[id], key)
			continue
		}
		pop.attested[id][key] = value
	}
	return apperr.Wrap(rows.Err(), "attested facts")
}

// facts assembles what the rules read about member i.
func (pop *population) facts(i int) Facts {
	m := pop.members[i]
	f := Facts{Person: m, Attested: pop.attested[m.ID]}
	if f.Attested == nil {
		f.Attested = map[string]string{}
	}
	if j, ok := pop.index[pop.spouse[i]]; ok && pop.spouse[i] != 0 {
		sp := pop.members[j]
		f.Spouse = &sp
	}
	f.Children = pop.childrenOf(m.ID)
	for _, p := range pop.parents[i] {
		if j, ok := pop.index[p]; ok {
			f.Parents = append(f.Parents, pop.members[j])
			if f.Siblings == nil {
				f.Siblings = pop.childrenOf(p)
			}
		}
	}
	return f
}

func (pop *population) childrenOf(id int64) []Member {
	idx := pop.children[id]
	if len(idx) == 0 {
		return nil
	}
	out := make([]Member, len(idx))
	for k, j := range idx {
		out[k] = pop.members[j]
		if level, ok := pop.attested[out[k].ID][AttestDisability]; ok {
			fmt.Sscan(level, &out[k].Disability)
		}
	}
	return out
}

// pool narrows a program to the persons it could concern before the rules
// judge them: bounds taken over every layer's parameters, so a layer that
// widens a criterion widens the pool too. It never decides; it only spares
// the rules the persons no layer could accept.
type pool struct {
	program      string
	minAge       int // jiangfu, local
	maxAge       int // local
	sexes        []string
	childcareAge int
}

func newPool(program string, all []Param) pool {
	p := pool{program: program, minAge: 1 << 30, maxAge: -1, childcareAge: -1}
	for _, v := range all {
		if v.Program != program {
			continue
		}
		n := int(atoi64(v.Value))
		switch v.Key {
		case "min_age":
			p.minAge = min(p.minAge, n)
		case "max_age":
			p.maxAge = max(p.maxAge, n)
		case "until_age":
			p.childcareAge = max(p.childcareAge, n)
		case "sex":
			p.sexes = append(p.sexes, v.Value)
		}
	}
	return p
}

func (pl pool) admits(pop *population, i int, date string) bool {
	m := pop.members[i]
	if pop.status[i] != "alive" || m.Birth == "" {
		return false
	}
	age := ageOn(m.Birth, date)
	switch pl.program {
	case JiangFu:
		return age >= pl.minAge
	case TeFu: // an only child who died or is disabled, or a surgery complication
		if pop.attested[m.ID][AttestComplication] != "" {
			return true
		}
		kids := pop.children[m.ID]
		if len(kids) != 1 {
			return false
		}
		c := pop.members[kids[0]]
		return c.DeathDate != "" || pop.attested[c.ID][AttestDisability] != ""
	case Childcare:
		return age >= 0 && age < pl.childcareAge && m.Birth <= date
	case OnlyChild:
		return pop.attested[m.ID][AttestOnlyChildCert] != ""
	}
	if len(pl.sexes) > 0 && !slices.Contains(pl.sexes, "") && !slices.Contains(pl.sexes, m.Sex) {
		return false
	}
	return age >= pl.minAge && age < pl.maxAge
}

func evaluateProgram(prog Program, pop *population, date string, layers []Param, w *decisionWriter) (BulkCount, error) {
	var count BulkCount
	all := append(append([]Param{}, builtin...), layers...)
	caches := map[string]*paramCache{} // per county
	pl := newPool(prog.Code, all)
	for i, m := range pop.members {
		if !pl.admits(pop, i, date) {
			continue
		}
		count.Examined++
		f := pop.facts(i)
		cache := caches[m.County]
		if cache == nil {
			cache = newParamCache()
			caches[m.County] = cache
		}
		p := &Params{program: prog.Code, scopes: scopesOf(m.County), date: date, all: all, used: map[string][]Used{}, cache: cache}
		r := prog.eval(f, p, date)
		d := Decision{Program: prog.Code, PersonID: m.ID, Date: date, Eligible: r.eligible(), Reasons: r.reasons, Params: p.Version()}
		if d.Eligible {
			d.MonthlyFen, d.AnnualFen, d.Subtype = r.monthly, r.annual, r.subtype
			count.Eligible++
		} else if onlyAttestable(d) {
			count.ToAttest++
		} else {
			continue
		}
		if err := w.add(d, pop.paths[i]); err != nil {
			return count, err
		}
	}
	return count, nil
}

// decisionWriter stores decisions in multi-row inserts.
type decisionWriter struct {
	tx     *db.Tx
	user   string
	now    string
	rows   []any
	n      int
	stored int
}

const decisionRowsPerInsert = 200

func newDecisionWriter(tx *db.Tx, user string) *decisionWriter {
	return &decisionWriter{tx: tx, user: user, now: db.Now()}
}

func (w *decisionWriter) add(d Decision, path string) error {
	reasons, err := json.Marshal(d.Reasons)
	if err != nil {
		return apperr.Wrap(err, "reasons")
	}
	params, err := json.Marshal(d.Params)
	if err != nil {
		return apperr.Wrap(err, "params")
	}
	eligible := 0
	if d.Eligible {
		eligible = 1
	}
	w.rows = append(w.rows, d.Program, d.PersonID, d.Date, eligible, nullText(d.Subtype), d.MonthlyFen, d.AnnualFen,
		string(reasons), string(params), d.ParamVersion(), path, w.user, w.now)
	w.n++
	if w.n == decisionRowsPerInsert {
		return w.flush(context.Background())
	}
	return nil
}

func (w *decisionWriter) flush(ctx context.Context) error {
	if w.n == 0 {
		return nil
	}
	_, err := w.tx.Exec(ctx, `INSERT INTO benefit_decisions (program, person_id, as_of, eligible, subtype, monthly_fen, annual_fen,
		reasons, params, param_version, division_path, decided_by, decided_at) VALUES `+
		db.RepeatValues("("+strings.TrimSuffix(strings.Repeat("?, ", 13), ", ")+")", w.n), w.rows...)
	if err != nil {
		return apperr.Wrap(err, "store decisions")
	}
	w.stored += w.n
	w.rows, w.n = w.rows[:0], 0
	return nil
}
