package quality

import (
	"context"
	"database/sql"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
	"jisheng/internal/registry"
)

// OnRegistryChange is the registry's change hook: it rechecks the changed
// records and the records related to them through a rule, inside the
// transaction that changed them, so findings appear and clear together
// with the change.
func (s *Service) OnRegistryChange(ctx context.Context, tx *db.Tx, ch registry.Changed) error {
	if ch.Bulk && ch.Area != "" {
		return s.recheckArea(ctx, tx, ch.Area)
	}
	persons, households, err := related(ctx, tx, sortedIDs(ch.Persons), sortedIDs(ch.Households))
	if err != nil {
		return err
	}
	_, err = s.Recheck(ctx, tx, persons, households)
	return err
}

// related widens a change to every record whose findings it can alter:
//
//   - the members of the ID-number and name/birth/village groups the changed
//     persons belonged to (read from their stored findings' group keys) and
//     belong to now: fixing one of two persons with one ID number clears the
//     other's finding too;
//   - the children of changed persons, whose mother-age and
//     born-before-a-parent checks read their parents' birth dates;
//   - the households of changed persons (the registry also names the
//     household a person left).
//
// Each step is one query per chunk of ids, so a bulk import's batch of ten
// thousand persons costs a few dozen queries, not one per person.
func related(ctx context.Context, tx *db.Tx, changed, households []int64) ([]int64, []int64, error) {
	g := groups{ids: map[string]bool{}, names: map[string]bool{}}
	persons := append([]int64(nil), changed...)
	for _, chunk := range chunks(changed) {
		if err := g.formerOf(ctx, tx, chunk); err != nil {
			return nil, nil, err
		}
		hh, err := g.currentOf(ctx, tx, chunk)
		if err != nil {
			return nil, nil, err
		}
		households = append(households, hh...)
		kids, err := childrenOf(ctx, tx, chunk)
		if err != nil {
			return nil, nil, err
		}
		mates, err := groupMembers(ctx, tx.Conn, chunk)
		if err != nil {
			return nil, nil, err
		}
		persons = append(append(persons, kids...), mates...)
	}
	members, err := g.members(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	return sortedIDs(append(persons, members...)), sortedIDs(households), nil
}

// groups collects the group keys of the rules that relate persons.
type groups struct {
	ids   map[string]bool // blind indexes of ID numbers
	names map[string]bool // village path|birth date|name
}

// formerOf adds the groups the persons' stored findings name.
func (g *groups) formerOf(ctx context.Context, tx *db.Tx, ids []int64) error {
	cond, args := idCond("entity_id", ids)
	rows, err := tx.Query(ctx, `SELECT rule, group_key FROM dq_findings WHERE entity = ? AND `+cond+`
		AND group_key IS NOT NULL`, append([]any{EntityPerson}, args...)...)
	if err != nil {
		return apperr.Wrap(err, "former groups")
	}
	defer rows.Close()
	for rows.Next() {
		var rule, k string
		if err := rows.Scan(&rule, &k); err != nil {
			return apperr.Wrap(err, "scan former group")
		}
		switch rule {
		case RuleIDDuplicate:
			g.ids[k] = true
		case RuleProbableDuplicate:
			g.names[k] = true
		}
	}
	return apperr.Wrap(rows.Err(), "former groups")
}

// currentOf adds the ID-number groups the persons are in now and returns
// their households. (Their current name groups are found by groupMembers.)
func (g *groups) currentOf(ctx context.Context, tx *db.Tx, ids []int64) ([]int64, error) {
	cond, args := idCond("id", ids)
	rows, err := tx.Query(ctx, `SELECT id_bidx, household_id FROM persons WHERE `+cond, args...)
	if err != nil {
		return nil, apperr.Wrap(err, "current groups")
	}
	defer rows.Close()
	var households []int64
	for rows.Next() {
		var bidx sql.NullString
		var hh sql.NullInt64
		if err := rows.Scan(&bidx, &hh); err != nil {
			return nil, apperr.Wrap(err, "scan current group")
		}
		if bidx.String != "" {
			g.ids[bidx.String] = true
		}
		if hh.Valid {
			households = append(households, hh.Int64)
		}
	}
	return households, apperr.Wrap(rows.Err(), "current groups")
}

// members returns the persons of the collected groups. Former name groups
// are few (a changed person's own stored findings name at most one), so
// each is one query.
func (g *groups) members(ctx context.Context, tx *db.Tx) ([]int64, error) {
	var out []int64
	var bidx []any
	for k := range g.ids {
		bidx = append(bidx, k)
	}
	for start := 0; start < len(bidx); start += maxIDArgs {
		part := bidx[start:min(start+maxIDArgs, len(bidx))]
		ids, err := queryIDs(ctx, tx.Conn, `SELECT id FROM persons WHERE id_bidx IN (`+db.Placeholders(len(part))+`)`, part...)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	for k := range g.names {
		v, rest, _ := strings.Cut(k, "|")
		birth, name, _ := strings.Cut(rest, "|")
		lo, hi := db.SubtreeRange(v)
		ids, err := queryIDs(ctx, tx.Conn, `SELECT id FROM persons WHERE name = ? AND reg_path >= ? AND reg_path < ?
			AND substr(reg_path, 1, `+villageLenSQL+`) = ? AND birth_date = ?`, name, lo, hi, v, birth)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	return out, nil
}

// childrenOf returns the children of the persons.
func childrenOf(ctx context.Context, tx *db.Tx, ids []int64) ([]int64, error) {
	mc, ma := idCond("mother_id", ids)
	fc, fa := idCond("father_id", ids)
	return queryIDs(ctx, tx.Conn, `SELECT id FROM persons WHERE `+mc+` UNION SELECT id FROM persons WHERE `+fc, append(ma, fa...)...)
}

func queryIDs(ctx context.Context, c db.Conn, q string, args ...any) ([]int64, error) {
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, apperr.Wrap(err, "related persons")
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, apperr.Wrap(err, "scan related person")
		}
		out = append(out, id)
	}
	return out, apperr.Wrap(rows.Err(), "related persons")
}

// recheckArea runs every rule over an area inside tx. A bulk load reports
// its whole load at once; set-based passes over the area cost less than
// rechecking a million persons a chunk at a time (about 60 µs a person).
// The passes run on tx itself, not on the reader connections a recompute
// uses: the load is not committed yet, and only tx sees it.
func (s *Service) recheckArea(ctx context.Context, tx *db.Tx, path string) error {
	w := newWriter(tx)
	defer w.close()
	if _, _, err := s.runInTx(ctx, tx, w, scope{path: path}, EntityPerson, EntityHousehold); err != nil {
		return err
	}
	return recount(ctx, tx, path, nil)
}
