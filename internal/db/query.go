package db

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"jisheng/internal/apperr"
)

// Select builds a filtered list query from where/args slices and pages it.
//
// Totals come from a separate COUNT(*) rather than COUNT(*) OVER(): with a
// window count SQLite must materialise every matching row before LIMIT
// applies, which turns the first page of a county-wide list over a million
// persons from an index walk of 20 rows into a full scan.
type Select struct {
	Cols    string // column list of the page query
	From    string // table and joins
	OrderBy string
	where   []string
	args    []any
}

// Where adds a condition joined with AND.
func (s *Select) Where(cond string, args ...any) {
	s.where = append(s.where, cond)
	s.args = append(s.args, args...)
}

func (s *Select) tail() string {
	if len(s.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(s.where, " AND ")
}

// Count returns how many rows match.
func (s *Select) Count(ctx context.Context, c Conn) (int, error) {
	var n int
	err := c.QueryRow(ctx, "SELECT COUNT(*) FROM "+s.From+s.tail(), s.args...).Scan(&n)
	return n, Translate(err)
}

// Page returns rows of 1-based page number page with size rows per page.
func (s *Select) Page(ctx context.Context, c Conn, page, size int) (*sql.Rows, error) {
	return s.PageAt(ctx, c, (page-1)*size, size)
}

// PageAt returns at most limit rows after skipping offset.
func (s *Select) PageAt(ctx context.Context, c Conn, offset, limit int) (*sql.Rows, error) {
	q := "SELECT " + s.Cols + " FROM " + s.From + s.tail()
	if s.OrderBy != "" {
		q += " ORDER BY " + s.OrderBy
	}
	q += " LIMIT ? OFFSET ?"
	args := append(append([]any{}, s.args...), limit, offset)
	return c.Query(ctx, q, args...)
}

// NotFound maps sql.ErrNoRows to a not-found error with msg, wraps other
// errors as internal, and passes nil through.
func NotFound(err error, msg string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("%s", msg)
	}
	return apperr.Wrap(err, msg)
}
