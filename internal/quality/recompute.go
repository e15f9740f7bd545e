package quality

import (
	"context"
	"sync"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

// Result is what a recompute did and what is open afterwards.
type Result struct {
	Division   string         `json:"division"` // the recomputed area's code; "" for the whole database
	Findings   int            `json:"findings"` // open findings in the area
	ByRule     map[string]int `json:"by_rule"`
	Changes                   // what the recompute wrote
	Seconds    float64        `json:"seconds"`
	FinishedAt string         `json:"finished_at"`

	path string // the recomputed area
}

// Progress reports the running recompute, and the last one finished.
type Progress struct {
	Running   bool    `json:"running"`
	Step      string  `json:"step,omitempty"` // the rule being computed
	StepLabel string  `json:"step_label,omitempty"`
	Done      int     `json:"done"`
	Total     int     `json:"total"`
	StartedAt string  `json:"started_at,omitempty"`
	By        string  `json:"by,omitempty"`
	Last      *Result `json:"last,omitempty"`
}

// CanRecompute reports whether pr may run a full recompute: the county's
// administrators and the system administrator (the CLI operator is one).
// Township and village officers work on findings; they do not rebuild them.
func CanRecompute(pr *auth.Principal) bool {
	return pr != nil && (pr.Role == auth.RoleCounty || pr.Role == auth.RoleSysadmin)
}

// Recompute runs every rule over the caller's whole area in one
// transaction and brings findings and counts up to date. progress, if not
// nil, is called after each step with the steps done and their total. Only
// one recompute runs at a time; a second one is refused.
//
// Registry writes wait while it runs (a few seconds for a county; the
// SQLite busy timeout is longer): see holdWriters.
func (s *Service) Recompute(ctx context.Context, progress func(done, total int)) (Result, error) {
	pr := auth.From(ctx)
	if !CanRecompute(pr) {
		return Result{}, apperr.New(apperr.Forbidden, "只有县级管理员可以重新计算数据质量")
	}
	if err := s.startJob(pr); err != nil {
		return Result{}, err
	}
	start := time.Now()
	res := Result{Division: pr.DivisionCode, path: pr.DivisionPath}
	total := len(s.producers) + 2
	var mu sync.Mutex // the row passes report from their goroutines
	step := 0
	advance := func(rule string) {
		mu.Lock()
		defer mu.Unlock()
		step++
		s.setStep(rule, step, total)
		if progress != nil {
			progress(step, total)
		}
	}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		sc := scope{path: pr.DivisionPath}
		w := newWriter(tx)
		defer w.close()
		if err := holdWriters(ctx, tx); err != nil {
			return err
		}
		var err error
		if res.Changes, err = s.runOnReaders(ctx, tx, w, sc, advance); err != nil {
			return err
		}
		if err := recount(ctx, tx, sc.path, nil); err != nil {
			return err
		}
		if res.ByRule, res.Findings, err = openByRule(ctx, tx.Conn, sc.path); err != nil {
			return err
		}
		res.Seconds = float64(time.Since(start).Milliseconds()) / 1000
		res.FinishedAt = db.Now()
		advance("")
		return s.journal.Append(ctx, tx, audit.Entry{Action: "quality.recompute", Entity: "system", EntityID: "quality",
			After: res, Remark: "重新计算数据质量问题"})
	})
	s.endJob(res, err)
	return res, err
}

// holdWriters makes the data the rules read stand still until tx ends, so
// that connections other than tx's can read it in parallel and see exactly
// what tx sees. SQLite's single writer is held by tx from its start; on
// PostgreSQL tx takes SHARE locks, which let readers through and make
// writers wait.
func holdWriters(ctx context.Context, tx *db.Tx) error {
	if tx.Dialect() != db.Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, `LOCK TABLE persons, households, person_events IN SHARE MODE`)
	return apperr.Wrap(err, "hold writers")
}

func (s *Service) startJob(pr *auth.Principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.job.Running {
		return apperr.New(apperr.Conflict, "数据质量正在重新计算，请稍后再试")
	}
	s.job = Progress{Running: true, Total: len(s.producers) + 2, StartedAt: db.Now(), By: pr.Username}
	return nil
}

func (s *Service) setStep(rule string, done, total int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.job.Step, s.job.StepLabel, s.job.Done, s.job.Total = rule, RuleLabel(rule), done, total
	if rule == "" {
		s.job.StepLabel = ""
	}
}

func (s *Service) endJob(res Result, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.job = Progress{}
	if err == nil {
		s.last = &res
	}
}

// JobProgress returns the running recompute's progress, and the last
// result when the recomputed area lies within the caller's: its counts are
// statistics of that area.
func (s *Service) JobProgress(pr *auth.Principal) Progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.job
	if s.last != nil && pr.Covers(s.last.path) {
		p.Last = s.last
	}
	return p
}

// openByRule sums the open findings of a subtree by rule.
func openByRule(ctx context.Context, c db.Conn, path string) (map[string]int, int, error) {
	cond, args := db.Subtree("division_path", path)
	rows, err := c.Query(ctx, `SELECT tally, SUM(n) FROM dq_counts WHERE `+cond+` AND tally <> ? GROUP BY tally`,
		append(args, TallyIncomplete)...)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "open findings")
	}
	defer rows.Close()
	out := map[string]int{}
	total := 0
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return nil, 0, apperr.Wrap(err, "scan open findings")
		}
		out[t] = n
		total += n
	}
	return out, total, apperr.Wrap(rows.Err(), "open findings")
}
