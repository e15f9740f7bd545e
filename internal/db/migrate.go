package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFiles embed.FS

// DestructiveMarker in a migration file means it drops or rewrites data; such a
// migration is applied only when the operator confirms a fresh backup.
const DestructiveMarker = "-- jisheng:destructive"

// Migration is one embedded schema change.
type Migration struct {
	Version     int
	Name        string
	SQL         string
	Destructive bool
}

// Migrations lists the embedded migrations of the DB's dialect in order.
func (d *DB) Migrations() ([]Migration, error) {
	dir := path.Join("migrations", string(d.dialect))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s is not named NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(body),
			Destructive: strings.Contains(string(body), DestructiveMarker)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Applied returns the versions already applied.
func (d *DB) Applied(ctx context.Context) (map[int]bool, error) {
	if _, err := d.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return nil, Translate(err)
	}
	rows, err := d.Reader().Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	done := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		done[v] = true
	}
	return done, rows.Err()
}

// Pending returns the migrations not yet applied.
func (d *DB) Pending(ctx context.Context) ([]Migration, error) {
	all, err := d.Migrations()
	if err != nil {
		return nil, err
	}
	done, err := d.Applied(ctx)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, m := range all {
		if !done[m.Version] {
			out = append(out, m)
		}
	}
	return out, nil
}

// ErrNeedsBackup is returned when a destructive migration waits for the operator.
type ErrNeedsBackup struct{ Migration Migration }

func (e *ErrNeedsBackup) Error() string {
	return fmt.Sprintf("迁移 %04d_%s 会改写已有数据：请先运行 jisheng backup 备份数据库，再运行 jisheng migrate --backed-up",
		e.Migration.Version, e.Migration.Name)
}

// Migrate applies pending migrations in order, each in its own transaction.
// Destructive migrations stop the run unless allowDestructive is set.
func (d *DB) Migrate(ctx context.Context, allowDestructive bool) ([]Migration, error) {
	pending, err := d.Pending(ctx)
	if err != nil {
		return nil, err
	}
	var applied []Migration
	for _, m := range pending {
		if m.Destructive && !allowDestructive {
			return applied, &ErrNeedsBackup{Migration: m}
		}
		err := d.Tx(ctx, func(tx *Tx) error {
			if _, err := tx.q.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, Now())
			return err
		})
		if err != nil {
			return applied, err
		}
		applied = append(applied, m)
	}
	return applied, nil
}
