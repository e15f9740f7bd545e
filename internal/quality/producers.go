package quality

import (
	"context"
	"database/sql"
	"strconv"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
)

// finding is one rule's verdict on one record, as stored.
type finding struct {
	Entity   string
	EntityID int64
	Rule     string
	Path     string // division_path
	Detail   string
	Group    string // group_key; "" stores NULL
	sum      uint64 // digest of Path, Detail and Group
}

// producer finds the findings of some rules within a scope and offers each
// to the run. A producer offers at most one finding per record and rule.
type producer struct {
	entity string
	rules  []string
	run    func(ctx context.Context, c db.Conn, sc scope, p Params, out *output) error
}

// producers are every rule's producer, in the order they run and a
// recompute reports its progress. Rules that look at one row share one pass
// over persons (with the ID checks, which decrypt in Go), the two parent
// rules share one join, probable duplicates are grouped in Go (see
// duplicates.go), and every other rule is one SQL query per scope.
var producers = []producer{
	{EntityPerson, rowRules, nil}, // set by NewService: it needs the cipher
	{EntityPerson, []string{RuleIDDuplicate}, sqlRules(EntityPerson, []string{RuleIDDuplicate}, idDuplicateQuery)},
	{EntityPerson, []string{RuleProbableDuplicate}, probableDuplicates},
	{EntityPerson, parentRules, sqlRules(EntityPerson, parentRules, parentsQuery)},
	{EntityPerson, []string{RuleEventAfterDeath}, sqlRules(EntityPerson, []string{RuleEventAfterDeath}, eventAfterDeathQuery)},
	{EntityHousehold, []string{RuleHouseholdNoHead}, sqlRules(EntityHousehold, []string{RuleHouseholdNoHead}, householdNoHeadQuery)},
}

// rowRules look at one person row alone; the first two need the ID number
// in plain text.
var rowRules = []string{RuleIDInvalid, RuleIDMismatch, RuleMissingID, RuleMissingFields, RuleMarriedNoSpouse}

var parentRules = []string{RuleMotherAge, RuleChildBeforeParent}

// query builds a SELECT of (entity_id, division_path, group_key, detail…)
// for a scope, with one detail column per rule of its producer: NULL where
// the rule finds nothing.
type query func(c db.Conn, sc scope, p Params) (string, []any)

// sqlRules runs a query and offers its rows as findings of rules. Values
// are read as raw bytes: a finding that is already stored unchanged (the
// usual case) costs no allocation.
func sqlRules(entity string, rules []string, q query) func(context.Context, db.Conn, scope, Params, *output) error {
	return func(ctx context.Context, c db.Conn, sc scope, p Params, out *output) error {
		text, args := q(c, sc, p)
		rows, err := c.Query(ctx, text, args...)
		if err != nil {
			return apperr.Wrap(err, "rule "+rules[0])
		}
		defer rows.Close()
		var id int64
		var path, group sql.RawBytes
		details := make([]sql.RawBytes, len(rules))
		dest := []any{&id, &path, &group}
		for i := range details {
			dest = append(dest, &details[i])
		}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return apperr.Wrap(err, "scan rule "+rules[0])
			}
			for i, d := range details {
				if d != nil {
					out.offer(entity, id, rules[i], path, d, group)
				}
			}
		}
		return apperr.Wrap(rows.Err(), "rule "+rules[0])
	}
}

const idDuplicateDetail = `'该公民身份号码共登记在 ' || CAST(n AS TEXT) || ' 条人员记录中'`

// idDuplicateQuery: over a subtree, the duplicated blind indexes come from
// one pass over the blind-index index; for a few changed persons, each
// one's count is a seek into it.
func idDuplicateQuery(c db.Conn, sc scope, _ Params) (string, []any) {
	cond, args := sc.personCond(c, "p")
	if sc.full() {
		return `SELECT p.id, p.reg_path, p.id_bidx, ` + idDuplicateDetail + `
			FROM (SELECT id_bidx AS bidx, COUNT(*) AS n FROM persons WHERE id_bidx IS NOT NULL AND id_bidx <> ''
			      GROUP BY id_bidx HAVING COUNT(*) > 1) d
			JOIN persons p ON p.id_bidx = d.bidx WHERE ` + cond, args
	}
	return `SELECT id, reg_path, id_bidx, ` + idDuplicateDetail + ` FROM (
			SELECT p.id, p.reg_path, p.id_bidx, (SELECT COUNT(*) FROM persons q WHERE q.id_bidx = p.id_bidx) AS n
			FROM persons p WHERE ` + cond + ` AND p.id_bidx IS NOT NULL AND p.id_bidx <> '') x
		WHERE n > 1`, args
}

// parentsQuery checks each child against its parents: the mother's age at
// the birth (a child born before its mother is the other rule's), and a
// birth on or before a parent's.
func parentsQuery(c db.Conn, sc scope, p Params) (string, []any) {
	cond, args := sc.personCond(c, "p")
	age := ageSQL("m.birth_date", "p.birth_date")
	ageOff := `p.birth_date > m.birth_date AND (` + age + ` < ? OR ` + age + ` > ?)`
	const m, f = "p.birth_date <= m.birth_date", "p.birth_date <= f.birth_date"
	q := `SELECT p.id, p.reg_path, NULL,
			CASE WHEN ` + ageOff + ` THEN '生育时母亲年龄为 ' || CAST(` + age + ` AS TEXT) || ' 周岁（合理范围 ' || ? || '–' || ? || ' 周岁）' END,
			CASE WHEN ` + m + ` AND ` + f + ` THEN '出生日期 ' || p.birth_date || ' 不晚于父亲和母亲的出生日期'
				WHEN ` + m + ` THEN '出生日期 ' || p.birth_date || ' 不晚于母亲的出生日期'
				WHEN ` + f + ` THEN '出生日期 ' || p.birth_date || ' 不晚于父亲的出生日期' END
		FROM persons p LEFT JOIN persons m ON m.id = p.mother_id LEFT JOIN persons f ON f.id = p.father_id
		WHERE ` + cond + ` AND (p.mother_id IS NOT NULL OR p.father_id IS NOT NULL) AND ((` + ageOff + `) OR ` + m + ` OR ` + f + `)`
	lo, hi := p.MotherMinAge, p.MotherMaxAge
	all := []any{lo, hi, strconv.Itoa(lo), strconv.Itoa(hi)}
	all = append(all, args...)
	return q, append(all, lo, hi)
}

// eventAfterDeathQuery: an event counts while no other event corrects it.
// Over a subtree the few events drive the join (CROSS JOIN fixes SQLite's
// join order; PostgreSQL plans it as an inner join); for changed persons
// their own events are sought.
func eventAfterDeathQuery(c db.Conn, sc scope, _ Params) (string, []any) {
	cond, args := sc.personCond(c, "p")
	from := `persons p JOIN person_events e ON e.person_id = p.id`
	if sc.full() {
		from = `person_events e CROSS JOIN persons p`
	}
	return `SELECT p.id, p.reg_path, NULL,
			'死亡日期 ' || p.death_date || ' 之后仍登记有 ' || CAST(COUNT(*) AS TEXT) || ' 个事件（最早 ' || MIN(e.event_date) || '）'
		FROM ` + from + `
		WHERE e.person_id = p.id AND ` + cond + ` AND p.death_date IS NOT NULL AND e.event_date > p.death_date
		AND e.kind NOT IN (` + quoted(nonEvents) + `)
		AND NOT EXISTS (SELECT 1 FROM person_events x WHERE x.corrects_id = e.id)
		GROUP BY p.id, p.reg_path, p.death_date`, args
}

// householdNoHeadQuery counts each household's living members and heads.
// An empty household (just opened, or all members gone) is not reported:
// there is nobody to name as head.
func householdNoHeadQuery(c db.Conn, sc scope, _ Params) (string, []any) {
	hcond, hargs := sc.householdCond(c, "h")
	members := `household_id IS NOT NULL`
	var margs []any
	if !sc.full() {
		members, margs = idCond("household_id", sc.households)
	}
	return `SELECT h.id, h.division_path, NULL, '户内有 ' || CAST(a.n AS TEXT) || ' 名健在成员，但没有健在的户主'
		FROM (SELECT household_id, COUNT(*) AS n, SUM(CASE WHEN relation = 'head' THEN 1 ELSE 0 END) AS heads
		      FROM persons WHERE ` + members + ` AND status = 'alive' GROUP BY household_id) a
		JOIN households h ON h.id = a.household_id
		WHERE a.heads = 0 AND ` + hcond, append(margs, hargs...)
}
