package stats

import (
	"context"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/period"
)

// Service computes reports and the records behind their figures.
type Service struct {
	db      *db.DB
	journal *audit.Journal
	now     func() time.Time
}

// NewService returns the statistics service; now is the clock (nil: the
// system's). The journal records every step of a filed report.
func NewService(d *db.DB, j *audit.Journal, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, journal: j, now: now}
}

func (s *Service) today() string { return s.now().In(audit.ChinaTime).Format(time.DateOnly) }

// ReportInput asks for a report.
type ReportInput struct {
	Division   string   // default: the caller's own
	Period     string   // 2026, 2026-03, 2026-Q1, 2026-H1, 2026-SY
	Indicators []string // default: all
	By         string   // "": the divisions directly below; ByVillage: every village
}

// Report computes the indicators of a division in the caller's area for a
// period, with the figures of each division directly below it, or of each
// village in it.
func (s *Service) Report(ctx context.Context, in ReportInput) (Report, error) {
	pr := auth.From(ctx)
	p, err := period.Parse(in.Period)
	if err != nil {
		return Report{}, err
	}
	if err := checkIndicators(in.Indicators); err != nil {
		return Report{}, err
	}
	if in.By != "" && in.By != ByVillage {
		return Report{}, apperr.InvalidField("by", "未知的分列方式："+in.By+"（可选 village：分村）")
	}
	var rep Report
	err = s.db.ReadTx(ctx, func(tx *db.Tx) error {
		d, err := divisionIn(ctx, tx.Conn, pr, in.Division)
		if err != nil {
			return err
		}
		rep, err = compute(ctx, tx.Conn, d, p, s.today(), in.Indicators, in.By)
		return err
	})
	return rep, err
}

func checkIndicators(codes []string) error {
	for _, c := range codes {
		if _, ok := IndicatorOf(c); !ok {
			return apperr.InvalidField("indicators", "未知的指标："+c)
		}
	}
	return nil
}

// divisionIn reads a division of the caller's area (their own when code
// is empty); one outside it is not found.
func divisionIn(ctx context.Context, c db.Conn, pr *auth.Principal, code string) (division.Division, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		code = pr.DivisionCode
	}
	d, err := division.GetIn(ctx, c, code, pr.DivisionPath)
	if apperr.CodeOf(err) == apperr.NotFound {
		return d, &apperr.Error{Code: apperr.NotFound, Field: "division", Message: "区划不存在或不在您的管辖范围内"}
	}
	return d, err
}

// Trend is indicators month by month over a period, for charts.
type Trend struct {
	Division DivisionRef   `json:"division"`
	Period   period.Period `json:"period"`
	Months   []TrendMonth  `json:"months"`
}

// TrendMonth is one month's figures of the indicators asked for.
type TrendMonth struct {
	Period  period.Period `json:"period"`
	Figures []TrendFigure `json:"figures"`
	// Future marks a month that has not begun: it has no figures.
	Future bool `json:"future,omitempty"`
}

// TrendFigure is an indicator's figure in one month.
type TrendFigure struct {
	Code string `json:"code"`
	Figure
}

// maxTrendIndicators bounds a chart's series: each is counted for every month.
const maxTrendIndicators = 6

// Trend computes indicators for each month of a period (at most 12) for a
// division in the caller's area.
func (s *Service) Trend(ctx context.Context, in ReportInput) (Trend, error) {
	pr := auth.From(ctx)
	p, err := period.Parse(in.Period)
	if err != nil {
		return Trend{}, err
	}
	if len(in.Indicators) == 0 || len(in.Indicators) > maxTrendIndicators {
		return Trend{}, apperr.InvalidField("indicators", "请选择 1 至 6 项指标")
	}
	if err := checkIndicators(in.Indicators); err != nil {
		return Trend{}, err
	}
	out := Trend{Period: p, Months: []TrendMonth{}}
	err = s.db.ReadTx(ctx, func(tx *db.Tx) error {
		d, err := divisionIn(ctx, tx.Conn, pr, in.Division)
		if err != nil {
			return err
		}
		out.Division = refOf(d)
		// Dated flows are counted once for the period, by month.
		ins := selected(in.Indicators)
		plan := planOf(ins)
		byMonths := newEvaluator(ctx, tx.Conn, d.Path, p, s.today(), byMonth, plan)
		for _, m := range p.Months() {
			ev := newEvaluator(ctx, tx.Conn, d.Path, m, s.today(), len(d.Path), plan)
			month := TrendMonth{Period: m, Figures: []TrendFigure{}, Future: m.From > s.today()}
			if month.Future {
				out.Months = append(out.Months, month)
				continue
			}
			for _, in := range ins {
				var f Figure
				var err error
				if monthly(in) {
					f, err = byMonths.figure(in, m.From[:7])
				} else {
					f, err = ev.figure(in, "")
				}
				if err != nil {
					return err
				}
				month.Figures = append(month.Figures, TrendFigure{Code: in.Code, Figure: f})
			}
			out.Months = append(out.Months, month)
		}
		return nil
	})
	return out, err
}

// monthly says whether an indicator reads only dated flows, so that its
// figure for a month is the period's rows of that month.
func monthly(in Indicator) bool {
	if !datedTerm(in.NumTerm) {
		return false
	}
	return in.DenTerm == nil || datedTerm(*in.DenTerm)
}

func datedTerm(t Term) bool {
	s, ok := sourceOf(t.Source)
	if !ok || !s.dated || t.Average || t.Task != "" {
		return false
	}
	return t.Minus == nil || datedTerm(*t.Minus)
}
