package stats_test

import (
	"testing"
	"time"

	"jisheng/internal/stats"
	"jisheng/internal/testfix/demofix"
)

// BenchmarkReport computes the full yearly report of a generated county
// (every indicator, every township) and a dashboard's data (the monthly
// trend of births and deaths and one indicator by township). The county
// has three life events per person (JISHENG_BENCH_EVENTS). The issue's
// targets are a million persons with three million events in under 500 ms
// for the report (1 s on PostgreSQL) and under 200 ms for a dashboard.
// every-village computes the county's report by village: every indicator
// for every village (and the county).
//
//	JISHENG_BENCH_PERSONS=1000000 go test -run '^$' -bench Report -benchtime 3x ./internal/stats
func BenchmarkReport(b *testing.B) {
	persons := demofix.Persons(100_000)
	d, _, j := demofix.County(b, persons, "2026-06-30")
	demofix.AddEvents(b, d, demofix.Events(persons), "2026-06-30")
	svc := stats.NewService(d, j, func() time.Time { return time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC) })
	b.Run("yearly-report", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Report(countyCtx(), stats.ReportInput{Period: "2025"}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/report")
	})
	// Every village's figures: the county's report by village (全县分村).
	b.Run("every-village", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Report(countyCtx(), stats.ReportInput{Period: "2025", By: stats.ByVillage}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/every-village")
	})
	b.Run("dashboard", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Trend(countyCtx(), stats.ReportInput{Period: "2025", Indicators: []string{"births", "deaths"}}); err != nil {
				b.Fatal(err)
			}
			if _, err := svc.Report(countyCtx(), stats.ReportInput{Period: "2025", Indicators: []string{"sex_ratio_at_birth"}}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/dashboard")
	})
}
