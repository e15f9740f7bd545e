package quality

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
)

// runInTx runs the producers of entities over the ids of sc one after the
// other inside tx, reading through the transaction, so that a change hook
// sees the change it was called for.
func (s *Service) runInTx(ctx context.Context, tx *db.Tx, w *writer, sc scope, entities ...string) (Changes, map[string]bool, error) {
	r := newRun(sc.full(), 0)
	if err := r.loadHave(ctx, tx.Conn, sc, entities...); err != nil {
		return Changes{}, nil, err
	}
	out := &output{sink: r}
	for _, p := range s.producers {
		if !slices.Contains(entities, p.entity) {
			continue
		}
		if err := p.run(ctx, tx.Conn, sc, s.params, out); err != nil {
			return Changes{}, nil, err
		}
	}
	if err := w.upsert(ctx, r); err != nil {
		return Changes{}, nil, err
	}
	if err := w.clearGone(ctx, r); err != nil {
		return Changes{}, nil, err
	}
	return r.Changes, r.paths, nil
}

// runOnReaders runs every rule over a subtree using the machine's cores,
// and writes the difference in tx:
//
//   - the persons are split into id ranges, one per core; for each range a
//     goroutine reads the stored findings and makes the row pass (the rules
//     of one row, ID checks included, and the probable-duplicate candidates)
//     on a connection of the reader pool, handing full blocks of findings to
//     write to the transaction's goroutine;
//   - that goroutine meanwhile runs the other rules on the transaction's
//     connection (they look records up at random, which its larger page
//     cache serves best on SQLite), keeping what they find, then writes the
//     blocks;
//   - then, in order: the probable duplicates, the kept findings, the
//     remaining writes and the clearing of what no rule found again.
//
// The caller has made the data stand still (holdWriters): the readers see
// exactly the data tx sees, and tx writes only findings, which the readers
// do not read.
func (s *Service) runOnReaders(ctx context.Context, tx *db.Tx, w *writer, sc scope, step func(string)) (Changes, error) {
	pr, err := s.newParallel(ctx, tx, sc)
	if err != nil {
		return Changes{}, err
	}
	g := newGroup(ctx)
	pr.startRowPasses(g, s)
	pr.startOthers(g, s, tx, w, step)
	if err := g.wait(); err != nil {
		return Changes{}, err
	}
	return pr.finish(ctx, s, w, step)
}

// parallel is the state of runOnReaders.
type parallel struct {
	sc         scope
	reader     db.Conn
	parts      [][2]int64
	runs       []*run       // one per id range
	dups       []*dupHashes // one per id range; nil beyond maxHashed persons
	households *run
	found      []*collector // what the other rules found, one per rule
	row        producer
	probable   producer
	others     []producer
	blocks     chan []finding // full blocks from the row passes, for the writer
	loaded     sync.WaitGroup // the row passes have read the stored findings
	passed     sync.WaitGroup // the row passes are over
}

func (s *Service) newParallel(ctx context.Context, tx *db.Tx, sc scope) (*parallel, error) {
	var lo, hi int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM persons`).Scan(&lo, &hi); err != nil {
		return nil, apperr.Wrap(err, "person ids")
	}
	_, stored, err := openByRule(ctx, tx.Conn, sc.path)
	if err != nil {
		return nil, err
	}
	population, err := personsIn(ctx, tx.Conn, sc.path)
	if err != nil {
		return nil, err
	}
	pr := &parallel{sc: sc, reader: s.db.Reader(), parts: splitIDs(lo, hi, max(2, min(4, runtime.NumCPU()))),
		households: newRun(true, 0), blocks: make(chan []finding, 64)}
	for _, p := range s.producers {
		switch p.rules[0] {
		case rowRules[0]:
			pr.row = p
		case RuleProbableDuplicate:
			pr.probable = p
		default:
			pr.others = append(pr.others, p)
			pr.found = append(pr.found, &collector{})
		}
	}
	for range pr.parts {
		pr.runs = append(pr.runs, newRun(true, stored/len(pr.parts)+1))
		var d *dupHashes
		if population <= maxHashed {
			d = newDupHashes(population/len(pr.parts) + 1)
		}
		pr.dups = append(pr.dups, d)
	}
	return pr, nil
}

// startRowPasses starts one goroutine per id range on the reader pool.
func (pr *parallel) startRowPasses(g *group, s *Service) {
	pr.loaded.Add(len(pr.parts))
	pr.passed.Add(len(pr.parts))
	for i, part := range pr.parts {
		psc := scope{path: pr.sc.path, lo: part[0], hi: part[1]}
		r := pr.runs[i]
		r.spill = func(b []finding) {
			select {
			case pr.blocks <- b:
			case <-g.ctx.Done(): // the writer failed: the run is over
			}
		}
		g.go_(func(ctx context.Context) error {
			defer pr.passed.Done()
			err := r.loadHave(ctx, pr.reader, psc, EntityPerson)
			pr.loaded.Done()
			if err != nil {
				return err
			}
			return pr.row.run(ctx, pr.reader, psc, s.params, &output{sink: r, dups: pr.dups[i]})
		})
	}
	go func() { // no more blocks once every row pass is over
		pr.passed.Wait()
		close(pr.blocks)
	}()
}

// startOthers runs the other rules and the writer. On SQLite the other
// rules run one after the other on the transaction's connection, whose
// larger page cache serves their random lookups best; PostgreSQL runs
// each on a connection of its own.
func (pr *parallel) startOthers(g *group, s *Service, tx *db.Tx, w *writer, step func(string)) {
	onPool := tx.Dialect() == db.Postgres
	var seq []func(context.Context, db.Conn) error
	for i, p := range pr.others {
		run := func(ctx context.Context, c db.Conn) error {
			if err := p.run(ctx, c, pr.sc, s.params, &output{sink: pr.found[i]}); err != nil {
				return err
			}
			step(p.rules[0])
			return nil
		}
		if onPool {
			g.go_(func(ctx context.Context) error { return run(ctx, pr.reader) })
		} else {
			seq = append(seq, run)
		}
	}
	g.go_(func(ctx context.Context) error { // the transaction's connection
		if err := pr.households.loadHave(ctx, tx.Conn, pr.sc, EntityHousehold); err != nil {
			return err
		}
		for _, run := range seq {
			if err := run(ctx, tx.Conn); err != nil {
				return err
			}
		}
		pr.loaded.Wait()
		step("")
		for b := range pr.blocks {
			if err := w.write(ctx, b); err != nil {
				return err
			}
		}
		step(pr.row.rules[0])
		return nil
	})
}

// finish finds the probable duplicates, hands every finding to the run of
// its record, and writes what is left.
func (pr *parallel) finish(ctx context.Context, s *Service, w *writer, step func(string)) (Changes, error) {
	if pr.dups[0] != nil {
		for _, d := range pr.dups[1:] {
			pr.dups[0].merge(d)
		}
	}
	route := &router{parts: pr.parts, runs: pr.runs, households: pr.households}
	for _, r := range pr.runs {
		r.spill = nil
	}
	if err := pr.probable.run(ctx, pr.reader, pr.sc, s.params, &output{sink: route, dups: pr.dups[0]}); err != nil {
		return Changes{}, err
	}
	step(pr.probable.rules[0])
	for _, f := range pr.found {
		f.replay(route)
	}
	var total Changes
	for _, r := range append(pr.runs, pr.households) {
		if err := w.upsert(ctx, r); err != nil {
			return total, err
		}
		if err := w.clearGone(ctx, r); err != nil {
			return total, err
		}
		total.add(r.Changes)
	}
	return total, nil
}

// maxHashed bounds the persons whose probable-duplicate candidates are
// found by hashing in memory (16 bytes each); a larger area (a province on
// PostgreSQL) groups them with a GROUP BY instead.
const maxHashed = 5_000_000

// personsIn counts the persons registered in a subtree from the
// trigger-kept counts.
func personsIn(ctx context.Context, c db.Conn, path string) (int, error) {
	cond, args := db.Subtree("reg_path", path)
	var n int
	err := c.QueryRow(ctx, `SELECT COALESCE(SUM(n), 0) FROM person_counts WHERE `+cond, args...).Scan(&n)
	return n, apperr.Wrap(err, "count persons")
}

// splitIDs cuts [lo, hi] into n ranges; the first starts at 0 and the last
// ends at the largest id, so that stored findings of any id fall in one.
func splitIDs(lo, hi int64, n int) [][2]int64 {
	width := (hi - lo + int64(n)) / int64(n)
	out := make([][2]int64, n)
	for i := range out {
		out[i] = [2]int64{lo + int64(i)*width, lo + int64(i+1)*width - 1}
	}
	out[0][0], out[n-1][1] = 0, math.MaxInt64
	return out
}

// router offers each finding to the run of its record's id range.
type router struct {
	parts      [][2]int64
	runs       []*run
	households *run
}

func (r *router) offer(entity string, id int64, rule string, path, detail, group []byte) {
	if entity == EntityHousehold {
		r.households.offer(entity, id, rule, path, detail, group)
		return
	}
	for i, p := range r.parts {
		if id >= p[0] && id <= p[1] {
			r.runs[i].offer(entity, id, rule, path, detail, group)
			return
		}
	}
}

// group runs goroutines and returns the first error; an error cancels the
// others' context.
type group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	err    error
}

func newGroup(ctx context.Context) *group {
	g := &group{}
	g.ctx, g.cancel = context.WithCancel(ctx)
	return g
}

func (g *group) go_(fn func(ctx context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := fn(g.ctx); err != nil {
			g.once.Do(func() { g.err = err; g.cancel() })
		}
	}()
}

func (g *group) wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}
