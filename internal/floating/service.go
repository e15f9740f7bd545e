package floating

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/fieldcrypt"
	"jisheng/internal/idno"
)

// Service runs register operations, each in one transaction with its audit entry.
type Service struct {
	db      *db.DB
	journal *audit.Journal
	cipher  fieldcrypt.FieldCipher
	now     func() time.Time
}

// NewService returns the floating-population service; now may be nil for the real clock.
func NewService(d *db.DB, j *audit.Journal, c fieldcrypt.FieldCipher, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, journal: j, cipher: c, now: now}
}

func (s *Service) today() time.Time { return chinaToday(s.now()) }

// place is the responsible village of an entry.
type place struct{ code, path string }

// county is the 6-digit county code of a village.
func (p place) county() string { return p.code[:6] }

// Create registers a new entry.
func (s *Service) Create(ctx context.Context, in EntryInput) (Entry, error) {
	if in.Version != 0 {
		return Entry{}, apperr.New(apperr.Invalid, "新增登记时不能指定 version")
	}
	c, err := cleanEntry(strings.TrimSpace(in.Direction), in, s.today())
	if err != nil {
		return Entry{}, err
	}
	var id int64
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		id, err = s.insert(ctx, tx, &c, "")
		return err
	})
	if err != nil {
		return Entry{}, err
	}
	e, err := s.Get(ctx, id)
	e.Warnings = c.warnings
	return e, err
}

// insert checks c against the database and the caller's scope, stores it
// and journals it; remark says where the entry came from, if not typed in.
func (s *Service) insert(ctx context.Context, tx *db.Tx, c *cleanedEntry, remark string) (int64, error) {
	pr := auth.From(ctx)
	at, err := s.resolve(ctx, tx, pr, c, 0)
	if err != nil {
		return 0, err
	}
	row, err := s.sealed(c)
	if err != nil {
		return 0, err
	}
	now := db.Now()
	id, err := tx.InsertID(ctx, `INSERT INTO floating_entries (direction, person_id, name, sex, birth_date, id_enc,
		id_bidx, id_mask, phone_enc, phone_mask, place, other_county, division_code, division_path, since, note,
		created_at, created_by, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Direction, idArg(c.PersonID), nullText(c.Name), nullText(c.Sex), nullText(c.BirthDate),
		nullBytes(row.idEnc), nullText(row.idBidx), nullText(row.idMask), nullBytes(row.phoneEnc), nullText(row.phoneMask),
		c.Place, nullText(c.OtherCounty), at.code, at.path, c.Since, c.Note, now, pr.Username, now, pr.Username)
	if err != nil {
		return 0, err
	}
	return id, s.journal.Append(ctx, tx, audit.Entry{Action: "floating.create", Entity: "floating",
		EntityID: fmt.Sprint(id), After: c.auditView(), Remark: remark})
}

// Update changes an active entry. in.Version must be the version the
// editor read; a masked ID or phone number sent back unchanged keeps the
// stored value.
func (s *Service) Update(ctx context.Context, id int64, in EntryInput) (Entry, error) {
	pr := auth.From(ctx)
	var c cleanedEntry
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		cur, err := s.loadForChange(ctx, tx, pr, id, in.Version)
		if err != nil {
			return err
		}
		if err := checkUnchangeable(cur, in); err != nil {
			return err
		}
		if err := s.keepMasked(ctx, tx, cur, &in); err != nil {
			return err
		}
		if c, err = cleanEntry(cur.Direction, in, s.today()); err != nil {
			return err
		}
		return s.update(ctx, tx, pr, cur, &c, "")
	})
	if err != nil {
		return Entry{}, err
	}
	e, err := s.Get(ctx, id)
	e.Warnings = c.warnings
	return e, err
}

// update writes c over the entry cur (read in this transaction) and journals it.
func (s *Service) update(ctx context.Context, tx *db.Tx, pr *auth.Principal, cur Entry, c *cleanedEntry, remark string) error {
	at, err := s.resolve(ctx, tx, pr, c, cur.ID)
	if err != nil {
		return err
	}
	row, err := s.sealed(c)
	if err != nil {
		return err
	}
	r, err := tx.Exec(ctx, `UPDATE floating_entries SET person_id = ?, name = ?, sex = ?, birth_date = ?, id_enc = ?,
		id_bidx = ?, id_mask = ?, phone_enc = ?, phone_mask = ?, place = ?, other_county = ?, division_code = ?,
		division_path = ?, since = ?, note = ?, version = version + 1, updated_at = ?, updated_by = ?
		WHERE id = ? AND version = ?`,
		idArg(c.PersonID), nullText(c.Name), nullText(c.Sex), nullText(c.BirthDate), nullBytes(row.idEnc),
		nullText(row.idBidx), nullText(row.idMask), nullBytes(row.phoneEnc), nullText(row.phoneMask), c.Place,
		nullText(c.OtherCounty), at.code, at.path, c.Since, c.Note, db.Now(), pr.Username, cur.ID, cur.Version)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return errStale()
	}
	return s.journal.Append(ctx, tx, audit.Entry{Action: "floating.update", Entity: "floating",
		EntityID: fmt.Sprint(cur.ID), Before: cur, After: c.auditView(), Remark: remark})
}

func errStale() error {
	return apperr.New(apperr.Conflict, "该记录已被他人修改，请刷新后重试")
}

// loadForChange reads an active entry in scope for a change by an editor
// who read it at version.
func (s *Service) loadForChange(ctx context.Context, tx *db.Tx, pr *auth.Principal, id int64, version int) (Entry, error) {
	cur, err := loadEntry(ctx, tx.Conn, pr, id)
	if err != nil {
		return cur, err
	}
	if version != cur.Version {
		return cur, errStale()
	}
	if cur.Status != Active {
		return cur, apperr.New(apperr.Invalid, "该登记已结束，不能修改")
	}
	return cur, nil
}

// checkUnchangeable refuses a change of direction, or of the person of an
// "out" entry: that is a different move, registered on its own.
func checkUnchangeable(cur Entry, in EntryInput) error {
	if d := strings.TrimSpace(in.Direction); d != "" && d != cur.Direction {
		return apperr.InvalidField("direction", "不能修改流动方向，请结束本登记后重新登记")
	}
	if cur.Direction == Out && (in.PersonID == nil || cur.PersonID == nil || *in.PersonID != *cur.PersonID) {
		return apperr.InvalidField("person_id", "流出登记不能更换人员，请结束本登记后重新登记")
	}
	return nil
}

// keepMasked replaces masked values the client sent back with the entry's
// own stored values. A mask the entry shows from its person (an "out" entry
// without its own phone) means "no own value".
func (s *Service) keepMasked(ctx context.Context, tx *db.Tx, cur Entry, in *EntryInput) error {
	keepID := cur.Direction == In && cur.IDNumber != "" && strings.TrimSpace(in.IDNumber) == cur.IDNumber
	keepPhone := cur.Phone != "" && strings.TrimSpace(in.Phone) == cur.Phone
	if !keepID && !keepPhone {
		return nil
	}
	own, err := ownSecrets(ctx, tx.Conn, cur.ID)
	if err != nil {
		return err
	}
	if keepID {
		if in.IDNumber, err = s.cipher.Decrypt(fieldID, own.idEnc); err != nil {
			return apperr.Wrap(err, "decrypt id")
		}
	}
	if keepPhone {
		if in.Phone, err = s.cipher.Decrypt(fieldPhone, own.phoneEnc); err != nil {
			return apperr.Wrap(err, "decrypt phone")
		}
	}
	return nil
}

// resolve checks what c refers to against the database and pr's scope and
// returns the responsible village. self is the entry being edited (0 for new).
func (s *Service) resolve(ctx context.Context, tx *db.Tx, pr *auth.Principal, c *cleanedEntry, self int64) (place, error) {
	var at place
	var err error
	if c.Direction == Out {
		at, err = s.resolveOut(ctx, tx, pr, c, self)
	} else {
		at, err = s.resolveIn(ctx, tx, pr, c, self)
	}
	if err != nil {
		return at, err
	}
	if c.OtherCounty == at.county() {
		return at, apperr.InvalidField("other_county", "对方区县代码不能是本县（"+at.county()+"）：县内流动不作流动人口登记")
	}
	return at, nil
}

// resolveOut finds the person of an "out" entry among those registered in
// pr's area, and refuses a second active "out" entry for them.
func (s *Service) resolveOut(ctx context.Context, tx *db.Tx, pr *auth.Principal, c *cleanedEntry, self int64) (place, error) {
	var at place
	var status string
	var birth sql.NullString
	cond, args := db.Subtree("p.reg_path", pr.DivisionPath)
	err := tx.QueryRow(ctx, `SELECT p.reg_division, p.reg_path, p.status, p.birth_date FROM persons p WHERE p.id = ? AND `+cond,
		append([]any{*c.PersonID}, args...)...).Scan(&at.code, &at.path, &status, &birth)
	if err == sql.ErrNoRows {
		return at, apperr.InvalidField("person_id", "所选人员不存在或户籍不在您的管辖范围内")
	}
	if err != nil {
		return at, apperr.Wrap(err, "floating person")
	}
	if status != "alive" {
		return at, apperr.InvalidField("person_id", "所选人员已死亡，不能登记流出")
	}
	if birth.Valid && c.Since < birth.String {
		return at, apperr.InvalidField("since", "流动日期不能早于出生日期")
	}
	if err := tx.Lock(ctx, fmt.Sprintf("floating.out:%d", *c.PersonID)); err != nil {
		return at, apperr.Wrap(err, "lock floating person")
	}
	var other int64
	err = tx.QueryRow(ctx, `SELECT id FROM floating_entries WHERE direction = 'out' AND status = 'active'
		AND person_id = ? AND id <> ?`, *c.PersonID, self).Scan(&other)
	return at, duplicate(err, "person_id", "该人员已有在册的流出登记，请在原登记上修改")
}

// resolveIn checks the residence village, the optional person link and
// the ID number of an "in" entry.
func (s *Service) resolveIn(ctx context.Context, tx *db.Tx, pr *auth.Principal, c *cleanedEntry, self int64) (place, error) {
	d, err := division.GetIn(ctx, tx.Conn, c.Division, pr.DivisionPath)
	if apperr.CodeOf(err) == apperr.NotFound {
		return place{}, apperr.InvalidField("division", "现居住村 "+c.Division+" 不存在或不在您的管辖范围内")
	}
	if err != nil {
		return place{}, err
	}
	if d.Level < division.LevelVillage {
		return place{}, apperr.InvalidField("division", "现居住地应选择到村（居）委会或村民小组")
	}
	at := place{code: d.Code, path: d.Path}
	if err := s.checkLinkedPerson(ctx, tx, pr, c); err != nil {
		return at, err
	}
	if c.idNumber == "" {
		return at, nil
	}
	bidx := s.cipher.BlindIndex(fieldID, c.idNumber)
	if err := s.checkNotOurResident(ctx, tx, bidx, at); err != nil {
		return at, err
	}
	if err := tx.Lock(ctx, "floating.in:"+bidx); err != nil {
		return at, apperr.Wrap(err, "lock floating id")
	}
	var other int64
	err = tx.QueryRow(ctx, `SELECT id FROM floating_entries WHERE direction = 'in' AND status = 'active'
		AND id_bidx = ? AND id <> ?`, bidx, self).Scan(&other)
	return at, duplicate(err, "id_number", "该公民身份号码已有在册的流入登记，请先查询核实")
}

// duplicate turns the answer of a "does another record exist" query into a
// conflict on field, or nil when there is none.
func duplicate(err error, field, msg string) error {
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return apperr.Wrap(err, "duplicate check")
	}
	return &apperr.Error{Code: apperr.Conflict, Field: field, Message: msg}
}

// checkLinkedPerson checks the optional registry person of an "in" entry:
// in pr's area, and with the same ID number if both have one.
func (s *Service) checkLinkedPerson(ctx context.Context, tx *db.Tx, pr *auth.Principal, c *cleanedEntry) error {
	if c.PersonID == nil {
		return nil
	}
	cond, args := db.PersonScope("p", pr.DivisionPath)
	var bidx sql.NullString
	err := tx.QueryRow(ctx, `SELECT p.id_bidx FROM persons p WHERE p.id = ? AND `+cond,
		append([]any{*c.PersonID}, args...)...).Scan(&bidx)
	if err == sql.ErrNoRows {
		return apperr.InvalidField("person_id", "所选人员不存在或不在您的管辖范围内")
	}
	if err != nil {
		return apperr.Wrap(err, "linked person")
	}
	if bidx.Valid && c.idNumber != "" && bidx.String != s.cipher.BlindIndex(fieldID, c.idNumber) {
		return apperr.InvalidField("person_id", "所选人员的公民身份号码与填写的不一致")
	}
	return nil
}

// checkNotOurResident refuses an "in" entry for someone whose household
// registration is in the entry's own county: they are not from elsewhere.
func (s *Service) checkNotOurResident(ctx context.Context, tx *db.Tx, bidx string, at place) error {
	cond, args := db.Subtree("reg_path", division.PathOf(at.county()))
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM persons WHERE id_bidx = ? AND `+cond,
		append([]any{bidx}, args...)...).Scan(&n); err != nil {
		return apperr.Wrap(err, "own resident check")
	}
	if n > 0 {
		return apperr.InvalidField("id_number", "该公民身份号码属于本县户籍人员，不作流入登记；如在外县居住请登记为流出")
	}
	return nil
}

type sealedRow struct {
	idEnc, phoneEnc           []byte
	idBidx, idMask, phoneMask string
}

// sealed encrypts the entry's own sensitive values for storage.
func (s *Service) sealed(c *cleanedEntry) (sealedRow, error) {
	var r sealedRow
	var err error
	if c.idNumber != "" {
		if r.idEnc, err = s.cipher.Encrypt(fieldID, c.idNumber); err != nil {
			return r, apperr.Wrap(err, "encrypt id")
		}
		r.idBidx, r.idMask = s.cipher.BlindIndex(fieldID, c.idNumber), idno.Mask(c.idNumber)
	}
	if c.phone != "" {
		if r.phoneEnc, err = s.cipher.Encrypt(fieldPhone, c.phone); err != nil {
			return r, apperr.Wrap(err, "encrypt phone")
		}
		r.phoneMask = fieldcrypt.MaskPhone(c.phone)
	}
	return r, nil
}

// auditView is what the journal records of an input: the numbers masked,
// so the journal never becomes a second copy of them.
func (c *cleanedEntry) auditView() EntryInput {
	v := c.EntryInput
	v.IDNumber, v.Phone, v.Version = "", fieldcrypt.MaskPhone(c.phone), 0
	if c.idNumber != "" {
		v.IDNumber = idno.Mask(c.idNumber)
	}
	return v
}

// End closes an active entry with a date and a reason; it stays in the
// register as history.
func (s *Service) End(ctx context.Context, id int64, in EndInput) (Entry, error) {
	pr := auth.From(ctx)
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		cur, err := s.loadForChange(ctx, tx, pr, id, in.Version)
		if err != nil {
			return err
		}
		if in, err = cleanEnd(in, cur.Since, s.today()); err != nil {
			return err
		}
		r, err := tx.Exec(ctx, `UPDATE floating_entries SET status = 'ended', ended_on = ?, end_reason = ?,
			version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?`,
			in.EndedOn, in.Reason, db.Now(), pr.Username, id, cur.Version)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return errStale()
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "floating.end", Entity: "floating",
			EntityID: fmt.Sprint(id), Before: cur, After: in})
	})
	if err != nil {
		return Entry{}, err
	}
	return s.Get(ctx, id)
}

// Get returns one entry in the caller's scope.
func (s *Service) Get(ctx context.Context, id int64) (Entry, error) {
	c := s.db.Reader()
	e, err := loadEntry(ctx, c, auth.From(ctx), id)
	if err != nil {
		return e, err
	}
	es := []Entry{e}
	err = decorate(ctx, c, es)
	return es[0], err
}

// decorate adds the responsible villages' display names.
func decorate(ctx context.Context, c db.Conn, es []Entry) error {
	if len(es) == 0 {
		return nil
	}
	codes := make([]string, len(es))
	for i, e := range es {
		codes[i] = e.Division
	}
	names, err := division.DisplayNames(ctx, c, codes)
	if err != nil {
		return err
	}
	for i := range es {
		es[i].DivisionName = names[es[i].Division]
	}
	return nil
}

// List returns one page of the entries of the caller's area (narrowed by
// the filter), newest first, and their total.
func (s *Service) List(ctx context.Context, f Filter) ([]Entry, int, error) {
	c := s.db.Reader()
	area, err := listArea(ctx, c, auth.From(ctx), f.Division)
	if err != nil {
		return nil, 0, err
	}
	sel := db.Select{Cols: entryCols, From: entryFrom, OrderBy: "e.id DESC"}
	cond, args := db.Subtree("e.division_path", area)
	sel.Where(cond, args...)
	if err := s.filter(&sel, f); err != nil {
		return nil, 0, err
	}
	total, err := sel.Count(ctx, c)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "count floating entries")
	}
	rows, err := sel.Page(ctx, c, f.Page, f.Size)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "list floating entries")
	}
	out, err := readEntries(rows)
	if err != nil {
		return nil, 0, err
	}
	return out, total, decorate(ctx, c, out)
}

// filter adds the direction, status and search conditions of f to sel.
func (s *Service) filter(sel *db.Select, f Filter) error {
	if f.Direction != "" {
		if !directions.Has(f.Direction) {
			return apperr.InvalidField("direction", "方向应为 "+directions.Values())
		}
		sel.Where("e.direction = ?", f.Direction)
	}
	if f.Status != "" {
		if !statuses.Has(f.Status) {
			return apperr.InvalidField("status", "状态应为 "+statuses.Values())
		}
		sel.Where("e.status = ?", f.Status)
	}
	q := strings.TrimSpace(f.Q)
	switch {
	case q == "":
	case idno.Looks(q):
		sel.Where("COALESCE(e.id_bidx, p.id_bidx) = ?", s.cipher.BlindIndex(fieldID, searchableID(q)))
	default:
		sel.Where("COALESCE(e.name, p.name) >= ? AND COALESCE(e.name, p.name) < ?", q, q+"\U0010FFFF")
	}
	return nil
}

// searchableID normalises an ID number typed into a search as it is stored.
func searchableID(s string) string {
	if id, err := idno.Parse(s); err == nil {
		return id.Number
	}
	return strings.ToUpper(strings.TrimSpace(s))
}

// listArea is the subtree a list covers: the caller's area, or a division
// inside it. A division above the caller's area means the area itself.
func listArea(ctx context.Context, c db.Conn, pr *auth.Principal, code string) (string, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return pr.DivisionPath, nil
	}
	d, err := division.Get(ctx, c, code)
	switch {
	case err != nil:
		return "", apperr.InvalidField("division", "区划代码 "+code+" 不存在")
	case pr.Covers(d.Path):
		return d.Path, nil
	case strings.HasPrefix(pr.DivisionPath, d.Path):
		return pr.DivisionPath, nil
	}
	return "", apperr.InvalidField("division", "区划 "+code+" 不在您的管辖范围内")
}

// Reveal returns the full ID and phone numbers of an entry and records the
// view in the audit journal, in one transaction.
func (s *Service) Reveal(ctx context.Context, id int64) (Sensitive, error) {
	pr := auth.From(ctx)
	var out Sensitive
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := loadEntry(ctx, tx.Conn, pr, id); err != nil {
			return err
		}
		sec, err := loadSecrets(ctx, tx.Conn, id)
		if err != nil {
			return err
		}
		if out, err = s.open(sec); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "floating.unmask", Entity: "floating",
			EntityID: fmt.Sprint(id), Remark: "查看完整公民身份号码和联系电话"})
	})
	return out, err
}

// open decrypts an entry's secrets.
func (s *Service) open(sec secrets) (Sensitive, error) {
	var out Sensitive
	var err error
	if out.IDNumber, err = s.cipher.Decrypt(fieldID, sec.idEnc); err != nil {
		return out, apperr.Wrap(err, "decrypt id")
	}
	if out.Phone, err = s.cipher.Decrypt(fieldPhone, sec.phoneEnc); err != nil {
		return out, apperr.Wrap(err, "decrypt phone")
	}
	return out, nil
}

// AddContact appends a contact record to an entry. An ended entry takes
// only corrections of its earlier records.
func (s *Service) AddContact(ctx context.Context, entryID int64, in ContactInput) (Contact, error) {
	pr := auth.From(ctx)
	in, err := cleanContact(in, s.today())
	if err != nil {
		return Contact{}, err
	}
	var id int64
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		e, err := loadEntry(ctx, tx.Conn, pr, entryID)
		if err != nil {
			return err
		}
		if e.Status != Active && in.CorrectsID == nil {
			return apperr.New(apperr.Invalid, "该登记已结束，不能新增联系记录（更正原有记录除外）")
		}
		if err := checkCorrects(ctx, tx, entryID, in.CorrectsID); err != nil {
			return err
		}
		svc, _ := json.Marshal(in.Services)
		id, err = tx.InsertID(ctx, `INSERT INTO floating_contacts (entry_id, contact_date, method, content, services,
			next_follow_up, corrects_id, division_path, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			entryID, in.ContactDate, in.Method, in.Content, string(svc), nullText(in.NextFollowUp), idArg(in.CorrectsID),
			e.path, pr.Username, db.Now())
		if err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "floating.contact", Entity: "floating",
			EntityID: fmt.Sprint(entryID), After: in, Remark: fmt.Sprintf("联系记录 %d", id)})
	})
	if err != nil {
		return Contact{}, err
	}
	ks, err := s.Contacts(ctx, entryID)
	for _, k := range ks {
		if k.ID == id {
			return k, nil
		}
	}
	return Contact{}, apperr.Wrap(err, "read new contact")
}

// checkCorrects checks that the record a correction names belongs to the
// same entry and is not corrected yet, so corrections form one chain.
func checkCorrects(ctx context.Context, tx *db.Tx, entryID int64, corrects *int64) error {
	if corrects == nil {
		return nil
	}
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM floating_contacts c WHERE c.id = ? AND c.entry_id = ? AND `+effectiveContact,
		*corrects, entryID).Scan(&n)
	if err != nil {
		return apperr.Wrap(err, "corrected contact")
	}
	if n == 0 {
		return apperr.InvalidField("corrects_id", "要更正的联系记录不存在、不属于本登记或已被更正")
	}
	return nil
}

// Contacts lists an entry's contact records, newest first, corrected ones
// included (marked by corrected_by).
func (s *Service) Contacts(ctx context.Context, entryID int64) ([]Contact, error) {
	c := s.db.Reader()
	if _, err := loadEntry(ctx, c, auth.From(ctx), entryID); err != nil {
		return nil, err
	}
	rows, err := c.Query(ctx, `SELECT `+contactCols+` FROM floating_contacts c WHERE c.entry_id = ?
		ORDER BY c.contact_date DESC, c.id DESC`, entryID)
	if err != nil {
		return nil, apperr.Wrap(err, "list floating contacts")
	}
	return readContacts(rows)
}

// PersonsChanged keeps the responsible village of "out" entries equal to
// their persons' registered division. The registry calls it (through its
// change hook) inside every transaction that changes persons, so a move of
// household registration moves the entry to the new village's officers.
func (s *Service) PersonsChanged(ctx context.Context, tx *db.Tx, ids []int64) error {
	for len(ids) > 0 {
		n := min(len(ids), syncChunk)
		if err := syncEntries(ctx, tx, ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// syncChunk bounds the ids of one statement: a bulk import reports a
// million persons at once, and SQLite takes at most 32766 parameters.
const syncChunk = 500

func syncEntries(ctx context.Context, tx *db.Tx, ids []int64) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	_, err := tx.Exec(ctx, `UPDATE floating_entries SET
		division_code = (SELECT p.reg_division FROM persons p WHERE p.id = floating_entries.person_id),
		division_path = (SELECT p.reg_path FROM persons p WHERE p.id = floating_entries.person_id)
		WHERE direction = 'out' AND person_id IN (`+db.Placeholders(len(ids))+`)
		AND division_path <> (SELECT p.reg_path FROM persons p WHERE p.id = floating_entries.person_id)`, args...)
	return apperr.Wrap(err, "sync floating entries")
}
