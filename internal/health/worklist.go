package health

import (
	"context"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

// Work-list buckets. They are computed from today and the planned date on
// every request; nothing stores "overdue".
const (
	BucketOverdue = "overdue" // planned before today
	BucketToday   = "today"
	BucketWeek    = "week" // after today, up to Sunday
	BucketDue     = "due"  // all three
	BucketAll     = "all"  // every open visit, later ones too
)

// weekEnd is the Sunday of today's week (a Sunday is its own week's end).
func weekEnd(today string) string {
	t, _ := time.Parse(time.DateOnly, today)
	offset := (7 - int(t.Weekday())) % 7
	return t.AddDate(0, 0, offset).Format(time.DateOnly)
}

// bucketRange is the half-open planned-date range [lo, hi) of a bucket; an
// empty bound is open.
func bucketRange(bucket, today string) (lo, hi string, err error) {
	next := func(d string) string {
		t, _ := time.Parse(time.DateOnly, d)
		return t.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	switch bucket {
	case BucketOverdue:
		return "", today, nil
	case BucketToday:
		return today, next(today), nil
	case BucketWeek:
		return next(today), next(weekEnd(today)), nil
	case "", BucketDue:
		return "", next(weekEnd(today)), nil
	case BucketAll:
		return "", "", nil
	}
	return "", "", apperr.InvalidField("bucket", "范围应为 overdue（逾期）、today（今天）、week（本周）、due（全部到期）或 all")
}

func bucketOf(planned, today string) string {
	switch {
	case planned < today:
		return BucketOverdue
	case planned == today:
		return BucketToday
	case planned <= weekEnd(today):
		return BucketWeek
	}
	return "later"
}

// WorkList answers the open visits of the caller's area (or a division in
// it) in a bucket, oldest first, with the size of every bucket.
func (s *Service) WorkList(ctx context.Context, f WorkFilter) (WorkList, error) {
	pr := auth.From(ctx)
	today := s.today()
	out := WorkList{Items: []WorkItem{}, Today: today, Counts: map[string]int{}}
	conds, args, err := s.workConds(ctx, pr, f)
	if err != nil {
		return out, err
	}
	lo, hi, err := bucketRange(f.Bucket, today)
	if err != nil {
		return out, err
	}
	if err := s.workCounts(ctx, conds, args, today, &out); err != nil {
		return out, err
	}
	if lo != "" {
		conds, args = append(conds, "v.planned_on >= ?"), append(args, lo)
	}
	if hi != "" {
		conds, args = append(conds, "v.planned_on < ?"), append(args, hi)
	}
	if out.Total, err = s.workTotal(ctx, f.Bucket, conds, args, out.Counts); err != nil {
		return out, err
	}
	out.Items, err = s.workItems(ctx, conds, args, f, today)
	return out, err
}

// workTotal is the size of the bucket listed: the counts have it, except
// for "all", which also holds visits planned after this week.
func (s *Service) workTotal(ctx context.Context, bucket string, conds []string, args []any, counts map[string]int) (int, error) {
	switch bucket {
	case BucketAll:
		var n int
		err := s.db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM health_visits v WHERE `+strings.Join(conds, " AND "), args...).Scan(&n)
		return n, apperr.Wrap(err, "work list total")
	case "":
		return counts[BucketDue], nil
	}
	return counts[bucket], nil
}

// officerCond selects one officer's list: what is assigned to them, and
// what is assigned to nobody in their area.
func (s *Service) officerCond(ctx context.Context, pr *auth.Principal, name string) (string, []any, error) {
	path := pr.DivisionPath
	if name != pr.Username {
		if s.officers == nil {
			return "", nil, apperr.New(apperr.Internal, "未配置用户查询")
		}
		o, err := s.officers(ctx, name)
		if err != nil {
			return "", nil, apperr.InvalidField("officer", "用户不存在或已停用："+name)
		}
		if !pr.Covers(o.DivisionPath) {
			return "", nil, apperr.InvalidField("officer", "用户不在您的管辖范围内："+name)
		}
		path = o.DivisionPath
	}
	area, args := db.Subtree("v.division_path", path)
	return "(v.assigned_to = ? OR (v.assigned_to IS NULL AND " + area + "))", append([]any{name}, args...), nil
}

func (s *Service) workConds(ctx context.Context, pr *auth.Principal, f WorkFilter) ([]string, []any, error) {
	path := pr.DivisionPath
	if f.Division != "" {
		var err error
		if path, err = divisionPath(ctx, s.db.Reader(), pr, f.Division); err != nil {
			return nil, nil, err
		}
	}
	cond, args := db.Subtree("v.division_path", path)
	conds := []string{"v.status = 'open'", cond}
	if f.Program != "" {
		if _, ok := ProgramOf(f.Program); !ok {
			return nil, nil, apperr.InvalidField("program", "未知的服务项目："+f.Program)
		}
		conds, args = append(conds, "v.program = ?"), append(args, f.Program)
	}
	if f.Officer != "" {
		cond, a, err := s.officerCond(ctx, pr, f.Officer)
		if err != nil {
			return nil, nil, err
		}
		conds, args = append(conds, cond), append(args, a...)
	}
	return conds, args, nil
}

// workCounts counts the buckets in one pass over the open visits due by Sunday.
func (s *Service) workCounts(ctx context.Context, conds []string, args []any, today string, out *WorkList) error {
	end := weekEnd(today)
	q := `SELECT COALESCE(SUM(CASE WHEN v.planned_on < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN v.planned_on = ? THEN 1 ELSE 0 END), 0), COUNT(*)
		FROM health_visits v WHERE ` + strings.Join(conds, " AND ") + ` AND v.planned_on <= ?`
	var overdue, todayN, due int
	err := s.db.Reader().QueryRow(ctx, q, append(append([]any{today, today}, args...), end)...).Scan(&overdue, &todayN, &due)
	if err != nil {
		return apperr.Wrap(err, "work list counts")
	}
	out.Counts[BucketOverdue], out.Counts[BucketToday] = overdue, todayN
	out.Counts[BucketWeek], out.Counts[BucketDue] = due-overdue-todayN, due
	return nil
}

// workItems reads one page. It has no COUNT(*) OVER(): the page walks the
// work index in date order and stops after its rows, so the persons and
// cases of the rest of the area are never joined.
func (s *Service) workItems(ctx context.Context, conds []string, args []any, f WorkFilter, today string) ([]WorkItem, error) {
	q := `SELECT v.id, v.case_id, v.program, v.kind, v.person_id, p.name, COALESCE(p.id_mask, ''), COALESCE(p.phone_mask, ''),
		c.division_code, COALESCE(d.name, ''), v.due_on, v.planned_on, COALESCE(v.assigned_to, ''), v.version,
		(SELECT COUNT(*) FROM health_contacts k WHERE k.visit_id = v.id)
		FROM health_visits v JOIN persons p ON p.id = v.person_id
		JOIN health_cases c ON c.id = v.case_id LEFT JOIN divisions d ON d.code = c.division_code
		WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY v.planned_on, v.division_path, v.id LIMIT ? OFFSET ?`
	rows, err := s.db.Reader().Query(ctx, q, append(args, f.Size, (f.Page-1)*f.Size)...)
	if err != nil {
		return nil, apperr.Wrap(err, "work list")
	}
	defer rows.Close()
	items := []WorkItem{}
	for rows.Next() {
		var w WorkItem
		if err := rows.Scan(&w.VisitID, &w.CaseID, &w.Program, &w.Kind, &w.PersonID, &w.Name, &w.IDNumber, &w.Phone,
			&w.Division, &w.Village, &w.DueOn, &w.PlannedOn, &w.AssignedTo, &w.Version, &w.Attempts); err != nil {
			return nil, apperr.Wrap(err, "scan work item")
		}
		p, _ := ProgramOf(w.Program)
		r, _ := p.Rule(w.Kind)
		w.ProgramName, w.KindName, w.ByStep = p.Name, r.Name, r.DoneBy
		w.Bucket = bucketOf(w.PlannedOn, today)
		w.DaysLate = daysBetween(w.DueOn, today)
		items = append(items, w)
	}
	return items, apperr.Wrap(rows.Err(), "work list")
}

// daysBetween is how many days to is after from; 0 when not after.
func daysBetween(from, to string) int {
	a, err1 := time.Parse(time.DateOnly, from)
	b, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || !b.After(a) {
		return 0
	}
	return int(b.Sub(a).Hours() / 24)
}
