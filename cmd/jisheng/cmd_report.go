package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/stats"
)

// runReport computes a statistics report from the command line, as JSON on
// standard output or as the .xlsx table officers file; --by village gives
// every village's figures.
func runReport(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "report", "report --division 区划代码 --period 2025 [--format json|xlsx|pdf] [--out 文件] [--indicators a,b] [--by village] [--db 数据库]")
	dsn, keyFile := dbFlags(fs)
	code := fs.String("division", "", "区划代码（县、乡镇或村）")
	per := fs.String("period", "", "统计期间：2026、2026-03、2026-Q1、2026-H1 或 2026-SY（统计年度）")
	format := fs.String("format", "json", "输出格式：json、xlsx 或 pdf")
	out := fs.String("out", "", "xlsx 或 pdf 文件路径（默认 统计报表_区划_期间.xlsx 或 .pdf）")
	list := fs.String("indicators", "", "只计算这些指标（逗号分隔，默认全部）")
	by := fs.String("by", "", "分列方式：留空为下一级区划，village 为所有村（全县分村）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*code) == "" {
		return &apperr.Error{Code: apperr.Invalid, Field: "division", Message: "请用 --division 指定区划代码"}
	}
	if *format != "json" && *format != "xlsx" && *format != "pdf" {
		return &apperr.Error{Code: apperr.Invalid, Field: "format", Message: "--format 应为 json、xlsx 或 pdf"}
	}
	a, err := openApp(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := stats.NewService(a.db, a.journal, nil).Report(operatorCtx(ctx), stats.ReportInput{Division: *code, Period: *per,
		Indicators: stats.ParseCodes(*list), By: *by})
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	var buf bytes.Buffer
	write := stats.WriteXLSX
	if *format == "pdf" {
		write = func(w io.Writer, rep stats.Report) error { return stats.WriteReportPDF(w, rep, "") }
	}
	if err := write(&buf, rep); err != nil {
		return err
	}
	path := *out
	if path == "" {
		path = "统计报表_" + rep.Division.Name + "_" + rep.Period.Code + "." + *format
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "已生成 %s（%s，%s，%d 项指标）\n", path, rep.Division.Name, rep.Period.Label, len(rep.Rows))
	return nil
}
