package demo

import (
	"context"
	"strconv"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
)

const hhCols = `INSERT INTO households (id, hh_no, division_code, division_path, address, version, created_at,
	created_by, updated_at, updated_by) VALUES `
const hhValues = `(?, ?, ?, ?, ?, 1, ?, '` + Creator + `', ?, '` + Creator + `')`

const personCols = `INSERT INTO persons (id, name, sex, birth_date, id_enc, id_bidx, id_mask, phone_enc, phone_mask,
	ethnicity, hukou_type, marital_status, reg_division, reg_path, res_division, res_path, household_id, relation,
	mother_id, father_id, status, death_date, version, created_at, created_by, updated_at, updated_by) VALUES `
const personValues = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, '` + Creator + `', ?, '` + Creator + `')`

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

	txPersons int      // persons per transaction
	cacheKiB  int      // SQLite page cache during the load
	restore   []string // pragmas that undo tune
}

// run inserts the batches from in until it is closed, committing every
// txPersons persons.
func (w *writer) run(ctx context.Context, in <-chan *batch) error {
	if err := w.tune(ctx); err != nil {
		return err
	}
	for more := true; more; {
		n := 0
		err := w.d.Tx(ctx, func(tx *db.Tx) error {
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

// tune sets SQLite's writer connection up for the load, remembering the
// previous settings for restore:
//
//   - a larger page cache: every person lands at random places in the name
//     and ID blind-index indexes, and with their pages cached a
//     million-person load runs a quarter faster;
//   - statement journals in memory (temp_store): the count triggers on
//     persons and households make SQLite keep a statement journal for
//     every INSERT, a copy of each page the statement changes, which it
//     otherwise writes to a temporary file.
//
// The pragmas run in a transaction of their own: the temp_store setting a
// transaction starts with is the one it keeps.
func (w *writer) tune(ctx context.Context) error {
	if w.d.Dialect() != db.SQLite {
		return nil
	}
	return w.d.Tx(ctx, func(tx *db.Tx) error {
		var cache, temp int
		if err := tx.QueryRow(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
			return apperr.Wrap(err, "read cache size")
		}
		if err := tx.QueryRow(ctx, `PRAGMA temp_store`).Scan(&temp); err != nil {
			return apperr.Wrap(err, "read temp store")
		}
		if _, err := tx.Exec(ctx, `PRAGMA cache_size = `+strconv.Itoa(-w.cacheKiB)); err != nil {
			return apperr.Wrap(err, "set cache size")
		}
		w.restore = []string{`PRAGMA cache_size = ` + strconv.Itoa(cache)}
		// temp_store cannot change once the connection has used temporary
		// tables; then the load runs with statement journals in files.
		if _, err := tx.Exec(ctx, `PRAGMA temp_store = MEMORY`); err == nil {
			w.restore = append(w.restore, `PRAGMA temp_store = `+strconv.Itoa(temp))
		}
		return nil
	})
}

// untune restores the settings tune changed. It is best effort: a
// connection left with a larger cache or in-memory temporary storage works
// correctly, and the load itself has succeeded or failed by now.
func (w *writer) untune(ctx context.Context) {
	if len(w.restore) == 0 {
		return
	}
	_ = w.d.Tx(ctx, func(tx *db.Tx) error {
		for _, q := range w.restore {
			_, _ = tx.Exec(ctx, q)
		}
		return nil
	})
}

// insert writes one batch: households first, then their members, parents
// before children.
func (w *writer) insert(ctx context.Context, tx *db.Tx, b *batch) error {
	if err := insertRows(ctx, tx, hhCols, hhValues, insertRowsPerStmt, len(b.households), func(args []any, i int) []any {
		h := &b.households[i]
		return append(args, h.id, h.no, h.code, h.path, h.address, w.now, w.now)
	}, &w.args); err != nil {
		return apperr.Wrap(err, "insert households")
	}
	return apperr.Wrap(insertRows(ctx, tx, personCols, personValues, insertRowsPerStmt, len(b.persons), func(args []any, i int) []any {
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
		stmt, err := tx.Prepare(ctx, head+db.RepeatValues(values, chunk))
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
		if _, err := tx.Exec(ctx, head+db.RepeatValues(values, n-i), args...); err != nil {
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
