package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Bulk loads write many rows in one transaction. On SQLite three things
// make each multi-row INSERT keep a statement journal (a copy of every page
// it changes, so that a failing statement can be undone on its own): an
// AFTER INSERT trigger, an immediate foreign-key check, and a constraint
// that aborts the statement. A loader that writes all or nothing needs none
// of that: it suspends the triggers and does their work itself, defers the
// foreign-key checks to the commit, and lets a failing constraint roll back
// the whole transaction. A load of a million persons spent a third of its
// time writing statement journals otherwise.

// SuspendTriggers drops the named triggers for the rest of the transaction
// on SQLite and returns a function that recreates them; the caller must call
// it before committing (a rollback restores them by itself). The caller
// takes over what the triggers did. On PostgreSQL, where triggers cost no
// journal, nothing is suspended and the returned function does nothing:
// the caller must then not repeat the triggers' work (see SuspendsTriggers).
func (t *Tx) SuspendTriggers(ctx context.Context, names ...string) (func(context.Context) error, error) {
	if t.Dialect() != SQLite {
		return func(context.Context) error { return nil }, nil
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

// SuspendsTriggers reports whether SuspendTriggers really suspends them.
func (c Conn) SuspendsTriggers() bool { return c.dialect == SQLite }

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
