package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"jisheng/internal/audit"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/fieldcrypt"
)

// runBench measures the registry on a large demo county through the real
// server, run as a child process so that its memory is measured alone.
func runBench(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) > 0 && args[0] == "import" {
		return runBenchImport(ctx, env, args[1:])
	}
	fs := newFlags(env, "bench", "bench [--db data/bench.db] [--persons 1000000] [--rounds 200]")
	dsn, keyFile := dbFlags(fs)
	persons := fs.Int("persons", 1_000_000, "演示县人口数（数据库不存在时生成）")
	rounds := fs.Int("rounds", 200, "每项测量的请求次数")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *rounds < 10 {
		return usageError("--rounds 至少为 10")
	}
	if err := ensureBenchCounty(ctx, env, *dsn, *keyFile, *persons); err != nil {
		return err
	}
	srv, err := startChildServer(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer srv.stop()
	s, err := sampleVillage(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	results, err := measure(srv.url, s, *rounds)
	if err != nil {
		return err
	}
	rss, peak := srv.memory()
	printBench(env, results, s, rss, peak)
	return nil
}

// benchInit is how every benchmark installs its county.
func benchInit(dsn, keyFile string) initOptions {
	return initOptions{dsn: dsn, keyFile: keyFile, county: "341523", cipher: string(fieldcrypt.DefaultAlgorithm),
		auditAlg: audit.AlgHMACSHA256, admin: "admin", adminPassword: DemoPassword, passwordChosen: true}
}

func ensureBenchCounty(ctx context.Context, env *cliEnv, dsn, keyFile string, persons int) error {
	if !db.IsPostgresDSN(dsn) {
		if _, err := os.Stat(dsn); err == nil {
			fmt.Fprintf(env.stdout, "使用已有的基准库 %s\n", dsn)
			return nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	bar := newProgress(env.stderr, "生成基准人口")
	res, _, stats, err := buildDemo(operatorCtx(ctx), demoOptions{initOptions: benchInit(dsn, keyFile),
		persons: persons, seed: 42, today: chinaToday(), progress: bar.update})
	bar.finish()
	if err != nil {
		return err
	}
	res.app.Close()
	fmt.Fprintf(env.stdout, "已生成基准县：%d 人，%d 户，用时 %.1f 秒\n", stats.Persons, stats.Households, stats.Duration.Seconds())
	return nil
}

type childServer struct {
	cmd *exec.Cmd
	url string
}

var servingURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)

func startChildServer(ctx context.Context, dsn, keyFile string) (*childServer, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--db", dsn, "--addr", "127.0.0.1:0"}
	if keyFile != "" {
		args = append(args, "--key-file", keyFile)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	u := servingURL.FindString(line)
	if u == "" {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("服务未能启动：%q %v", line, err)
	}
	go io.Copy(io.Discard, out)
	return &childServer{cmd: cmd, url: u}, nil
}

func (c *childServer) stop() {
	c.cmd.Process.Signal(os.Interrupt)
	c.cmd.Wait()
}

// memory returns the server's resident and peak resident memory in MB.
func (c *childServer) memory() (rss, peak float64) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(c.cmd.Process.Pid), "status"))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	return rss, peak
}

// benchSample is the village the measurements search in, with real values.
type benchSample struct {
	village, villageName, township string
	persons                        int
	ids, prefixes, twoChar         []string
}

func sampleVillage(ctx context.Context, dsn, keyFile string) (benchSample, error) {
	a, err := openApp(ctx, dsn, keyFile)
	if err != nil {
		return benchSample{}, err
	}
	defer a.Close()
	c := a.db.Reader()
	var s benchSample
	if err := c.QueryRow(ctx, `SELECT division_code FROM users WHERE username = 'village'`).Scan(&s.village); err != nil {
		return s, fmt.Errorf("基准库缺少演示账户 village：%w", err)
	}
	d, err := division.Get(ctx, c, s.village)
	if err != nil {
		return s, err
	}
	s.villageName, s.township = d.Name, d.ParentCode
	cond, args := db.Subtree("reg_path", d.Path)
	if err := c.QueryRow(ctx, `SELECT COUNT(*) FROM persons WHERE `+cond, args...).Scan(&s.persons); err != nil {
		return s, err
	}
	rows, err := c.Query(ctx, `SELECT name, id_enc FROM persons WHERE `+cond+` AND id_enc IS NOT NULL ORDER BY id LIMIT 200`, args...)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var enc []byte
		if err := rows.Scan(&name, &enc); err != nil {
			return s, err
		}
		id, err := a.keys.Decrypt("id_number", enc)
		if err != nil {
			return s, err
		}
		s.ids = append(s.ids, id)
		r := []rune(name)
		s.prefixes = append(s.prefixes, string(r[:1]))
		s.twoChar = append(s.twoChar, string(r[:min(2, len(r))]))
	}
	if len(s.ids) == 0 {
		return s, errors.New("基准村没有人员")
	}
	return s, rows.Err()
}

type benchResult struct {
	name         string
	user         string
	median, p95  time.Duration
	target       time.Duration
	totalSeen, n int
}

// measure signs in as the demo accounts and times each kind of request.
func measure(base string, s benchSample, rounds int) ([]benchResult, error) {
	village, err := benchLogin(base, "village")
	if err != nil {
		return nil, err
	}
	township, err := benchLogin(base, "township")
	if err != nil {
		return nil, err
	}
	county, err := benchLogin(base, "county")
	if err != nil {
		return nil, err
	}
	pick := func(list []string, i int) string { return list[i%len(list)] }
	cases := []struct {
		name, user string
		c          *http.Client
		target     time.Duration
		path       func(i int) string
	}{
		{"按完整身份证号查人（本村）", "village", village, 5 * time.Millisecond,
			func(i int) string { return "/api/v1/persons?q=" + pick(s.ids, i) }},
		{"按姓名前缀查人（本村）", "village", village, 5 * time.Millisecond,
			func(i int) string { return "/api/v1/persons?q=" + url.QueryEscape(pick(s.prefixes, i)) }},
		{"按姓名前缀查人（县级用户限定本村）", "county", county, 5 * time.Millisecond,
			func(i int) string {
				return "/api/v1/persons?division=" + s.village + "&q=" + url.QueryEscape(pick(s.prefixes, i))
			}},
		{"按完整身份证号查人（县级用户，全县）", "county", county, 5 * time.Millisecond,
			func(i int) string { return "/api/v1/persons?id_number=" + pick(s.ids, i) }},
		{"按姓名前缀查人（县级用户，全县，单字）", "county", county, 20 * time.Millisecond,
			func(i int) string { return "/api/v1/persons?q=" + url.QueryEscape(pick(s.prefixes, i)) }},
		{"按姓名前缀查人（县级用户，全县，两字）", "county", county, 20 * time.Millisecond,
			func(i int) string { return "/api/v1/persons?q=" + url.QueryEscape(pick(s.twoChar, i)) }},
		{"人员列表翻页（村）", "village", village, 20 * time.Millisecond,
			func(i int) string { return fmt.Sprintf("/api/v1/persons?page=%d&size=20", 1+i%50) }},
		{"人员列表翻页（乡镇）", "township", township, 20 * time.Millisecond,
			func(i int) string { return fmt.Sprintf("/api/v1/persons?page=%d&size=20", 1+i%50) }},
		{"人员列表翻页（全县）", "county", county, 20 * time.Millisecond,
			func(i int) string { return fmt.Sprintf("/api/v1/persons?page=%d&size=20", 1+i%50) }},
		{"人员列表第一页（全县按村筛选）", "county", county, 20 * time.Millisecond,
			func(i int) string { return "/api/v1/persons?size=20&division=" + s.village }},
	}
	var out []benchResult
	for _, c := range cases {
		for i := 0; i < 10; i++ { // warm caches and connections
			if _, err := benchGet(c.c, base+c.path(i)); err != nil {
				return nil, err
			}
		}
		times := make([]time.Duration, 0, rounds)
		total := 0
		for i := 0; i < rounds; i++ {
			start := time.Now()
			n, err := benchGet(c.c, base+c.path(i))
			if err != nil {
				return nil, err
			}
			times = append(times, time.Since(start))
			total = n
		}
		slices.Sort(times)
		out = append(out, benchResult{name: c.name, user: c.user, median: times[len(times)/2],
			p95: times[len(times)*95/100], target: c.target, totalSeen: total, n: rounds})
	}
	return out, nil
}

func benchLogin(base, user string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	body, _ := json.Marshal(map[string]string{"username": user, "password": DemoPassword})
	resp, err := c.Post(base+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("演示账户 %s 登录失败：%s", user, resp.Status)
	}
	return c, nil
}

// benchGet fetches a list and returns its total.
func benchGet(c *http.Client, u string) (int, error) {
	resp, err := c.Get(u)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var l struct {
		Total int `json:"total"`
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return 0, fmt.Errorf("GET %s: %s %s", u, resp.Status, b)
	}
	return l.Total, json.NewDecoder(resp.Body).Decode(&l)
}

func printBench(env *cliEnv, rs []benchResult, s benchSample, rss, peak float64) {
	w := env.stdout
	fmt.Fprintf(w, "\n基准村 %s %s（户籍人口 %d），每项 %d 次请求，经 HTTP 测量（含 JSON 编码）：\n\n", s.village, s.villageName, s.persons, rs[0].n)
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "测量项\t用户\t中位数\tP95\t目标\t结果总数\t结论")
	for _, r := range rs {
		verdict := "达标"
		if r.median > r.target {
			verdict = "未达标"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f ms\t%.2f ms\t< %v\t%d\t%s\n", r.name, r.user, ms(r.median), ms(r.p95), r.target, r.totalSeen, verdict)
	}
	tw.Flush()
	verdict := "达标"
	if peak > 300 {
		verdict = "未达标"
	}
	fmt.Fprintf(w, "\n服务进程常驻内存：当前 %.0f MB，峰值 %.0f MB（目标 < 300 MB）%s\n", rss, peak, verdict)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
