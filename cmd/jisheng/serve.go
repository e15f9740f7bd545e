package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"jisheng/internal/account"
	"jisheng/internal/apperr"
	"jisheng/internal/httpx"
	"jisheng/internal/importer"
	"jisheng/web"
)

// ServeConfig configures the server.
type ServeConfig struct {
	DSN, KeyFile string
	Addr         string
	Sessions     account.Config
	Log          *slog.Logger
	ImportLimit  int64 // bytes; 0 means importer.DefaultLimit
	// DaysAhead serves a demonstration database as if today were that many
	// days later (training on deadlines and posting windows); refused on a
	// real installation, whose dates must be the real ones.
	DaysAhead int
}

// Main is a running installation: the app and its HTTP server. Tests boot
// the whole server with Addr "127.0.0.1:0" and read the chosen address.
type Main struct {
	app      *app
	server   *http.Server
	listener net.Listener
	log      *slog.Logger
	Addr     string
}

// NewMain opens the installation and listens, without serving yet.
func NewMain(ctx context.Context, cfg ServeConfig) (*Main, error) {
	var clock func() time.Time
	if cfg.DaysAhead != 0 {
		ahead := time.Duration(cfg.DaysAhead) * 24 * time.Hour
		clock = func() time.Time { return time.Now().Add(ahead) }
	}
	a, err := openAppAt(ctx, cfg.DSN, cfg.KeyFile, clock)
	if err != nil {
		return nil, err
	}
	if err := onlyDemoAhead(ctx, a, cfg.DaysAhead); err != nil {
		a.Close()
		return nil, err
	}
	a.accounts = account.NewService(a.db, a.journal, cfg.Sessions, nil)
	a.importLimit = cfg.ImportLimit
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("无法监听 %s：%w", cfg.Addr, err)
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	m := &Main{app: a, listener: ln, log: log, Addr: ln.Addr().String()}
	m.server = &http.Server{
		Handler:           httpx.Stack(handler(a), log),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return m, nil
}

// onlyDemoAhead refuses to move the date of anything but a demonstration database.
func onlyDemoAhead(ctx context.Context, a *app, days int) error {
	if days == 0 {
		return nil
	}
	settings, err := readSettings(ctx, a.db)
	if err != nil {
		return err
	}
	if settings[settingDemo] != "1" {
		return fmt.Errorf("--days-ahead 只能用于 jisheng demo 生成的演示库：正式数据库的日期必须是真实日期")
	}
	if days < 0 || days > 3650 {
		return fmt.Errorf("--days-ahead 应在 0 到 3650 之间")
	}
	return nil
}

// handler assembles the API routes, the API document and the web app.
func handler(a *app) http.Handler {
	rs := routes(a)
	doc := openAPIDocument(rs)
	for i := range rs {
		if rs[i].Handler == nil { // the document describes the table it is part of
			rs[i].Handler = func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.Write(doc)
			}
		}
	}
	mux := http.NewServeMux()
	httpx.Mount(mux, rs, a.accounts.AuthenticateRequest)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, r, apperr.New(apperr.NotFound, "接口不存在"))
	})
	mux.Handle("/", web.Handler())
	return mux
}

// Run serves until ctx ends, then shuts down gracefully.
func (m *Main) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- m.server.Serve(m.listener) }()
	m.log.Info("jisheng serving", "addr", m.Addr, "db", m.app.db.Describe(), "version", Version)
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return m.server.Shutdown(shutdownCtx)
}

// Close releases the database.
func (m *Main) Close() error {
	m.listener.Close()
	return m.app.Close()
}

func runServe(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "serve", "serve [--db 数据库] [--addr 127.0.0.1:8080]")
	dsn, keyFile := dbFlags(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "监听地址")
	idle := fs.Duration("idle-timeout", account.DefaultConfig.IdleTimeout, "会话无操作超时")
	maxAge := fs.Duration("session-max", account.DefaultConfig.AbsoluteTimeout, "会话最长时限")
	secure := fs.Bool("secure-cookie", false, "会话 Cookie 只经 HTTPS 发送（在 HTTPS 反向代理后面时开启）")
	importMB := fs.Int64("import-max-mb", importer.DefaultLimit>>20, "网页导入文件的大小上限（MB）")
	ahead := fs.Int("days-ahead", 0, "仅演示库：按今天之后若干天的日期运行（培训公示期、随访期限等）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *importMB <= 0 {
		return usageError("--import-max-mb 应为正数")
	}
	if *idle < time.Minute || *maxAge < *idle {
		return usageError("--idle-timeout 应至少 1 分钟，且不大于 --session-max")
	}
	sessions := account.DefaultConfig
	sessions.IdleTimeout, sessions.AbsoluteTimeout, sessions.SecureCookie = *idle, *maxAge, *secure
	log := slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	m, err := NewMain(ctx, ServeConfig{DSN: *dsn, KeyFile: *keyFile, Addr: *addr, Sessions: sessions, Log: log,
		ImportLimit: *importMB << 20, DaysAhead: *ahead})
	if err != nil {
		return err
	}
	defer m.Close()
	fmt.Fprintf(env.stdout, "jisheng 已启动：http://%s （按 Ctrl+C 停止）\n", m.Addr)
	return m.Run(ctx)
}
