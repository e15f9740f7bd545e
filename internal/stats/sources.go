// Package stats computes the statistics filed upward and shown on
// dashboards. Indicators are declared as data (indicators.go) over a few
// sources: row sets of records, one row per birth, death, woman, procedure
// and so on (this file). A figure is a count (or a sum) of a source's rows
// under filters, and the list behind it (drill-down) is the same rows under
// the same filters, so the list's length is the figure by construction.
package stats

import (
	"fmt"
	"strings"
	"time"

	"jisheng/internal/db"
	"jisheng/internal/health"
)

// Every source selects these columns, aliased so: the record, the person it
// is about, the division path it counts in, its date (empty for a stock),
// the person's sex and birth date (for age groups), a code (birth order,
// method, procedure type, result …), urban (1 or 0) and an amount in fen.
const standardColumns = "id, person_id, path, on_date, sex, birth_date, code, urban, amount"

// Kinds of source.
const (
	Flow  = "flow"  // records dated in the period
	Stock = "stock" // records standing at the end of a date
)

// Source is a row set, written as SQL with tokens the engine binds:
// {from} and {to} (a flow's period), {date} (a stock's date), {today}, and
// {area:COLUMN}, the division subtree a column must lie in
// ({area_noindex:COLUMN} where another index should find the rows).
type Source struct {
	Code string
	Name string
	Kind string
	SQL  string
	// Codes names the values of the code column, in the order they are shown.
	Codes []CodeName
	// classify, where set, gives a row's code in Go from the raw column
	// "code" (follow-up timeliness needs date arithmetic neither engine
	// writes alike); such sources are counted in Go, not in SQL.
	classify func(raw, today string) string
	// aggregate, where set, counts the source from count tables kept in
	// the transaction of every change (k, code, n), instead of reading
	// every row: the data-quality sources over a million persons. Its
	// indicators filter by code only; the rows (SQL) stay the drill-down.
	aggregate string
	// dated marks a flow whose rows carry their records' own dates, the
	// same whatever the period: a month's rows are the year's rows dated
	// in that month, so a trend counts the year once, by month. (A case's
	// first step in the period, or a payment cycle within it, depends on
	// the period.)
	dated bool
	// counted, where set, is the SQL that counts the source instead of
	// its rows: rows of (path, sex, code, urban, birth_date, n) whose n add
	// up to the count of the rows in each cell (rollup.go).
	counted string
}

// CodeName is a value of a source's code column with its label.
type CodeName struct {
	Code, Name string
}

const urbanOfParents = `CASE WHEN EXISTS (SELECT 1 FROM persons q WHERE q.id IN (p.mother_id, p.father_id)
	AND q.hukou_type = 'non_agricultural') THEN 1 ELSE 0 END`

const urbanOfPerson = `CASE WHEN p.hukou_type = 'non_agricultural' THEN 1 ELSE 0 END`

// birthOrder is the mother's live-birth order of the child p: her children
// born before it (twins by record order) and itself; "3" stands for three
// and more, "" for a child whose mother is not in the registry.
const birthOrder = `CASE WHEN p.mother_id IS NULL THEN '' ELSE (SELECT CASE WHEN COUNT(*) >= 3 THEN '3'
	ELSE CAST(COUNT(*) AS TEXT) END FROM persons s WHERE s.mother_id = p.mother_id
	AND (s.birth_date < p.birth_date OR (s.birth_date = p.birth_date AND s.id <= p.id))) END`

// methodAt is the contraceptive method a person (column col) uses at the
// end of {date}.
func methodAt(col string) string {
	return `(SELECT u.method FROM contraceptive_use u WHERE u.person_id = ` + col + ` AND u.since <= {date}
		AND (u.until IS NULL OR u.until > {date}) AND u.method <> 'none' ORDER BY u.since DESC LIMIT 1)`
}

// useStanding are the contraceptive uses u standing at the end of {date}.
const useStanding = `u.since <= {date} AND (u.until IS NULL OR u.until > {date}) AND u.method <> 'none'`

// stepSource counts the cases of a health program with a step at a stage
// dated in the period, once per case and code.
func stepSource(code, name, program, stage string, codes []CodeName) Source {
	return Source{Code: code, Name: name, Kind: Flow, Codes: codes, SQL: `SELECT c.id AS id, c.person_id AS person_id,
		c.division_path AS path, MIN(st.step_date) AS on_date, p.sex AS sex, p.birth_date AS birth_date,
		COALESCE(st.code, '') AS code, 0 AS urban, 0 AS amount
		FROM health_steps st JOIN health_cases c ON c.id = st.case_id JOIN persons p ON p.id = c.person_id
		WHERE c.program = '` + program + `' AND st.stage = '` + stage + `' AND st.step_date >= {from} AND st.step_date <= {to}
		AND {area:c.division_path}
		GROUP BY c.id, c.person_id, c.division_path, p.sex, p.birth_date, COALESCE(st.code, '')`}
}

func options(os []health.Option) []CodeName {
	out := make([]CodeName, len(os))
	for i, o := range os {
		out[i] = CodeName{o.Code, o.Label}
	}
	return out
}

var sexCodes = []CodeName{{"male", "男"}, {"female", "女"}}

var sources = []Source{
	{Code: "population", Name: "户籍人口", Kind: Stock, counted: populationCounted, SQL: `SELECT p.id AS id, p.id AS person_id, p.reg_path AS path,
		'' AS on_date, p.sex AS sex, p.birth_date AS birth_date, '' AS code, ` + urbanOfPerson + ` AS urban, 0 AS amount
		FROM persons p WHERE {area:p.reg_path} AND (p.birth_date IS NULL OR {noindex:p.birth_date} <= {date})
		AND (p.status = 'alive' OR (p.status = 'deceased' AND {noindex:p.death_date} > {date}))
		AND NOT EXISTS (SELECT 1 FROM person_spans x WHERE x.person_id = p.id)
		UNION ALL
		SELECT p.id, p.id, s.reg_path, '', s.sex, p.birth_date, '', ` + urbanOfPerson + `, 0
		FROM person_spans s JOIN persons p ON p.id = s.person_id
		WHERE {area:s.reg_path} AND s.from_date <= {date} AND (s.to_date IS NULL OR s.to_date > {date}) AND s.status = 'alive'`},
	{Code: "births", Name: "出生", Kind: Flow, dated: true,
		Codes: []CodeName{{"1", "一孩"}, {"2", "二孩"}, {"3", "三孩及以上"}, {"", "孩次不详（母亲不在册）"}},
		// A birth counts where the child was first registered: its first
		// span's division when its registration has changed since.
		SQL: `SELECT p.id AS id, p.id AS person_id, p.reg_path AS path, p.birth_date AS on_date, p.sex AS sex,
		p.birth_date AS birth_date, ` + birthOrder + ` AS code, ` + urbanOfParents + ` AS urban, 0 AS amount
		FROM persons p WHERE p.birth_date >= {from} AND p.birth_date <= {to} AND {area_noindex:p.reg_path}
		AND NOT EXISTS (SELECT 1 FROM person_spans s WHERE s.person_id = p.id)
		UNION ALL
		SELECT * FROM (SELECT p.id AS id, p.id AS person_id,
		(SELECT s.reg_path FROM person_spans s WHERE s.person_id = p.id ORDER BY s.from_date LIMIT 1) AS path,
		p.birth_date AS on_date, p.sex AS sex, p.birth_date AS birth_date, ` + birthOrder + ` AS code,
		` + urbanOfParents + ` AS urban, 0 AS amount
		FROM persons p WHERE p.birth_date >= {from} AND p.birth_date <= {to}
		AND p.id IN (SELECT s.person_id FROM person_spans s)) b WHERE {area:b.path}`},
	{Code: "deaths", Name: "死亡", Kind: Flow, dated: true, SQL: `SELECT p.id AS id, p.id AS person_id, p.reg_path AS path,
		p.death_date AS on_date, p.sex AS sex, p.birth_date AS birth_date, '' AS code, ` + urbanOfPerson + ` AS urban, 0 AS amount
		FROM persons p WHERE p.status = 'deceased' AND p.death_date >= {from} AND p.death_date <= {to}
		AND {area_noindex:p.reg_path}`},
	{Code: "marriages", Name: "结婚登记", Kind: Flow, dated: true, Codes: []CodeName{{"first_marriage", "初婚"}, {"remarriage", "再婚"}},
		SQL: `SELECT e.id AS id, e.person_id AS person_id, e.division_path AS path, e.event_date AS on_date, p.sex AS sex,
		p.birth_date AS birth_date, e.kind AS code, ` + urbanOfPerson + ` AS urban, 0 AS amount
		FROM person_events e JOIN persons p ON p.id = e.person_id
		WHERE e.kind IN ('first_marriage', 'remarriage') AND e.event_date >= {from} AND e.event_date <= {to}
		AND {area_noindex:e.division_path} AND NOT EXISTS (SELECT 1 FROM person_events x WHERE x.corrects_id = e.id)`},
	{Code: "married_women", Name: "已婚妇女", Kind: Stock, counted: marriedWomenCounted, SQL: `SELECT p.id AS id,
		p.id AS person_id, p.reg_path AS path, '' AS on_date, p.sex AS sex, p.birth_date AS birth_date, '' AS code,
		` + urbanOfPerson + ` AS urban, 0 AS amount FROM persons p WHERE ` + marriedWomen + `
		AND (p.birth_date IS NULL OR {noindex:p.birth_date} <= {date}) AND {area:p.reg_path}`},
	// The women are found from the uses standing at the date (a few per
	// cent of the married women), hers or her husband's.
	{Code: "contraceptive_users", Name: "落实避孕措施的已婚妇女", Kind: Stock, Codes: methodCodes,
		SQL: `SELECT * FROM (SELECT p.id AS id, p.id AS person_id, p.reg_path AS path, '' AS on_date, p.sex AS sex,
		p.birth_date AS birth_date, COALESCE(` + methodAt("p.id") + `, ` + methodAt("p.spouse_id") + `) AS code,
		` + urbanOfPerson + ` AS urban, 0 AS amount
		FROM persons p WHERE p.id IN (SELECT u.person_id FROM contraceptive_use u WHERE ` + useStanding + `
			UNION SELECT h.id FROM persons h WHERE h.spouse_id IS NOT NULL
			AND h.spouse_id IN (SELECT u.person_id FROM contraceptive_use u WHERE ` + useStanding + `))
		AND ` + marriedWomen + ` AND (p.birth_date IS NULL OR p.birth_date <= {date}) AND {area:p.reg_path}) w
		WHERE w.code IS NOT NULL`},
	stepSource("procedures", "计划生育手术", health.PostOp, "procedure", options(health.ProcedureTypes)),
	stepSource("prepreg_enrolled", "孕前优生登记（计划怀孕夫妇）", health.PrePreg, "enrolled", nil),
	stepSource("prepreg_examined", "孕前优生检查", health.PrePreg, "examined", nil),
	stepSource("screening_examined", "筛查已检查", health.Screening, "examined", nil),
	stepSource("screening_results", "筛查结果", health.Screening, "result", []CodeName{{"normal", "未见异常"},
		{"positive", "阳性"}, {"suspicious", "可疑"}}),
	stepSource("screening_diagnosed", "筛查诊断", health.Screening, "diagnosis", nil),
	stepSource("screening_treated", "筛查治疗", health.Screening, "treatment", nil),
	{Code: "screening_closed", Name: "筛查结案", Kind: Flow, dated: true, SQL: `SELECT c.id AS id, c.person_id AS person_id,
		c.division_path AS path, c.closed_on AS on_date, p.sex AS sex, p.birth_date AS birth_date, '' AS code,
		0 AS urban, 0 AS amount FROM health_cases c JOIN persons p ON p.id = c.person_id
		WHERE c.program = '` + health.Screening + `' AND c.status = 'closed' AND c.closed_on >= {from} AND c.closed_on <= {to}
		AND {area:c.division_path}`},
	{Code: "follow_ups", Name: "应随访", Kind: Flow, dated: true, Codes: timelinessCodes, classify: visitTimeliness,
		SQL: `SELECT v.id AS id, v.person_id AS person_id, v.division_path AS path, v.due_on AS on_date, p.sex AS sex,
		p.birth_date AS birth_date, v.status || '|' || v.due_on || '|' || v.window_days || '|' || COALESCE(v.done_on, '') || '|' ||
		COALESCE(v.lapsed_on, '') || '|' || v.program || '|' || v.kind AS code, 0 AS urban, 0 AS amount
		FROM health_visits v JOIN persons p ON p.id = v.person_id
		WHERE v.due_on >= {from} AND v.due_on <= {to} AND {area:v.division_path}`},
	{Code: "dq_records", Name: "人员记录（当前）", Kind: Stock, aggregate: `SELECT r.k, 'complete', r.n - COALESCE(i.n, 0)
		FROM (` + recordCounts + `) r LEFT JOIN (` + tallyCounts("incomplete") + `) i ON i.k = r.k
		UNION ALL ` + tallyCounts("incomplete"), Codes: []CodeName{{"complete", "必填项齐全"}, {"incomplete", "缺必填项"}},
		SQL: `SELECT p.id AS id, p.id AS person_id, p.reg_path AS path, '' AS on_date, p.sex AS sex, p.birth_date AS birth_date,
		CASE WHEN EXISTS (SELECT 1 FROM dq_findings f WHERE f.entity = 'person' AND f.entity_id = p.id
			AND f.rule IN ('missing_id', 'missing_fields')) THEN 'incomplete' ELSE 'complete' END AS code,
		` + urbanOfPerson + ` AS urban, 0 AS amount FROM persons p WHERE {area:p.reg_path}`},
	{Code: "dq_ids", Name: "有身份证号的人员记录（当前）", Kind: Stock, aggregate: `SELECT r.k, 'valid',
		r.n - COALESCE(m.n, 0) - COALESCE(v.n, 0) FROM (` + recordCounts + `) r LEFT JOIN (` + tallyCounts("missing_id") + `) m
		ON m.k = r.k LEFT JOIN (` + tallyCounts("id_invalid") + `) v ON v.k = r.k
		UNION ALL ` + tallyCounts("id_invalid"), Codes: []CodeName{{"valid", "身份证号有效"}, {"invalid", "身份证号无效"}},
		SQL: `SELECT p.id AS id, p.id AS person_id, p.reg_path AS path, '' AS on_date, p.sex AS sex, p.birth_date AS birth_date,
		CASE WHEN EXISTS (SELECT 1 FROM dq_findings f WHERE f.entity = 'person' AND f.entity_id = p.id AND f.rule = 'id_invalid')
			THEN 'invalid' ELSE 'valid' END AS code, ` + urbanOfPerson + ` AS urban, 0 AS amount
		FROM persons p WHERE {area:p.reg_path} AND NOT EXISTS (SELECT 1 FROM dq_findings f WHERE f.entity = 'person'
			AND f.entity_id = p.id AND f.rule = 'missing_id')`},
	{Code: "benefit_paid", Name: "奖励扶助等待遇发放", Kind: Flow, Codes: benefitCodes,
		SQL: `SELECT l.id AS id, k.person_id AS person_id, l.division_path AS path, y.period_to AS on_date, p.sex AS sex,
		p.birth_date AS birth_date, y.program AS code, 0 AS urban, l.amount_fen AS amount
		FROM benefit_payroll_lines l JOIN benefit_cycles y ON y.id = l.cycle_id
		JOIN benefit_candidates k ON k.id = l.candidate_id JOIN persons p ON p.id = k.person_id
		WHERE l.status = 'paid' AND y.period_from >= {from} AND y.period_to <= {to} AND {area:l.division_path}`},
}

// recordCounts are the persons registered in the area by division key,
// from the counts the registry keeps (person_counts).
const recordCounts = `SELECT substr(reg_path, 1, {keylen}) AS k, SUM(n) AS n FROM person_counts WHERE {area:reg_path} GROUP BY 1`

// tallyCounts are a data-quality tally (a rule's open findings, or
// "incomplete") by division key, from dq_counts.
func tallyCounts(tally string) string {
	return `SELECT substr(division_path, 1, {keylen}) AS k, '` + tally + `' AS code, SUM(n) AS n FROM dq_counts
		WHERE tally = '` + tally + `' AND {area:division_path} GROUP BY 1`
}

var methodCodes = []CodeName{{"iud", "宫内节育器"}, {"female_sterilisation", "女性绝育"}, {"male_sterilisation", "男性绝育"},
	{"implant", "皮下埋植"}, {"injection", "避孕针"}, {"oral", "口服避孕药"}, {"condom", "避孕套"}, {"spermicide", "外用杀精剂"},
	{"other", "其他"}}

var benefitCodes = []CodeName{{"jiangfu", "农村部分计划生育家庭奖励扶助"}, {"tefu", "计划生育家庭特别扶助"},
	{"only_child", "独生子女父母奖励"}, {"childcare", "育儿补贴"}, {"local_girls", "本县项目"}}

// Timeliness classes of a follow-up visit.
var timelinessCodes = []CodeName{{health.OnTime, "按时"}, {health.Late, "逾期完成"}, {health.Missed, "未随访"},
	{health.Pending, "未到期限"}, {"not_visit", "到期步骤（不计）"}, {health.NotDue, "已无须随访"}}

// visitTimeliness classifies a visit from "status|due|window|done|lapsed|program|kind"
// as the work list does; due steps (a screening result awaited) are not visits.
func visitTimeliness(raw, today string) string {
	f := strings.Split(raw, "|")
	if len(f) != 7 {
		return ""
	}
	p, _ := health.ProgramOf(f[5])
	if r, _ := p.Rule(f[6]); r.DoneBy != "" {
		return "not_visit"
	}
	var window int
	fmt.Sscan(f[2], &window)
	return health.Timeliness(f[0], f[1], window, f[3], f[4], today)
}

// sourceOf finds a source by code.
func sourceOf(code string) (Source, bool) {
	for _, s := range sources {
		if s.Code == code {
			return s, true
		}
	}
	return Source{}, false
}

// bound is a source's SQL with its tokens replaced by placeholders and the
// arguments in order.
type bound struct {
	sql  string
	args []any
}

// at fixes what a source is counted over: a period for flows, a date for
// stocks, the area and today's date.
type at struct {
	from, to, date, today, area string
	shape
	dialect db.Dialect
}

// bind replaces the tokens of a source's SQL.
func (s Source) bind(a at) bound { return bindSQL(s.Code, s.SQL, a) }

// bindAggregate is bind for the source's aggregate SQL.
func (s Source) bindAggregate(a at) bound { return bindSQL(s.Code, s.aggregate, a) }

func bindSQL(code, q string, a at) bound {
	var b bound
	var out strings.Builder
	for {
		i := strings.IndexByte(q, '{')
		if i < 0 {
			out.WriteString(q)
			break
		}
		j := strings.IndexByte(q[i:], '}')
		out.WriteString(q[:i])
		token := q[i+1 : i+j]
		q = q[i+j+1:]
		switch {
		case token == "from":
			out.WriteString("?")
			b.args = append(b.args, a.from)
		case token == "to":
			out.WriteString("?")
			b.args = append(b.args, a.to)
		case token == "date":
			out.WriteString("?")
			b.args = append(b.args, a.date)
		case token == "today":
			out.WriteString("?")
			b.args = append(b.args, a.today)
		case strings.HasPrefix(token, "noindex:"):
			// A stock reads a whole area by its path index; the date
			// indexes would make SQLite fetch each row by date instead.
			out.WriteString(db.Unindexed(a.dialect, token[len("noindex:"):]))
		case token == "keylen":
			out.WriteString("?")
			b.args = append(b.args, a.keyLen)
		case strings.HasPrefix(token, "area_noindex:"):
			// An area read through another index (the persons of a few birth months).
			cond, args := db.Subtree(db.Unindexed(a.dialect, token[len("area_noindex:"):]), a.area)
			out.WriteString(cond)
			b.args = append(b.args, args...)
		case strings.HasPrefix(token, "area:"):
			cond, args := db.Subtree(token[len("area:"):], a.area)
			out.WriteString(cond)
			b.args = append(b.args, args...)
		case bindRollupToken(token, a, &out, &b):
		default:
			panic("stats: unknown token {" + token + "} in source " + code)
		}
	}
	b.sql = out.String()
	return b
}

// yearsBefore is the date n years before date (29 February goes to 28
// February), the bound of an age group.
func yearsBefore(date string, n int) string {
	t, _ := time.Parse(time.DateOnly, date)
	y := t.Year() - n
	d := t.Day()
	if t.Month() == time.February && d == 29 && !isLeap(y) {
		d = 28
	}
	return time.Date(y, t.Month(), d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }
