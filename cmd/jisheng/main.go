// Command jisheng is the one binary of 计生服务管理系统: it serves the web app
// and API, and administers an installation from the command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"jisheng/internal/apperr"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, env *cliEnv, args []string) error
}

// cliEnv carries the streams a command uses, so tests can run commands in process.
type cliEnv struct {
	stdin  *os.File
	stdout io.Writer
	stderr io.Writer
}

var commands = map[string]command{
	"serve":   {"启动服务（网页和接口）", runServe},
	"init":    {"初始化数据库：导入区县的乡镇和村，创建第一个系统管理员", runInit},
	"demo":    {"生成演示县（合成人口数据）", runDemo},
	"user":    {"管理用户：add、list、reset-password、unlock", runUser},
	"migrate": {"执行数据库迁移", runMigrate},
	"import":  {"从 .xlsx/.csv 导入人员、家庭户或人口事件；import template 生成模板", runImport},
	"backup":  {"备份数据库", runBackup},
	"audit":   {"审计日志：verify 校验哈希链，list 查看", runAudit},
	"quality": {"数据质量：recompute 重新计算全部问题", runQuality},
	"report":  {"统计报表：按区划和期间计算全部指标，输出 JSON 或 .xlsx", runReport},
	"version": {"显示版本", runVersion},
	"bench":   {"性能基准：在百万人口演示县上测量查询速度和内存", runBench},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &cliEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	if err := run(ctx, env, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "错误：", oneLine(err))
		}
		os.Exit(exitCode(err))
	}
}

func run(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.stdout)
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		usage(env.stderr)
		return usageError(fmt.Sprintf("未知命令 %q", args[0]))
	}
	return cmd.run(ctx, env, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "jisheng — 计生服务管理系统\n\n用法：jisheng <命令> [参数]\n\n命令：")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\n数据库命令都接受 --db（SQLite 文件路径或 postgres:// 地址；默认 data/jisheng.db，或环境变量 JISHENG_DB）。\n用 jisheng <命令> -h 查看该命令的参数。")
}

// usageError is a mistake in the command line (exit status 2).
type usageError string

func (e usageError) Error() string { return string(e) }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

// oneLine renders err for the terminal: an application error as its Chinese
// message and the field it names, anything else as it is.
func oneLine(err error) string {
	msg := err.Error()
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code != apperr.Internal {
		msg = ae.Message
		if ae.Field != "" {
			msg += "（" + ae.Field + "）"
		}
	}
	return strings.ReplaceAll(strings.TrimSpace(msg), "\n", "；")
}

// newFlags returns a flag set whose errors are returned, not printed and exited on.
func newFlags(env *cliEnv, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "用法：jisheng %s\n\n参数：\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args and refuses stray positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError(err.Error())
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Sprintf("多余的参数：%s", strings.Join(fs.Args(), " ")))
	}
	return nil
}

// dbFlags adds --db and --key-file to fs.
func dbFlags(fs *flag.FlagSet) (dsn, keyFile *string) {
	dsn = fs.String("db", dbFlagDefault(), "数据库：SQLite 文件路径或 postgres:// 地址（环境变量 JISHENG_DB）")
	keyFile = fs.String("key-file", "", "字段加密密钥文件（默认在 SQLite 数据库旁的 jisheng.key；环境变量 JISHENG_KEY_FILE 或 JISHENG_KEY）")
	return
}

func runVersion(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "version", "version")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "jisheng", Version)
	return nil
}
