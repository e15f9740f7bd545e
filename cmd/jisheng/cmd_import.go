package main

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"runtime/debug"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/importer"
	"jisheng/internal/sheet"
)

const importSynopsis = `import TYPE FILE [--dry-run] [--errors 错误报告.xlsx] [--db 数据库]
       jisheng import template TYPE 模板.xlsx

TYPE 为 persons（人员）、households（家庭户）或 events（人口事件）。
文件为 .xlsx 或 .csv（UTF-8 或 GBK 编码）；整个文件要么全部导入，要么（有任何错误时）一行也不写入。`

// importMemoryLimit is the CLI import's soft limit on the Go heap.
const importMemoryLimit = 300 << 20

func runImport(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) > 0 && args[0] == "template" {
		return runImportTemplate(env, args[1:])
	}
	fs := newFlags(env, "import", importSynopsis)
	dsn, keyFile := dbFlags(fs)
	dryRun := fs.Bool("dry-run", false, "只检查，不写入")
	errorsOut := fs.String("errors", "", "把有错误的行（原样加错误原因）写入此 .xlsx 或 .csv 文件")
	limitMB := fs.Int64("max-size", importer.DefaultLimit>>20, "文件大小上限（MB）")
	kindArg, rest := firstArg(args)
	file, rest := firstArg(rest)
	if err := parse(fs, rest); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("多余的参数：" + strings.Join(fs.Args(), " "))
	}
	kind, err := importer.ParseKind(kindArg)
	if err != nil {
		return usageError("请指定导入类型：persons、households 或 events")
	}
	if file == "" {
		return usageError("请指定要导入的文件")
	}
	reportFormat, err := reportFormatOf(*errorsOut)
	if err != nil {
		return err
	}
	if *limitMB <= 0 {
		return usageError("--max-size 应为正数")
	}
	// A soft limit on the Go heap: a million-row load keeps large maps
	// (ID numbers seen, households) and the garbage collector otherwise
	// lets the heap grow to twice what is live. Measured on a 1M-person
	// file: peak 673 MB without it, 453 MB with it, in the same time.
	debug.SetMemoryLimit(importMemoryLimit)
	a, err := openApp(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer a.Close()
	f, size, err := openImportFile(file)
	if err != nil {
		return err
	}
	defer f.Close()
	bar := newProgress(env.stderr, "导入"+kind.Title())
	bar.unit = "MB"
	res, err := importer.New(a.db, a.registry).Run(importerCtx(ctx), f, size, importer.Options{
		Kind: kind, FileName: filepath.Base(file), DryRun: *dryRun, Limit: *limitMB << 20,
		Progress: func(p importer.Progress) { bar.update(int(p.Bytes>>20), int(max(1, p.Total>>20))) },
	})
	bar.finish()
	if err != nil {
		return err
	}
	return reportImport(env, res, *errorsOut, reportFormat)
}

// firstArg splits off a leading positional argument (flags may follow it).
func firstArg(args []string) (string, []string) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return "", args
	}
	return args[0], args[1:]
}

func reportFormatOf(path string) (sheet.Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case "", ".xlsx":
		return sheet.XLSX, nil
	case ".csv":
		return sheet.CSV, nil
	}
	return "", usageError("--errors 文件应以 .xlsx 或 .csv 结尾")
}

func openImportFile(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, apperr.InvalidField("file", "无法打开文件 "+path+"："+err.Error())
	}
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		f.Close()
		return nil, 0, apperr.InvalidField("file", path+" 不是文件")
	}
	return f, st.Size(), nil
}

// importerCtx acts as a county administrator covering the whole
// installation: whoever runs the CLI on the server holds the database and
// its key already. The journal names the operating-system user.
func importerCtx(ctx context.Context) context.Context {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return auth.WithPrincipal(ctx, &auth.Principal{Username: "cli:" + name, Role: auth.RoleCounty, DivisionPath: "/"})
}

func reportImport(env *cliEnv, res *importer.Result, errorsOut string, f sheet.Format) error {
	fmt.Fprintln(env.stdout, res.Message)
	if res.Warnings > 0 {
		fmt.Fprintf(env.stdout, "其中 %d 行有提示（如身份证号与性别、出生日期不一致），已作为数据质量问题保留。\n", res.Warnings)
	}
	for i, e := range res.Errors {
		if i == 20 {
			fmt.Fprintf(env.stdout, "……共 %d 行有错误\n", res.Invalid)
			break
		}
		fmt.Fprintf(env.stdout, "第 %d 行：%s\n", e.Line, e.Reason)
	}
	if res.HasErrorReport() && errorsOut != "" {
		if err := writeErrorReport(res, errorsOut, f); err != nil {
			return err
		}
		fmt.Fprintln(env.stdout, "错误报告已写入", errorsOut)
	}
	if res.Invalid > 0 {
		return apperr.New(apperr.Invalid, fmt.Sprintf("%d 行有错误，未导入", res.Invalid))
	}
	return nil
}

func writeErrorReport(res *importer.Result, path string, f sheet.Format) error {
	out, err := os.Create(path)
	if err != nil {
		return apperr.InvalidField("errors", "无法创建错误报告 "+path+"："+err.Error())
	}
	if err := res.WriteErrorReport(out, f); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func runImportTemplate(env *cliEnv, args []string) error {
	if len(args) != 2 {
		return usageError("用法：jisheng import template TYPE 模板.xlsx（TYPE 为 persons、households 或 events）")
	}
	kind, err := importer.ParseKind(args[0])
	if err != nil {
		return usageError(err.Error())
	}
	f, err := reportFormatOf(args[1])
	if err != nil {
		return usageError("模板文件应以 .xlsx 或 .csv 结尾")
	}
	out, err := os.Create(args[1])
	if err != nil {
		return apperr.InvalidField("file", "无法创建 "+args[1]+"："+err.Error())
	}
	if err := importer.WriteTemplate(out, kind, f); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	g, _ := importer.TemplateGuide(kind)
	fmt.Fprintf(env.stdout, "已生成%s导入模板 %s\n必填列：%s\n", kind.Title(), args[1], strings.Join(g.Required, "、"))
	for _, n := range g.Notes {
		fmt.Fprintln(env.stdout, "· "+n)
	}
	return nil
}
