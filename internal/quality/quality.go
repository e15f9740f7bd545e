// Package quality is the data-quality engine of the registry: rules that
// find doubtful records (an invalid or disagreeing ID number, one ID number
// on two persons, probable duplicates, implausible ages at birth, a child
// born before a parent, events after death, households without a head,
// married persons without a linked spouse, missing required fields), the
// findings they produce, and the statistics per village and township built
// on them (coverage, ID accuracy, open findings by rule) with a ranking.
//
// A finding is a current fact, not a history: it is stored while it holds
// and deleted when the record is fixed. The registry's change hook
// (OnRegistryChange) rechecks, inside the transaction of every registry
// write, the records written and the records related to them through a rule
// — the other persons with the same ID number or in the same name, birth
// date and village group (found through the group key the finding stores,
// so leaving a group clears the others too), the children of a changed
// parent, the households of changed members. A full recompute (CLI and
// HTTP) runs the same rules over a whole subtree. Every rule gives the same
// verdict on a record whatever the scope, and the tests check that a
// recompute after any sequence of hooked changes finds nothing to change.
//
// Both paths compare what the rules find with what is stored (by a digest
// of each finding) and write only the difference, so a finding that still
// holds keeps its found_at and a recompute over an unchanged county writes
// nothing.
//
// The rules are set-based SQL, one query per rule or group of rules, with
// three exceptions that Go does better: the ID checks (below); the rules
// that look at one person row alone, which share one pass over persons
// (SQL computes their verdicts as bits of one integer column, Go turns them
// into details from the one list of required fields); and probable
// duplicates, whose candidates are found by hashing village, birth date and
// name during that pass (a GROUP BY over a million rows is a three-second
// sort in modernc's SQLite, for a few dozen groups) and grouped exactly in
// Go. On SQLite the full recompute spreads the pass over the cores, reading
// on the reader pool while the transaction, which holds the write lock and
// so sees the same data, runs the other rules and writes (passes.go).
//
// ID numbers are checked by decrypting them (AES-GCM or SM4-GCM, well under
// a microsecond each), not from facts derived at write time and stored
// beside the ciphertext. Stored facts would have to be kept right by every
// writer of persons (registry, importer, demo generator, a future key
// rotation); decrypting in the recompute's pass costs about half a second
// per million and cannot go stale. IDFacts is exported for writers that
// want to tell users about a number's faults.
//
// Counts per division are kept in dq_counts, rewritten from dq_findings for
// each division a run changes, so statistics pages read a few thousand
// count rows (and the registry's person_counts for the number of records)
// instead of counting findings or persons. Findings belong to the
// registered village of a person (the village that keeps the record) and to
// the village of a household; that is the scope in which officers see them.
package quality

import (
	"context"
	"slices"
	"sync"
	"time"

	"jisheng/internal/audit"
	"jisheng/internal/db"
	"jisheng/internal/fieldcrypt"
)

func init() {
	audit.RegisterActions(map[string]string{"quality.recompute": "重新计算数据质量"})
}

// Service runs the quality rules and reads their results.
type Service struct {
	db        *db.DB
	journal   *audit.Journal
	cipher    fieldcrypt.FieldCipher
	now       func() time.Time
	params    Params
	producers []producer

	mu   sync.Mutex
	job  Progress // the running recompute, if any
	last *Result  // the last finished recompute since start
}

// NewService returns the quality service; now may be nil for the real clock.
func NewService(d *db.DB, j *audit.Journal, c fieldcrypt.FieldCipher, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{db: d, journal: j, cipher: c, now: now, params: DefaultParams}
	s.producers = slices.Clone(producers)
	s.producers[0].run = rowProducer(c, s.today)
	return s
}

// SetParams changes the rules' thresholds (before the service is used).
func (s *Service) SetParams(p Params) { s.params = p }

var chinaTime = time.FixedZone("CST", 8*3600)

// today is the civil date in China, for "birth date in the future" checks.
func (s *Service) today() time.Time {
	y, m, d := s.now().In(chinaTime).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Recheck runs the rules over the given persons and households (and nothing
// else) inside tx, and rewrites their findings and counts. Callers that
// write records outside the registry service use it, or Notify the
// registry, which reaches OnRegistryChange.
func (s *Service) Recheck(ctx context.Context, tx *db.Tx, persons, households []int64) (Changes, error) {
	var total Changes
	paths := map[string]bool{}
	for _, e := range []struct {
		entity string
		ids    []int64
	}{{EntityPerson, sortedIDs(persons)}, {EntityHousehold, sortedIDs(households)}} {
		for _, chunk := range chunks(e.ids) {
			sc := scope{persons: chunk}
			if e.entity == EntityHousehold {
				sc = scope{households: chunk}
			}
			ch, err := s.recheck(ctx, tx, sc, e.entity, paths)
			if err != nil {
				return total, err
			}
			total.add(ch)
		}
	}
	return total, recount(ctx, tx, "", paths)
}

// recheck runs the rules of entity over one chunk of ids and adds the
// divisions whose counts changed to paths.
func (s *Service) recheck(ctx context.Context, tx *db.Tx, sc scope, entity string, paths map[string]bool) (Changes, error) {
	w := newWriter(tx)
	defer w.close()
	ch, changed, err := s.runInTx(ctx, tx, w, sc, entity)
	for p := range changed {
		paths[p] = true
	}
	return ch, err
}
