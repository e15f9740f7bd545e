// Package db opens jisheng's database, SQLite for a county or PostgreSQL for
// a city or province, and hides the few differences between them behind one
// hand-written SQL layer.
//
// All SQL in jisheng is written once with '?' placeholders and plain types
// both engines share: dates are TEXT 'YYYY-MM-DD' and instants TEXT RFC 3339
// in UTC (both sort as text, so range scans and comparisons are identical on
// the two engines), status flags are TEXT codes, keys are 64-bit integers.
// PostgreSQL columns that take part in prefix or range scans use COLLATE "C"
// so that they compare byte-wise like SQLite does.
//
// SQLite runs with one writer connection and a pool of readers: WAL lets
// readers proceed while the single writer commits, and funnelling writes
// through one connection means a transaction never has to upgrade a lock and
// never meets SQLITE_BUSY from inside the same process.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"jisheng/internal/apperr"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DefaultPath is where the SQLite database lives unless --db or JISHENG_DB says otherwise.
const DefaultPath = "data/jisheng.db"

// DB is an open database with a writer and a reader pool (the same pool on PostgreSQL).
type DB struct {
	dialect Dialect
	dsn     string
	path    string // SQLite file path; empty for PostgreSQL
	write   *sql.DB
	read    *sql.DB
}

// IsPostgresDSN reports whether dsn names a PostgreSQL server rather than a SQLite file.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to dsn: a postgres:// URL or a SQLite file path (created if absent).
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		dsn = DefaultPath
	}
	var d *DB
	var err error
	if IsPostgresDSN(dsn) {
		d, err = openPostgres(dsn)
	} else {
		d, err = openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := d.write.PingContext(pingCtx); err != nil {
		d.Close()
		return nil, fmt.Errorf("无法连接数据库 %s: %w", d.Describe(), err)
	}
	return d, nil
}

func openPostgres(dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", withoutJIT(dsn))
	if err != nil {
		return nil, fmt.Errorf("数据库地址无效: %w", err)
	}
	pool.SetMaxOpenConns(16)
	pool.SetMaxIdleConns(8)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{dialect: Postgres, dsn: dsn, write: pool, read: pool}, nil
}

// withoutJIT turns PostgreSQL's JIT compilation off for the connections
// unless the address sets jit itself: a report's queries run in tens of
// milliseconds, and compiling them (when a million-person county's cost
// estimates pass jit_above_cost) took 300 ms more each.
func withoutJIT(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn // sql.Open says what is wrong with it
	}
	q := u.Query()
	if q.Has("jit") {
		return dsn
	}
	q.Set("jit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

func openSQLite(path string) (*DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("数据库文件路径不能包含 ? 或 #: %s", path)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("无法创建数据库目录 %s: %w", dir, err)
		}
	}
	// busy_timeout must come first: the journal_mode change itself can meet a
	// lock held by another process (a CLI command beside a running server).
	pragmas := []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(ON)"}
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	// Page caches are private to each connection and count against the
	// server's memory; the OS caches the file for all of them. The writer
	// gets a larger one for index maintenance during bulk loads.
	writerQ := url.Values{"_txlock": {"immediate"}}
	for k, v := range q {
		writerQ[k] = append([]string{}, v...)
	}
	writerQ.Add("_pragma", "cache_size(-32000)")
	q.Add("_pragma", "cache_size(-8000)")
	u := func(v url.Values) string { return "file:" + path + "?" + v.Encode() }
	write, err := sql.Open("sqlite", u(writerQ))
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	readQ := url.Values{}
	for k, v := range q {
		readQ[k] = v
	}
	readQ.Add("_pragma", "query_only(1)")
	read, err := sql.Open("sqlite", u(readQ))
	if err != nil {
		write.Close()
		return nil, err
	}
	n := max(4, 2*runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	return &DB{dialect: SQLite, dsn: path, path: path, write: write, read: read}, nil
}

// Close closes both pools.
func (d *DB) Close() error {
	if d == nil {
		return nil
	}
	err := d.write.Close()
	if d.read != d.write {
		err = errors.Join(err, d.read.Close())
	}
	return err
}

// Dialect returns the engine.
func (d *DB) Dialect() Dialect { return d.dialect }

// Path returns the SQLite file path, or "" on PostgreSQL.
func (d *DB) Path() string { return d.path }

// Describe names the database for messages without revealing a password.
func (d *DB) Describe() string {
	if d.dialect == SQLite {
		return d.path
	}
	u, err := url.Parse(d.dsn)
	if err != nil {
		return "postgres"
	}
	return u.Redacted()
}

// Reader returns a connection for reads outside a transaction.
func (d *DB) Reader() Conn { return Conn{q: d.read, dialect: d.dialect} }

// Tx runs fn in a write transaction and commits if it returns nil. On
// SQLite the transaction starts IMMEDIATE on the single writer connection.
func (d *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return Translate(err)
	}
	tx := &Tx{Conn: Conn{q: sqlTx, dialect: d.dialect}, tx: sqlTx}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return Translate(err)
	}
	return nil
}

// ReadTx runs fn in a read-only snapshot, for reads that must agree with each other.
func (d *DB) ReadTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := d.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: d.dialect == Postgres})
	if err != nil {
		return Translate(err)
	}
	defer sqlTx.Rollback()
	return fn(&Tx{Conn: Conn{q: sqlTx, dialect: d.dialect}, tx: sqlTx})
}

// Tx is a write transaction.
type Tx struct {
	Conn
	tx *sql.Tx
}

// Prepare prepares a statement inside the transaction, for bulk loads.
func (t *Tx) Prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, rebind(t.dialect, query))
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Conn runs SQL written with '?' placeholders on either engine.
type Conn struct {
	q       querier
	dialect Dialect
}

// Dialect returns the engine.
func (c Conn) Dialect() Dialect { return c.dialect }

// Query runs a query returning rows.
func (c Conn) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := c.q.QueryContext(ctx, rebind(c.dialect, query), args...)
	return rows, Translate(err)
}

// QueryRow runs a query returning at most one row.
func (c Conn) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return c.q.QueryRowContext(ctx, rebind(c.dialect, query), args...)
}

// Exec runs a statement.
func (c Conn) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := c.q.ExecContext(ctx, rebind(c.dialect, query), args...)
	return res, Translate(err)
}

// InsertID runs an INSERT … RETURNING id and returns the id.
func (c Conn) InsertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := c.QueryRow(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, Translate(err)
}

var rebound sync.Map // query text → PostgreSQL form

// rebind turns '?' placeholders into $1, $2, … for PostgreSQL. Queries never
// contain '?' inside string literals; that is a rule of this code base.
func rebind(d Dialect, q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	s := b.String()
	rebound.Store(q, s)
	return s
}

// RepeatValues returns n copies of a VALUES tuple such as "(?, ?)",
// separated by commas, for an INSERT of n rows.
func RepeatValues(tuple string, n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat(tuple+", ", n-1) + tuple
}

// Placeholders returns "?, ?, …" with n marks, for IN lists and multi-row inserts.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// Translate turns driver errors that callers act on into *apperr.Error and
// leaves others as they are. A nil error stays nil.
func Translate(err error) error {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	switch {
	case IsUniqueViolation(err):
		return &apperr.Error{Code: apperr.Conflict, Message: "记录重复，与已有记录冲突", Err: err}
	case isBusy(err):
		return &apperr.Error{Code: apperr.Unavailable, Message: "系统繁忙，请稍后重试", Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &apperr.Error{Code: apperr.Unavailable, Message: "请求已取消或超时", Err: err}
	}
	return err
}

// IsUniqueViolation reports whether err is a unique-constraint violation on either engine.
func IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

func isBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01" || pe.Code == "55P03"
	}
	return false
}

// Now is the instant format stored in the database: RFC 3339 UTC with milliseconds,
// fixed width so that text order equals time order.
func Now() string { return FormatTime(time.Now()) }

// TimeLayout is the stored instant layout.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime renders t in the stored layout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads a stored instant.
func ParseTime(s string) (time.Time, error) { return time.Parse(TimeLayout, s) }

// Lock serialises transactions that use the same key until tx ends, for
// check-then-insert rules no unique index can express (one household head,
// no two persons with one ID number). On PostgreSQL it takes a
// transaction-scoped advisory lock; SQLite's single writer already runs
// write transactions one at a time.
func (t *Tx) Lock(ctx context.Context, key string) error {
	if t.dialect != Postgres {
		return nil
	}
	_, err := t.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, key)
	return err
}

// Analyze refreshes the planner's statistics after a bulk load. On
// PostgreSQL it vacuums too: the visibility map it sets lets covering
// indexes answer without visiting the freshly written table.
func (d *DB) Analyze(ctx context.Context) error {
	q := `ANALYZE`
	if d.dialect == Postgres {
		q = `VACUUM (ANALYZE)`
	}
	_, err := d.write.ExecContext(ctx, q)
	return Translate(err)
}

// Unindexed returns a reference to col that no index may serve. SQLite plans
// without range statistics, so a query that knows which index is selective
// hides the others this way (unary + costs nothing there); PostgreSQL plans
// from statistics and gets the column unchanged.
func (c Conn) Unindexed(col string) string { return Unindexed(c.dialect, col) }

// Unindexed is Conn.Unindexed for SQL built before a connection is at hand.
func Unindexed(d Dialect, col string) string {
	if d == SQLite {
		return "+" + col
	}
	return col
}
