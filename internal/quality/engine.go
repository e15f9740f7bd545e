package quality

import (
	"context"
	"database/sql"
	"hash/fnv"
	"maps"
	"slices"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
)

// key names one finding: a rule's verdict on one record. Rules and
// entities are small numbers, so a county's worth of keys stays compact.
type key struct {
	id     int64
	rule   uint8 // index in Rules, or unknownRule
	entity uint8 // 0 person, 1 household
}

const unknownRule = 255

// ruleIndex returns the index of a rule code in Rules. It is called for
// every stored finding a recompute reads, so it looks up a map built once
// (Go does not allocate for a map lookup by string(bytes)).
func ruleIndex(code string) uint8 {
	if i, ok := ruleIndexes[code]; ok {
		return i
	}
	return unknownRule
}

var ruleIndexes = func() map[string]uint8 {
	m := map[string]uint8{}
	for i, r := range Rules {
		m[r.Code] = uint8(i)
	}
	return m
}()

func entityIndex(e string) uint8 {
	if e == EntityHousehold {
		return 1
	}
	return 0
}

var entityNames = [2]string{EntityPerson, EntityHousehold}

// stored is what a run needs of a finding already in the table: its digest,
// to tell an unchanged finding from a changed one, and (when the run covers
// ids) its division, whose counts a change must rewrite.
type stored struct {
	sum  uint64
	path string
}

// Changes counts what a run wrote.
type Changes struct {
	Added   int `json:"added"`   // findings that appeared
	Updated int `json:"updated"` // findings whose detail or division changed
	Cleared int `json:"cleared"` // findings that no longer hold
}

func (c *Changes) add(o Changes) {
	c.Added += o.Added
	c.Updated += o.Updated
	c.Cleared += o.Cleared
}

// sink takes the findings a producer finds. The values may be raw bytes of
// a result row, valid only during the call.
type sink interface {
	offer(entity string, id int64, rule string, path, detail, group []byte)
}

// output is where a producer sends its findings, and what producers share.
type output struct {
	sink
	dups *dupHashes // the row pass of a subtree gathers probable-duplicate candidates here
}

// run compares what the rules find with the findings stored for the same
// records and keeps the difference to write: a finding that still holds
// keeps its found_at, and a recompute over an unchanged county writes
// nothing. Rows are compared as they stream in, by digest, so an unchanged
// finding costs no allocation.
type run struct {
	full    bool
	have    map[key]stored
	upserts findingBlocks
	paths   map[string]bool // divisions whose counts must be rewritten (id scopes)
	retired []finding       // stored findings of rules no longer known
	// spill, if set, takes each full block of findings to write, so that a
	// writer can store them while the run goes on.
	spill func([]finding)
	Changes
}

// newRun returns a run expecting about n stored findings.
func newRun(full bool, n int) *run {
	return &run{full: full, have: make(map[key]stored, n), paths: map[string]bool{}}
}

func digest(path, detail, group []byte) uint64 {
	h := fnv.New64a()
	h.Write(path)
	h.Write([]byte{0})
	h.Write(detail)
	h.Write([]byte{0})
	h.Write(group)
	return h.Sum64()
}

// haveQueries returns, per entity, the query of the stored findings of a
// scope: of a subtree's persons (within sc's id range, if any) and
// households, or of the ids. A subtree's findings are read without their
// division (its counts are all rewritten anyway).
func haveQueries(sc scope, entities ...string) (es, qs []string, args [][]any) {
	path := "division_path"
	if sc.full() {
		path = "NULL"
	}
	sel := `SELECT entity_id, rule, digest, ` + path + ` FROM dq_findings WHERE entity = ?`
	for _, e := range entities {
		q, a := sel, []any{e}
		switch {
		case sc.full():
			if sc.path != "/" {
				cond, ca := db.Subtree("division_path", sc.path)
				q, a = q+" AND "+cond, append(a, ca...)
			}
			if sc.hi > 0 && e == EntityPerson {
				q, a = q+" AND entity_id BETWEEN ? AND ?", append(a, sc.lo, sc.hi)
			}
		case e == EntityPerson && len(sc.persons) > 0:
			cond, ca := idCond("entity_id", sc.persons)
			q, a = q+" AND "+cond, append(a, ca...)
		case e == EntityHousehold && len(sc.households) > 0:
			cond, ca := idCond("entity_id", sc.households)
			q, a = q+" AND "+cond, append(a, ca...)
		default:
			continue
		}
		es, qs, args = append(es, e), append(qs, q), append(args, a)
	}
	return es, qs, args
}

// loadHave reads stored findings into the run.
func (r *run) loadHave(ctx context.Context, c db.Conn, sc scope, entities ...string) error {
	es, qs, args := haveQueries(sc, entities...)
	for i, q := range qs {
		if err := r.readHave(ctx, c, es[i], q, args[i]); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) readHave(ctx context.Context, c db.Conn, entity, q string, args []any) error {
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return apperr.Wrap(err, "stored findings")
	}
	defer rows.Close()
	var id, sum int64
	var rule, path sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id, &rule, &sum, &path); err != nil {
			return apperr.Wrap(err, "scan stored finding")
		}
		k := key{id: id, rule: ruleIndex(string(rule)), entity: entityIndex(entity)}
		if k.rule == unknownRule { // a rule an earlier version had: its findings go
			r.retired = append(r.retired, finding{Entity: entity, EntityID: id, Rule: string(rule), Path: string(path)})
			continue
		}
		s := stored{sum: uint64(sum)}
		if !r.full {
			s.path = string(path)
		}
		r.have[k] = s
	}
	return apperr.Wrap(rows.Err(), "stored findings")
}

// offer takes one finding the rules found.
func (r *run) offer(entity string, id int64, rule string, path, detail, group []byte) {
	k := key{id: id, rule: ruleIndex(rule), entity: entityIndex(entity)}
	sum := digest(path, detail, group)
	old, ok := r.have[k]
	if ok {
		delete(r.have, k)
		if old.sum == sum {
			return
		}
		r.paths[old.path] = true
		r.Updated++
	} else {
		r.Added++
	}
	f := finding{Entity: entity, EntityID: id, Rule: rule, Path: string(path), Detail: string(detail), Group: string(group), sum: sum}
	r.paths[f.Path] = true
	r.upserts.add(f)
	if r.spill != nil && r.upserts.n == blockSize {
		r.spill(r.upserts.blocks[0])
		r.upserts = findingBlocks{}
	}
}

// gone returns the stored findings no rule found again, by entity and rule,
// and counts them as cleared.
func (r *run) gone() map[[2]string][]int64 {
	out := map[[2]string][]int64{}
	for k, s := range r.have {
		g := [2]string{entityNames[k.entity], Rules[k.rule].Code}
		out[g] = append(out[g], k.id)
		r.paths[s.path] = true
		r.Cleared++
	}
	for _, f := range r.retired {
		g := [2]string{f.Entity, f.Rule}
		out[g] = append(out[g], f.EntityID)
		r.paths[f.Path] = true
		r.Cleared++
	}
	clear(r.have)
	r.retired = nil
	return out
}

// collector keeps findings to offer later, when the run they belong to is
// not at hand yet (producers running beside the row pass).
type collector struct{ found []finding }

func (c *collector) offer(entity string, id int64, rule string, path, detail, group []byte) {
	c.found = append(c.found, finding{Entity: entity, EntityID: id, Rule: rule, Path: string(path),
		Detail: string(detail), Group: string(group)})
}

func (c *collector) replay(to sink) {
	for _, f := range c.found {
		to.offer(f.Entity, f.EntityID, f.Rule, []byte(f.Path), []byte(f.Detail), []byte(f.Group))
	}
	c.found = nil
}

// findingBlocks holds the findings waiting to be written in fixed-size
// blocks: the first recompute of a county gathers hundreds of thousands,
// which a growing slice would copy again and again.
type findingBlocks struct {
	blocks [][]finding
	n      int
}

const blockSize = 4096

func (b *findingBlocks) add(f finding) {
	if b.n%blockSize == 0 {
		if i := b.n / blockSize; i < len(b.blocks) {
			b.blocks[i] = b.blocks[i][:0]
		} else {
			b.blocks = append(b.blocks, make([]finding, 0, blockSize))
		}
	}
	i := b.n / blockSize
	b.blocks[i] = append(b.blocks[i], f)
	b.n++
}

// each calls fn with the findings in order, at most max at a time.
func (b *findingBlocks) each(max int, fn func([]finding) error) error {
	for i := 0; i*blockSize < b.n; i++ {
		blk := b.blocks[i]
		for start := 0; start < len(blk); start += max {
			if err := fn(blk[start:min(start+max, len(blk))]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *findingBlocks) reset() { b.n = 0 }

// writer writes findings in the transaction.
type writer struct {
	tx   *db.Tx
	now  string
	stmt *sql.Stmt // the upsert of upsertRows findings, prepared once
}

func newWriter(tx *db.Tx) *writer { return &writer{tx: tx, now: db.Now()} }

// close releases the prepared statement; call it before the transaction ends.
func (w *writer) close() {
	if w.stmt != nil {
		w.stmt.Close()
		w.stmt = nil
	}
}

// upsertRows findings go into one statement: 8 columns × 500 rows, well
// within both engines' limits on arguments; fewer, larger statements save
// round trips to PostgreSQL and statement steps in SQLite.
const upsertRows = 500

const upsertHead = `INSERT INTO dq_findings (entity, entity_id, rule, division_path, detail, group_key, digest, found_at) VALUES `

const upsertValues = `(?, ?, ?, ?, ?, ?, ?, ?)`

const upsertTail = ` ON CONFLICT (entity, entity_id, rule) DO UPDATE SET division_path = excluded.division_path,
	detail = excluded.detail, group_key = excluded.group_key, digest = excluded.digest`

// upsert writes the run's findings gathered so far.
func (w *writer) upsert(ctx context.Context, r *run) error {
	err := r.upserts.each(upsertRows, func(batch []finding) error { return w.write(ctx, batch) })
	r.upserts.reset()
	return err
}

// write stores findings, upsertRows at a time. A finding stored meanwhile
// by a concurrent transaction (PostgreSQL) or under another division is
// updated, keeping its found_at.
func (w *writer) write(ctx context.Context, fs []finding) error {
	args := make([]any, 0, 8*upsertRows)
	for start := 0; start < len(fs); start += upsertRows {
		batch := fs[start:min(start+upsertRows, len(fs))]
		args = args[:0]
		for _, f := range batch {
			var group any
			if f.Group != "" {
				group = f.Group
			}
			args = append(args, f.Entity, f.EntityID, f.Rule, f.Path, f.Detail, group, int64(f.sum), w.now)
		}
		if len(batch) < upsertRows {
			if _, err := w.tx.Exec(ctx, upsertHead+db.RepeatValues(upsertValues, len(batch))+upsertTail, args...); err != nil {
				return apperr.Wrap(err, "store findings")
			}
			continue
		}
		if w.stmt == nil {
			stmt, err := w.tx.Prepare(ctx, upsertHead+db.RepeatValues(upsertValues, upsertRows)+upsertTail)
			if err != nil {
				return apperr.Wrap(err, "prepare findings")
			}
			w.stmt = stmt
		}
		if _, err := w.stmt.ExecContext(ctx, args...); err != nil {
			return apperr.Wrap(db.Translate(err), "store findings")
		}
	}
	return nil
}

// clearGone deletes the run's stored findings that no rule found again.
func (w *writer) clearGone(ctx context.Context, r *run) error {
	for g, ids := range r.gone() {
		slices.Sort(ids)
		for _, chunk := range chunks(ids) {
			cond, args := idCond("entity_id", chunk)
			if _, err := w.tx.Exec(ctx, `DELETE FROM dq_findings WHERE entity = ? AND rule = ? AND `+cond,
				append([]any{g[0], g[1]}, args...)...); err != nil {
				return apperr.Wrap(err, "clear findings")
			}
		}
	}
	return nil
}

// recount rewrites dq_counts for the divisions a run changed, or for a whole
// subtree, from the findings themselves.
func recount(ctx context.Context, tx *db.Tx, subtree string, paths map[string]bool) error {
	var cond string
	var args []any
	switch {
	case subtree == "/":
		cond = "1 = 1"
	case subtree != "":
		cond, args = db.Subtree("division_path", subtree)
	default:
		delete(paths, "")
		if len(paths) == 0 {
			return nil
		}
		list := slices.Sorted(maps.Keys(paths))
		for start := 0; start < len(list); start += maxIDArgs {
			part := list[start:min(start+maxIDArgs, len(list))]
			pargs := make([]any, len(part))
			for i, p := range part {
				pargs[i] = p
			}
			if err := recountWhere(ctx, tx, "division_path IN ("+db.Placeholders(len(part))+")", pargs); err != nil {
				return err
			}
		}
		return nil
	}
	return recountWhere(ctx, tx, cond, args)
}

func recountWhere(ctx context.Context, tx *db.Tx, cond string, args []any) error {
	if _, err := tx.Exec(ctx, `DELETE FROM dq_counts WHERE `+cond, args...); err != nil {
		return apperr.Wrap(err, "clear counts")
	}
	const upsert = ` ON CONFLICT (division_path, tally) DO UPDATE SET n = excluded.n`
	if _, err := tx.Exec(ctx, `INSERT INTO dq_counts (division_path, tally, n)
		SELECT division_path, rule, COUNT(*) FROM dq_findings WHERE `+cond+` GROUP BY division_path, rule`+upsert, args...); err != nil {
		return apperr.Wrap(err, "count findings")
	}
	if _, err := tx.Exec(ctx, `INSERT INTO dq_counts (division_path, tally, n)
		SELECT division_path, '`+TallyIncomplete+`', COUNT(DISTINCT entity_id) FROM dq_findings
		WHERE `+cond+` AND entity = ? AND rule IN (?, ?) GROUP BY division_path`+upsert,
		append(args, EntityPerson, RuleMissingID, RuleMissingFields)...); err != nil {
		return apperr.Wrap(err, "count incomplete records")
	}
	return nil
}
