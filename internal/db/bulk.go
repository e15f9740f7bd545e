package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Bulk loads write many rows in one transaction, all or nothing. What the
// database does to let a single statement fail on its own is then wasted:
// on SQLite a statement that writes several rows and may abort halfway
// keeps a statement journal (a copy of every page it changes), and an
// AFTER INSERT trigger or an immediate foreign-key check makes every
// statement one that may; on PostgreSQL the per-row count triggers update
// the same counter rows again and again. A loader suspends the count
// triggers and keeps the counts itself, defers the foreign-key checks to
// the commit, writes one row per statement on SQLite, and lets a failing
// constraint roll the whole transaction back. A million-person load spent
// a third of its time writing statement journals before.

// SuspendTriggers stops the row-count triggers from counting inserts for
// the rest of the transaction and returns a function that starts them
// again; the caller must call it before committing (a rollback restores
// them by itself) and takes over what they did. On SQLite the named
// triggers are dropped and recreated. On PostgreSQL, where dropping or
// disabling a trigger would lock the table against every reader, the count
// trigger functions skip inserts while the transaction's setting
// jisheng.bulk_insert is on (migration 0005); the names are not needed.
func (t *Tx) SuspendTriggers(ctx context.Context, names ...string) (func(context.Context) error, error) {
	if t.Dialect() == Postgres {
		if _, err := t.Exec(ctx, `SELECT set_config('jisheng.bulk_insert', 'on', true)`); err != nil {
			return nil, err
		}
		return func(ctx context.Context) error {
			_, err := t.Exec(ctx, `SELECT set_config('jisheng.bulk_insert', 'off', true)`)
			return err
		}, nil
	}
	var defs []string
	for _, n := range names {
		var sql string
		if err := t.QueryRow(ctx, `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?`, n).Scan(&sql); err != nil {
			return nil, fmt.Errorf("trigger %s: %w", n, err)
		}
		if _, err := t.Exec(ctx, `DROP TRIGGER `+n); err != nil {
			return nil, err
		}
		defs = append(defs, sql)
	}
	return func(ctx context.Context) error {
		for _, d := range defs {
			if _, err := t.Exec(ctx, d); err != nil {
				return fmt.Errorf("restore trigger: %w", err)
			}
		}
		return nil
	}, nil
}

// DeferForeignKeys checks foreign keys at the commit rather than after each
// statement, for the rest of the transaction (SQLite; PostgreSQL's
// constraints here are not deferrable and stay immediate).
func (t *Tx) DeferForeignKeys(ctx context.Context) error {
	if t.Dialect() != SQLite {
		return nil
	}
	_, err := t.Exec(ctx, `PRAGMA defer_foreign_keys = ON`)
	return err
}

// BulkInsert is the verb of a bulk loader's INSERT: on SQLite a failing
// constraint rolls the whole transaction back instead of undoing the one
// statement, so the statement needs no journal.
func (c Conn) BulkInsert(table string) string {
	if c.dialect == SQLite {
		return "INSERT OR ROLLBACK INTO " + table
	}
	return "INSERT INTO " + table
}

// Upsert returns an INSERT that adds n to the counter of an existing key;
// both engines spell it the same way.
func Upsert(table, keys, counter string, cols []string) string {
	return `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES (` + Placeholders(len(cols)) + `)
		ON CONFLICT (` + keys + `) DO UPDATE SET ` + counter + ` = ` + table + `.` + counter + ` + excluded.` + counter
}

// SuspendIndexes drops the secondary indexes of table except those named
// in keep, for the rest of the transaction on SQLite, and returns a
// function that builds them again; the caller must call it before
// committing. Building an index once from a million rows is cheaper than
// inserting a million entries at random places in it. Readers keep their
// indexes meanwhile: they see the schema of the last commit. On PostgreSQL
// dropping an index would lock the table for every reader, so nothing is
// dropped there.
func (t *Tx) SuspendIndexes(ctx context.Context, table string, keep ...string) (func(context.Context) error, error) {
	if t.Dialect() != SQLite {
		return func(context.Context) error { return nil }, nil
	}
	rows, err := t.Query(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`, table)
	if err != nil {
		return nil, err
	}
	var names, defs []string
	for rows.Next() {
		var n, d string
		if err := rows.Scan(&n, &d); err != nil {
			rows.Close()
			return nil, err
		}
		if !slices.Contains(keep, n) {
			names, defs = append(names, n), append(defs, d)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, err := t.Exec(ctx, `DROP INDEX `+n); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context) error {
		for _, d := range defs {
			if _, err := t.Exec(ctx, d); err != nil {
				return fmt.Errorf("rebuild index: %w", err)
			}
		}
		return nil
	}, nil
}
