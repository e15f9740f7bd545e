// Package dbtest gives tests real databases: a fresh SQLite file per test and
// a fresh database on a throwaway PostgreSQL server, which it starts from the
// machine's PostgreSQL binaries in a temporary directory (unix socket only, no
// TCP port, no running service assumed) and stops when the test binary ends.
//
// A package using it declares
//
//	func TestMain(m *testing.M) { dbtest.Main(m) }
//
// and writes storage tests once with Each, which runs them on both engines.
package dbtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"jisheng/internal/db"
)

// Main runs the tests and then stops the PostgreSQL server if one was started.
func Main(m *testing.M) {
	code := m.Run()
	stopServer()
	os.Exit(code)
}

// Each runs fn twice, as subtests "sqlite" and "postgres", each on a fresh
// migrated database.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated database in a new file under t.TempDir().
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	return openMigrated(t, SQLitePath(t))
}

// SQLitePath returns a fresh SQLite file path (not yet created).
func SQLitePath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "jisheng.db")
}

// Postgres returns a migrated database freshly created on the test server.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	return openMigrated(t, PostgresDSN(t, true))
}

// PostgresDSN creates a new database on the test server and returns its URL;
// migrated says whether it starts from the migrated template or empty.
func PostgresDSN(t testing.TB, migrated bool) string {
	t.Helper()
	s, err := server()
	if err != nil {
		t.Fatalf("PostgreSQL test server: %v", err)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbCounter.Add(1))
	tmpl := "template0"
	if migrated {
		tmpl = "jisheng_template"
	}
	if _, err := s.admin.Exec(fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, tmpl)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	return s.dsn(name)
}

func openMigrated(t testing.TB, dsn string) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx, true); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

var dbCounter atomic.Int64

type pgServer struct {
	dir     string
	sockDir string
	port    int
	cmd     *exec.Cmd
	admin   *sql.DB
}

func (s *pgServer) dsn(dbname string) string {
	return fmt.Sprintf("postgres://jisheng@/%s?host=%s&port=%d&sslmode=disable", dbname, s.sockDir, s.port)
}

var (
	srvOnce sync.Once
	srv     *pgServer
	srvErr  error
)

func server() (*pgServer, error) {
	srvOnce.Do(func() { srv, srvErr = startServer() })
	return srv, srvErr
}

func startServer() (*pgServer, error) {
	initdb, err := db.FindPostgresBin("initdb")
	if err != nil {
		return nil, err
	}
	postgres := filepath.Join(filepath.Dir(initdb), "postgres")
	if _, err := os.Stat(postgres); err != nil {
		if postgres, err = db.FindPostgresBin("postgres"); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "jisheng-pg-")
	if err != nil {
		return nil, err
	}
	s := &pgServer{dir: dir, sockDir: dir, port: 5432}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	out, err := runAs(cred, initdb, "-D", data, "-U", "jisheng", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(postgres, "-D", data, "-k", s.sockDir, "-p", strconv.Itoa(s.port),
		"-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=128MB")
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	// The server dies with the test binary even if the binary is killed.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT, Setpgid: true}
	if cred != nil {
		_ = os.Chown(logFile.Name(), int(cred.Uid), int(cred.Gid))
	}
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	if err := s.waitReady(30 * time.Second); err != nil {
		log, _ := os.ReadFile(logFile.Name())
		s.stop()
		return nil, fmt.Errorf("%w; server log:\n%s", err, log)
	}
	if err := s.makeTemplate(); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func (s *pgServer) waitReady(limit time.Duration) error {
	admin, err := sql.Open("pgx", s.dsn("postgres"))
	if err != nil {
		return err
	}
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = admin.PingContext(ctx)
		cancel()
		if err == nil {
			s.admin = admin
			return nil
		}
		if time.Now().After(deadline) {
			admin.Close()
			return fmt.Errorf("postgres did not accept connections within %v: %w", limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// makeTemplate migrates a template database once so that each test's
// database is a cheap copy of it.
func (s *pgServer) makeTemplate() error {
	if _, err := s.admin.Exec(`CREATE DATABASE jisheng_template TEMPLATE template0`); err != nil {
		return err
	}
	d, err := db.Open(context.Background(), s.dsn("jisheng_template"))
	if err != nil {
		return err
	}
	_, err = d.Migrate(context.Background(), true)
	return errors.Join(err, d.Close())
}

func (s *pgServer) stop() {
	if s.admin != nil {
		s.admin.Close()
	}
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
		}
	}
	os.RemoveAll(s.dir)
}

func stopServer() {
	if srv != nil {
		srv.stop()
	}
}

// serverCredential returns who the server runs as: PostgreSQL refuses to run
// as root, so under root it runs as the postgres (or nobody) account.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root and neither a postgres nor a nobody account exists to run the test server")
}

func runAs(cred *syscall.Credential, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if cred != nil {
		cmd.Dir = "/"
	}
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
