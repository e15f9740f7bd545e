package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/xuri/excelize/v2"

	"jisheng/internal/db"
	"jisheng/internal/idno"
	"jisheng/internal/sheet"
)

// benchImportFigure is one measured step beside its reference.
type benchImportFigure struct {
	what       string
	took       time.Duration
	reference  string
	refTook    time.Duration
	limit      float64 // the target ratio; 0 when the figure has no reference
	peakRSSMiB float64
}

// runBenchImport measures loading a generated county file: our import
// against the sqlite3 tool's .import of the same file into a plain table,
// the same file as .xlsx against excelize's own streaming read, and on
// PostgreSQL against psql's \copy. Every import runs as a child process so
// that its peak memory is its own.
func runBenchImport(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "bench import", "bench import [--persons 1000000] [--dir 目录] [--pg postgres://…] [--skip-xlsx]")
	persons := fs.Int("persons", 1_000_000, "文件中的人数")
	dir := fs.String("dir", "", "放生成文件和数据库的目录（默认临时目录，结束后删除）")
	pg := fs.String("pg", "", "PostgreSQL 空库地址：给出时也测量 PostgreSQL 导入")
	skipXLSX := fs.Bool("skip-xlsx", false, "不测 .xlsx")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *persons < 1000 || *persons > 5_000_000 {
		return usageError("--persons 应在 1000 到 5000000 之间")
	}
	work, cleanup, err := benchDir(*dir)
	if err != nil {
		return err
	}
	defer cleanup()
	b := &importBench{env: env, dir: work, persons: *persons}
	if err := b.prepare(ctx); err != nil {
		return err
	}
	steps := []func(context.Context) error{b.csvSQLite}
	if !*skipXLSX {
		steps = append(steps, b.xlsxSQLite)
	}
	if *pg != "" {
		b.pg = *pg
		steps = append(steps, b.csvPostgres)
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	b.print()
	return nil
}

func benchDir(dir string) (string, func(), error) {
	if dir != "" {
		return dir, func() {}, os.MkdirAll(dir, 0o700)
	}
	d, err := os.MkdirTemp("", "jisheng-bench-import-")
	return d, func() { os.RemoveAll(d) }, err
}

type importBench struct {
	env     *cliEnv
	dir     string
	persons int
	csvPath string
	pg      string
	figures []benchImportFigure
}

// prepare initialises a county to take the villages from and writes the file.
func (b *importBench) prepare(ctx context.Context) error {
	seed := filepath.Join(b.dir, "villages.db")
	os.Remove(seed)
	if err := b.initDB(ctx, seed); err != nil {
		return err
	}
	villages, err := benchVillages(ctx, seed)
	if err != nil {
		return err
	}
	b.csvPath = filepath.Join(b.dir, "persons.csv")
	fmt.Fprintf(b.env.stderr, "生成 %d 人的导入文件 %s\n", b.persons, b.csvPath)
	return writeBenchPersons(b.csvPath, villages, b.persons)
}

func (b *importBench) initDB(ctx context.Context, dsn string) error {
	res, err := initialise(operatorCtx(ctx), benchInit(dsn, ""))
	if err != nil {
		return err
	}
	return res.app.Close()
}

func benchVillages(ctx context.Context, dsn string) ([]string, error) {
	d, err := db.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	rows, err := d.Reader().Query(ctx, `SELECT code FROM divisions WHERE level = 5 ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

var benchSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"}
var benchGiven = []string{"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞"}

// writeBenchPersons writes n persons with valid, distinct ID numbers, three
// to a household, in the persons template's columns.
func writeBenchPersons(path string, villages []string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "姓名,性别,出生日期,公民身份号码,民族,户口性质,婚姻状况,联系电话,户籍地区划代码,现居住地区划代码,户编号,与户主关系")
	r := rand.New(rand.NewPCG(1, 2))
	used := map[string]int{}
	hhSeq := map[string]int{}
	var hh, v string
	for i := 0; i < n; {
		birth := fmt.Sprintf("%04d%02d%02d", 1935+r.IntN(90), 1+r.IntN(12), 1+r.IntN(28))
		male := r.IntN(2) == 0
		k := birth + fmt.Sprint(male)
		seq := used[k] * 2
		if male {
			seq++
		}
		if seq > 999 {
			continue
		}
		used[k]++
		sex, relation := "女", "配偶"
		if male {
			sex = "男"
		}
		if i%3 == 0 {
			v = villages[r.IntN(len(villages))]
			hhSeq[v]++
			hh, relation = fmt.Sprintf("%s-%04d", v, hhSeq[v]), "户主"
		} else if i%3 == 2 {
			relation = "子女"
		}
		marital := "初婚"
		if relation == "子女" {
			marital = "未婚"
		}
		res := v
		if r.IntN(10) == 0 {
			res = villages[r.IntN(len(villages))]
		}
		phone := ""
		if r.IntN(3) > 0 {
			phone = fmt.Sprintf("13%09d", r.IntN(1e9))
		}
		fmt.Fprintf(w, "%s%s,%s,%s-%s-%s,%s,汉族,农业,%s,%s,%s,%s,%s,%s\n", benchSurnames[r.IntN(len(benchSurnames))],
			benchGiven[r.IntN(len(benchGiven))], sex, birth[:4], birth[4:6], birth[6:], idno.Generate("341523", birth, seq),
			marital, phone, v, res, hh, relation)
		i++
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// csvSQLite: sqlite3's .import into a plain table keyed by the ID number,
// then our import of the same file into a new county.
func (b *importBench) csvSQLite(ctx context.Context) error {
	ref, err := b.sqliteReference(ctx)
	if err != nil {
		return err
	}
	took, peak, err := b.importChild(ctx, filepath.Join(b.dir, "csv.db"), b.csvPath)
	if err != nil {
		return err
	}
	b.figures = append(b.figures, benchImportFigure{what: fmt.Sprintf("导入 %d 人 .csv（SQLite）", b.persons), took: took,
		reference: "sqlite3 .import 同一文件到以身份证号为主键的普通表", refTook: ref, limit: 1.5, peakRSSMiB: peak})
	return b.recompute(ctx, filepath.Join(b.dir, "csv.db"))
}

// recompute times a full data-quality recompute of the loaded county, in a
// child process; its target is absolute (10 s for a million persons).
func (b *importBench) recompute(ctx context.Context, dsn string) error {
	took, peak, err := runChild(ctx, b.env, "数据质量重算", "quality", "recompute", "--db", dsn, "--key-file", keyFileFor(dsn, ""))
	if err != nil {
		return err
	}
	b.figures = append(b.figures, benchImportFigure{what: fmt.Sprintf("重算 %d 人的数据质量问题（SQLite）", b.persons),
		took: took, reference: "绝对目标 10 秒", refTook: 10 * time.Second, limit: 1, peakRSSMiB: peak})
	return nil
}

func (b *importBench) sqliteReference(ctx context.Context) (time.Duration, error) {
	bin, err := exec.LookPath("sqlite3")
	if err != nil {
		return 0, fmt.Errorf("找不到 sqlite3 命令行工具（apt-get install -y sqlite3），无法测量参照时间")
	}
	path := filepath.Join(b.dir, "reference.db")
	os.Remove(path)
	script := `CREATE TABLE p(name TEXT, sex TEXT, birth TEXT, id_number TEXT PRIMARY KEY, ethnicity TEXT, hukou TEXT,
marital TEXT, phone TEXT, reg TEXT, res TEXT, hh TEXT, relation TEXT);
.mode csv
.import --skip 1 ` + b.csvPath + ` p
`
	cmd := exec.CommandContext(ctx, bin, path)
	cmd.Stdin = strings.NewReader(script)
	cmd.Stderr = b.env.stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("sqlite3 参照导入失败：%w", err)
	}
	return time.Since(start), os.Remove(path)
}

// importChild initialises a county at dsn and loads file into it with the
// import command in a child process; it returns the import's time and peak
// memory.
func (b *importBench) importChild(ctx context.Context, dsn, file string) (time.Duration, float64, error) {
	if !db.IsPostgresDSN(dsn) {
		os.Remove(dsn)
		os.Remove(filepath.Join(filepath.Dir(dsn), "jisheng.key"))
	}
	if err := b.initDB(ctx, dsn); err != nil {
		return 0, 0, err
	}
	return runChild(ctx, b.env, "导入子进程", "import", "persons", file, "--db", dsn, "--key-file", keyFileFor(dsn, ""))
}

// runChild runs this binary with args and returns how long it took and its
// peak memory in MB; its output goes to the benchmark's standard error.
func runChild(ctx context.Context, env *cliEnv, what string, args ...string) (time.Duration, float64, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, 0, err
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Stdout, cmd.Stderr = env.stderr, env.stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("%s失败：%w", what, err)
	}
	took := time.Since(start)
	var peak float64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		peak = float64(ru.Maxrss) / 1024
	}
	return took, peak, nil
}

// xlsxSQLite: the same file as .xlsx, against excelize's own streaming read.
func (b *importBench) xlsxSQLite(ctx context.Context) error {
	path := filepath.Join(b.dir, "persons.xlsx")
	if err := csvToXLSX(b.csvPath, path); err != nil {
		return err
	}
	ref, err := excelizeRead(path)
	if err != nil {
		return err
	}
	took, peak, err := b.importChild(ctx, filepath.Join(b.dir, "xlsx.db"), path)
	if err != nil {
		return err
	}
	b.figures = append(b.figures, benchImportFigure{what: fmt.Sprintf("导入 %d 人 .xlsx（SQLite）", b.persons), took: took,
		reference: "excelize 流式读取同一文件", refTook: ref, limit: 1.3, peakRSSMiB: peak})
	return nil
}

func csvToXLSX(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	r := csv.NewReader(bufio.NewReaderSize(in, 1<<20))
	header, err := r.Read()
	if err != nil {
		return err
	}
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	defer out.Close()
	w, err := sheet.NewWriter(out, sheet.XLSX, "人员", header)
	if err != nil {
		return err
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	return w.Close()
}

// excelizeRead reads every cell of the first sheet with excelize's streaming
// row iterator, the least any .xlsx import has to do.
func excelizeRead(path string) (time.Duration, error) {
	start := time.Now()
	f, err := excelize.OpenFile(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetName(0))
	if err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		cols, err := rows.Columns()
		if err != nil {
			return 0, err
		}
		n += len(cols)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, fmt.Errorf("excelize 未读到数据")
	}
	return time.Since(start), nil
}

// csvPostgres: psql's \copy into a plain table against our import, both in
// the database given.
func (b *importBench) csvPostgres(ctx context.Context) error {
	psql, err := exec.LookPath("psql")
	if err != nil {
		return fmt.Errorf("找不到 psql，无法测量 PostgreSQL 参照时间")
	}
	script := `DROP TABLE IF EXISTS bench_copy;
CREATE TABLE bench_copy(name TEXT, sex TEXT, birth TEXT, id_number TEXT PRIMARY KEY, ethnicity TEXT, hukou TEXT,
marital TEXT, phone TEXT, reg TEXT, res TEXT, hh TEXT, relation TEXT);
\copy bench_copy FROM '` + b.csvPath + `' WITH (FORMAT csv, HEADER true)
DROP TABLE bench_copy;
`
	cmd := exec.CommandContext(ctx, psql, "-q", "-v", "ON_ERROR_STOP=1", b.pg)
	cmd.Stdin = strings.NewReader(script)
	cmd.Stdout, cmd.Stderr = io.Discard, b.env.stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("psql \\copy 失败：%w", err)
	}
	ref := time.Since(start)
	took, peak, err := b.importChild(ctx, b.pg, b.csvPath)
	if err != nil {
		return err
	}
	b.figures = append(b.figures, benchImportFigure{what: fmt.Sprintf("导入 %d 人 .csv（PostgreSQL）", b.persons), took: took,
		reference: "psql \\copy 同一文件到以身份证号为主键的普通表", refTook: ref, limit: 1.5, peakRSSMiB: peak})
	return nil
}

func (b *importBench) print() {
	tw := tabwriter.NewWriter(b.env.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "项目\t用时\t参照\t参照用时\t倍数\t目标\t峰值内存")
	for _, f := range b.figures {
		ratio := f.took.Seconds() / f.refTook.Seconds()
		verdict := "达标"
		if ratio > f.limit {
			verdict = "未达标"
		}
		fmt.Fprintf(tw, "%s\t%.2f 秒\t%s\t%.2f 秒\t%.2f×\t≤%.1f×（%s）\t%.0f MB\n", f.what, f.took.Seconds(), f.reference,
			f.refTook.Seconds(), ratio, f.limit, verdict, f.peakRSSMiB)
	}
	tw.Flush()
}
