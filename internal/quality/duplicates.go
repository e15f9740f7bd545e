package quality

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"slices"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
)

// Probable duplicates are persons of one registered village with the same
// name and birth date who are not simply the same ID number twice: their
// group holds at least two identities (the ID number's blind index, or the
// row itself when it has none).
//
// Grouping a county's million persons by village, name and birth date is a
// sort of the whole table in SQLite (three seconds in modernc's), yet only
// a few dozen groups come out of it. So the work is split: first the
// candidates, persons who may share a group, then the exact grouping of the
// candidates' rows in Go. The candidates of a subtree come from the pass
// over persons the row rules make anyway, which remembers a 64-bit hash of
// each person's village, birth date and name (SQLite), or from a GROUP BY,
// which PostgreSQL runs as a hash aggregate; the candidates of changed
// persons are the members of their groups, found through the name index.

// dupHashes collects the candidates of a subtree during the row pass: a
// 64-bit hash of each person's village, birth date and name. Sorting a
// million pairs costs a fraction of keeping them in a map.
type dupHashes struct{ seen []hashedID }

type hashedID struct {
	hash uint64
	id   int64
}

// newDupHashes returns an empty collection sized for about n persons.
func newDupHashes(n int) *dupHashes { return &dupHashes{seen: make([]hashedID, 0, n)} }

// see records one person.
func (h *dupHashes) see(id int64, path, birth, name []byte) {
	if len(birth) == 0 {
		return
	}
	f := fnv.New64a()
	f.Write(path[:min(villageLen, len(path))])
	f.Write([]byte{0})
	f.Write(birth)
	f.Write([]byte{0})
	f.Write(name)
	h.seen = append(h.seen, hashedID{f.Sum64(), id})
}

// merge adds the persons o saw.
func (h *dupHashes) merge(o *dupHashes) { h.seen = append(h.seen, o.seen...) }

// candidates returns the persons whose hash another person shares.
func (h *dupHashes) candidates() []int64 {
	slices.SortFunc(h.seen, func(a, b hashedID) int { return cmp.Compare(a.hash, b.hash) })
	var out []int64
	for i := 0; i < len(h.seen); {
		j := i + 1
		for j < len(h.seen) && h.seen[j].hash == h.seen[i].hash {
			j++
		}
		if j-i > 1 {
			for _, s := range h.seen[i:j] {
				out = append(out, s.id)
			}
		}
		i = j
	}
	return out
}

// probableDuplicates is the producer of the rule.
func probableDuplicates(ctx context.Context, c db.Conn, sc scope, _ Params, out *output) error {
	var cand []int64
	var err error
	switch {
	case !sc.full():
		cand, err = groupMembers(ctx, c, sc.persons)
	case out.dups != nil:
		cand = out.dups.candidates()
	default:
		cand, err = groupedCandidates(ctx, c, sc)
	}
	if err != nil {
		return err
	}
	members, err := candidateRows(ctx, c, sortedIDs(cand))
	if err != nil {
		return err
	}
	inScope := func(id int64) bool { return true }
	if !sc.full() {
		inScope = func(id int64) bool { _, ok := slices.BinarySearch(sc.persons, id); return ok }
	}
	for k, g := range groupDuplicates(members) {
		detail := []byte(fmt.Sprintf("同村共有 %d 人姓名和出生日期相同（%s，%s）", len(g), g[0].name, g[0].birth))
		for _, m := range g {
			if inScope(m.id) {
				out.offer(EntityPerson, m.id, RuleProbableDuplicate, []byte(m.path), detail, []byte(k))
			}
		}
	}
	return nil
}

// groupMembers returns the persons among ids who share village, name and
// birth date with someone, and those others. The name index finds the
// persons of the same name in the village; only the others among them are
// read for their birth date.
func groupMembers(ctx context.Context, c db.Conn, ids []int64) ([]int64, error) {
	cond, args := idCond("p.id", ids)
	v := `substr(p.reg_path, 1, ` + villageLenSQL + `)`
	rows, err := c.Query(ctx, `SELECT p.id, q.id FROM persons p JOIN persons q ON q.name = p.name
		AND q.reg_path >= `+v+` AND q.reg_path < substr(`+v+`, 1, length(`+v+`) - 1) || '0'
		AND substr(q.reg_path, 1, `+villageLenSQL+`) = `+v+`
		WHERE `+cond+` AND p.birth_date IS NOT NULL AND q.id <> p.id AND q.birth_date = p.birth_date`, args...)
	if err != nil {
		return nil, apperr.Wrap(err, "duplicate groups")
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			return nil, apperr.Wrap(err, "scan duplicate group")
		}
		out = append(out, a, b)
	}
	return out, apperr.Wrap(rows.Err(), "duplicate groups")
}

// groupedCandidates returns the persons of a subtree who share village,
// name and birth date with someone, by a GROUP BY.
func groupedCandidates(ctx context.Context, c db.Conn, sc scope) ([]int64, error) {
	gcond, gargs := sc.personCond(c, "g")
	qcond, qargs := sc.personCond(c, "q")
	return queryIDs(ctx, c, `SELECT q.id FROM persons q JOIN (
			SELECT substr(g.reg_path, 1, `+villageLenSQL+`) AS v, g.name, g.birth_date FROM persons g
			WHERE `+gcond+` AND g.birth_date IS NOT NULL
			GROUP BY substr(g.reg_path, 1, `+villageLenSQL+`), g.name, g.birth_date HAVING COUNT(*) > 1) d
		ON q.name = d.name AND q.birth_date = d.birth_date AND substr(q.reg_path, 1, `+villageLenSQL+`) = d.v
		WHERE `+qcond, append(gargs, qargs...)...)
}

type member struct {
	id                      int64
	path, name, birth, bidx string
}

// candidateRows reads what grouping needs of the candidates.
func candidateRows(ctx context.Context, c db.Conn, ids []int64) ([]member, error) {
	var out []member
	for _, chunk := range chunks(ids) {
		cond, args := idCond("id", chunk)
		rows, err := c.Query(ctx, `SELECT id, reg_path, name, birth_date, id_bidx FROM persons
			WHERE `+cond+` AND birth_date IS NOT NULL`, args...)
		if err != nil {
			return nil, apperr.Wrap(err, "duplicate candidates")
		}
		for rows.Next() {
			var m member
			var bidx sql.NullString
			if err := rows.Scan(&m.id, &m.path, &m.name, &m.birth, &bidx); err != nil {
				rows.Close()
				return nil, apperr.Wrap(err, "scan duplicate candidate")
			}
			m.bidx = bidx.String
			out = append(out, m)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, apperr.Wrap(err, "duplicate candidates")
		}
	}
	return out, nil
}

// groupDuplicates groups members exactly by village, birth date and name
// (the map key is the finding's group key) and keeps the groups of at
// least two identities.
func groupDuplicates(members []member) map[string][]member {
	groups := map[string][]member{}
	for _, m := range members {
		k := m.path[:min(villageLen, len(m.path))] + "|" + m.birth + "|" + m.name
		groups[k] = append(groups[k], m)
	}
	for k, g := range groups {
		identities := map[string]bool{}
		for _, m := range g {
			if m.bidx != "" {
				identities[m.bidx] = true
			} else {
				identities[fmt.Sprint("#", m.id)] = true
			}
		}
		if len(identities) < 2 {
			delete(groups, k)
		}
	}
	return groups
}
