package floating

import (
	"context"
	"database/sql"
	"encoding/json"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

// entryCols are the columns every entry read selects, in scanEntry order.
// An "out" entry's own data comes from its person (joined as p); an "in"
// entry has its own, so COALESCE picks the right one for both. Contact
// figures count only records that no later record corrects.
const entryCols = `e.id, e.direction, e.person_id, COALESCE(e.name, p.name), COALESCE(e.sex, p.sex),
	COALESCE(e.birth_date, p.birth_date), COALESCE(e.id_mask, p.id_mask), COALESCE(e.phone_mask, p.phone_mask),
	e.place, e.other_county, e.division_code, e.division_path, e.since, e.status, e.ended_on, e.end_reason,
	e.note, e.version, e.created_at, e.created_by, e.updated_at, e.updated_by,
	(SELECT MAX(c.contact_date) FROM floating_contacts c WHERE c.entry_id = e.id AND ` + effectiveContact + `),
	(SELECT c.next_follow_up FROM floating_contacts c WHERE c.entry_id = e.id AND ` + effectiveContact + `
		ORDER BY c.contact_date DESC, c.id DESC LIMIT 1),
	(SELECT COUNT(*) FROM floating_contacts c WHERE c.entry_id = e.id AND ` + effectiveContact + `)`

// entryFrom joins an entry's person for "out" entries only: a linked
// person of an "in" entry does not override what the entry itself records.
const entryFrom = `floating_entries e LEFT JOIN persons p ON p.id = e.person_id AND e.direction = 'out'`

// effectiveContact is true of a contact record (aliased c) that no later
// record corrects.
const effectiveContact = `NOT EXISTS (SELECT 1 FROM floating_contacts k WHERE k.corrects_id = c.id)`

type scanner interface{ Scan(...any) error }

func scanEntry(sc scanner) (Entry, error) {
	var e Entry
	var person sql.NullInt64
	var name, sex, birth, idMask, phoneMask, county, ended, reason, last, next sql.NullString
	err := sc.Scan(&e.ID, &e.Direction, &person, &name, &sex, &birth, &idMask, &phoneMask, &e.Place, &county,
		&e.Division, &e.path, &e.Since, &e.Status, &ended, &reason, &e.Note, &e.Version, &e.CreatedAt,
		&e.CreatedBy, &e.UpdatedAt, &e.UpdatedBy, &last, &next, &e.ContactCount)
	if err != nil {
		return e, err
	}
	if person.Valid {
		e.PersonID = &person.Int64
	}
	e.Name, e.Sex, e.BirthDate, e.IDNumber, e.Phone = name.String, sex.String, birth.String, idMask.String, phoneMask.String
	e.OtherCounty, e.EndedOn, e.EndReason = county.String, ended.String, reason.String
	e.LastContact, e.NextFollowUp = last.String, next.String
	return e, nil
}

func readEntries(rows *sql.Rows) ([]Entry, error) {
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "scan floating entry")
		}
		out = append(out, e)
	}
	return out, apperr.Wrap(rows.Err(), "floating entry rows")
}

// entryScope restricts entries aliased e to pr's subtree.
func entryScope(pr *auth.Principal) (string, []any) {
	return db.Subtree("e.division_path", pr.DivisionPath)
}

// loadEntry reads one entry in pr's scope; entries outside it are not found.
func loadEntry(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) (Entry, error) {
	cond, args := entryScope(pr)
	e, err := scanEntry(c.QueryRow(ctx, `SELECT `+entryCols+` FROM `+entryFrom+` WHERE e.id = ? AND `+cond,
		append([]any{id}, args...)...))
	return e, db.NotFound(err, "流动人口登记不存在")
}

// secrets are an entry's encrypted values: its own, else its person's.
type secrets struct {
	idEnc, phoneEnc []byte
}

func loadSecrets(ctx context.Context, c db.Conn, id int64) (secrets, error) {
	var s secrets
	err := c.QueryRow(ctx, `SELECT COALESCE(e.id_enc, p.id_enc), COALESCE(e.phone_enc, p.phone_enc)
		FROM `+entryFrom+` WHERE e.id = ?`, id).Scan(&s.idEnc, &s.phoneEnc)
	return s, apperr.Wrap(err, "load floating secrets")
}

// ownSecrets are the encrypted values stored on the entry itself.
func ownSecrets(ctx context.Context, c db.Conn, id int64) (secrets, error) {
	var s secrets
	err := c.QueryRow(ctx, `SELECT id_enc, phone_enc FROM floating_entries WHERE id = ?`, id).Scan(&s.idEnc, &s.phoneEnc)
	return s, apperr.Wrap(err, "load floating secrets")
}

const contactCols = `c.id, c.entry_id, c.contact_date, c.method, c.content, c.services, c.next_follow_up,
	c.corrects_id, (SELECT k.id FROM floating_contacts k WHERE k.corrects_id = c.id), c.recorded_by, c.created_at`

func readContacts(rows *sql.Rows) ([]Contact, error) {
	defer rows.Close()
	out := []Contact{}
	for rows.Next() {
		var k Contact
		var services string
		var next sql.NullString
		var corrects, correctedBy sql.NullInt64
		if err := rows.Scan(&k.ID, &k.EntryID, &k.ContactDate, &k.Method, &k.Content, &services, &next,
			&corrects, &correctedBy, &k.RecordedBy, &k.CreatedAt); err != nil {
			return nil, apperr.Wrap(err, "scan floating contact")
		}
		if err := json.Unmarshal([]byte(services), &k.Services); err != nil {
			return nil, apperr.Wrap(err, "floating contact services")
		}
		k.NextFollowUp = next.String
		if corrects.Valid {
			k.CorrectsID = &corrects.Int64
		}
		if correctedBy.Valid {
			k.CorrectedBy = &correctedBy.Int64
		}
		out = append(out, k)
	}
	return out, apperr.Wrap(rows.Err(), "floating contact rows")
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func idArg(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
