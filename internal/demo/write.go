package demo

import (
	"context"
	"strconv"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
)

const hhCols = `INSERT INTO households (id, hh_no, division_code, division_path, address, version, created_at,
	created_by, updated_at, updated_by) VALUES `
const hhValues = `(?, ?, ?, ?, ?, 1, ?, 'demo', ?, 'demo')`

const personCols = `INSERT INTO persons (id, name, sex, birth_date, id_enc, id_bidx, id_mask, phone_enc, phone_mask,
	ethnicity, hukou_type, marital_status, reg_division, reg_path, res_division, res_path, household_id, relation,
	mother_id, father_id, status, death_date, version, created_at, created_by, updated_at, updated_by) VALUES `
const personValues = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, 'demo', ?, 'demo')`

// multiRow returns an INSERT of n rows.
func multiRow(head, values string, n int) string {
	var b strings.Builder
	b.Grow(len(head) + n*(len(values)+2))
	b.WriteString(head)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(values)
	}
	return b.String()
}

// writer inserts batches on the caller's goroutine.
type writer struct {
	d        *db.DB
	now      string
	total    int
	done     int // persons inserted (not necessarily committed)
	reported int
	progress func(done, total int)
	wrote    bool // a transaction with rows has been committed
	args     []any

	txPersons            int // persons per transaction
	personChunk, hhChunk int // rows per INSERT statement
	cacheKiB             int // SQLite page cache during the load; 0 leaves it
	oldCache             *int
}

// run inserts the batches from in until it is closed, committing every
// txPersons persons.
func (w *writer) run(ctx context.Context, in <-chan *batch) error {
	for more := true; more; {
		n := 0
		err := w.d.Tx(ctx, func(tx *db.Tx) error {
			if err := w.setCache(ctx, tx); err != nil {
				return err
			}
			for n < w.txPersons {
				b, ok := <-in
				if !ok {
					more = false
					return nil
				}
				if err := w.insert(ctx, tx, b); err != nil {
					return err
				}
				n += len(b.persons)
			}
			return nil
		})
		if err != nil {
			return err
		}
		w.wrote = w.wrote || n > 0
	}
	return nil
}

// setCache enlarges SQLite's page cache for the load, remembering the
// previous size. Every person touches two indexes at random places (the
// name and the ID blind index); with their pages cached, a million-person
// load runs about a third faster. The cache is memory the connection keeps
// until restoreCache.
func (w *writer) setCache(ctx context.Context, tx *db.Tx) error {
	if w.d.Dialect() != db.SQLite || w.cacheKiB == 0 || w.oldCache != nil {
		return nil
	}
	var old int
	if err := tx.QueryRow(ctx, `PRAGMA cache_size`).Scan(&old); err != nil {
		return apperr.Wrap(err, "read cache size")
	}
	if _, err := tx.Exec(ctx, `PRAGMA cache_size = `+strconv.Itoa(-w.cacheKiB)); err != nil {
		return apperr.Wrap(err, "set cache size")
	}
	w.oldCache = &old
	return nil
}

// restoreCache puts the page cache back to its size before the load.
func (w *writer) restoreCache(ctx context.Context) error {
	if w.oldCache == nil {
		return nil
	}
	return w.d.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `PRAGMA cache_size = `+strconv.Itoa(*w.oldCache))
		return apperr.Wrap(err, "restore cache size")
	})
}

// insert writes one batch: households first, then their members, parents
// before children.
func (w *writer) insert(ctx context.Context, tx *db.Tx, b *batch) error {
	if err := insertRows(ctx, tx, hhCols, hhValues, w.hhChunk, len(b.households), func(args []any, i int) []any {
		h := &b.households[i]
		return append(args, h.id, h.no, h.code, h.path, h.address, w.now, w.now)
	}, &w.args); err != nil {
		return apperr.Wrap(err, "insert households")
	}
	return apperr.Wrap(insertRows(ctx, tx, personCols, personValues, w.personChunk, len(b.persons), func(args []any, i int) []any {
		p := &b.persons[i]
		args = append(args, p.id, p.name, p.sex, p.birth, p.idEnc, p.idBidx, p.idMask, blob(p.phoneEnc),
			text(p.phoneMask), p.ethnicity, p.hukou, p.marital, p.reg, p.regPath, p.res, p.resPath, p.household,
			p.relation, ref(p.mother), ref(p.father), status(p.deceased), text(p.death), w.now, w.now)
		w.done++
		w.tick()
		return args
	}, &w.args), "insert persons")
}

// tick reports progress about every 1%.
func (w *writer) tick() {
	if w.progress != nil && w.done < w.total && w.done-w.reported >= max(1, w.total/100) {
		w.reported = w.done
		w.progress(w.done, w.total)
	}
}

// finish advances PostgreSQL's identity sequences past the ids written here,
// so that the next ordinary insert does not collide with them.
func (w *writer) finish(ctx context.Context) error {
	if w.d.Dialect() != db.Postgres {
		return nil
	}
	return w.d.Tx(ctx, func(tx *db.Tx) error {
		for _, t := range []string{"persons", "households"} {
			if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))`); err != nil {
				return apperr.Wrap(err, "advance "+t+" id sequence")
			}
		}
		return nil
	})
}

// insertRows inserts n rows with a prepared statement of chunk rows and one
// statement for the remainder; add appends row i's arguments.
func insertRows(ctx context.Context, tx *db.Tx, head, values string, chunk, n int, add func([]any, int) []any, buf *[]any) error {
	if n == 0 {
		return nil
	}
	i := 0
	if n >= chunk {
		stmt, err := tx.Prepare(ctx, multiRow(head, values, chunk))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for ; i+chunk <= n; i += chunk {
			args := (*buf)[:0]
			for j := i; j < i+chunk; j++ {
				args = add(args, j)
			}
			*buf = args
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return db.Translate(err)
			}
		}
	}
	if i < n {
		args := (*buf)[:0]
		for j := i; j < n; j++ {
			args = add(args, j)
		}
		*buf = args
		if _, err := tx.Exec(ctx, multiRow(head, values, n-i), args...); err != nil {
			return err
		}
	}
	return nil
}

// Column values: NULL rather than empty strings, blobs and zero ids.
func text(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func blob(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

func ref(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func status(deceased bool) string {
	if deceased {
		return "deceased"
	}
	return "alive"
}
