package registry

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/fieldcrypt"
)

func init() {
	audit.RegisterActions(map[string]string{
		"person.create":    "新增人员",
		"person.update":    "修改人员",
		"person.unmask":    "查看完整号码",
		"household.create": "新增户",
		"household.update": "修改户",
	})
}

// Field names used as encryption context and blind-index domain.
const (
	fieldID    = "id_number"
	fieldPhone = "phone"
)

// Service runs registry operations, each in one transaction with its audit entry.
type Service struct {
	db      *db.DB
	journal *audit.Journal
	cipher  fieldcrypt.FieldCipher
	now     func() time.Time
	hooks   []ChangeHook
}

// NewService returns a registry service; now may be nil for the real clock.
func NewService(d *db.DB, j *audit.Journal, c fieldcrypt.FieldCipher, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, journal: j, cipher: c, now: now}
}

func (s *Service) today() time.Time { return ChinaToday(s.now()) }

// Create registers a new person.
func (s *Service) Create(ctx context.Context, in PersonInput) (Person, error) {
	pr := auth.From(ctx)
	if in.ID != 0 || in.Version != 0 {
		return Person{}, apperr.New(apperr.Invalid, "新增人员时不能指定 id 或 version")
	}
	c, err := clean(in, s.today())
	if err != nil {
		return Person{}, err
	}
	var id int64
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if id, err = s.insertPerson(ctx, tx, pr, &c); err != nil {
			return err
		}
		if err := s.Notify(ctx, tx, Changed{Persons: []int64{id}, Households: householdsOf(c.HouseholdID)}); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "person.create", Entity: "person",
			EntityID: fmt.Sprint(id), After: c.auditView()})
	})
	if err != nil {
		return Person{}, err
	}
	p, err := s.Get(ctx, id)
	p.Warnings = c.warnings
	return p, err
}

// insertPerson checks what c refers to and writes the person; the caller
// runs the hooks and journals it (Create, and a birth event).
func (s *Service) insertPerson(ctx context.Context, tx *db.Tx, pr *auth.Principal, c *cleaned) (int64, error) {
	reg, res, err := s.resolveLinks(ctx, tx, pr, c, 0)
	if err != nil {
		return 0, err
	}
	row, err := s.sealed(c)
	if err != nil {
		return 0, err
	}
	now, by := db.Now(), pr.Username
	return tx.InsertID(ctx, `INSERT INTO persons (name, sex, birth_date, id_enc, id_bidx, id_mask, phone_enc,
		phone_mask, ethnicity, hukou_type, marital_status, reg_division, reg_path, res_division, res_path,
		household_id, relation, mother_id, father_id, status, death_date, created_at, created_by, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Name, c.Sex, c.BirthDate, row.idEnc, row.idBidx, row.idMask, row.phoneEnc, row.phoneMask,
		nullText(c.Ethnicity), nullText(c.HukouType), nullText(c.MaritalStatus), reg.Code, reg.Path, res.Code, res.Path,
		idArg(c.HouseholdID), nullText(c.Relation), idArg(c.MotherID), idArg(c.FatherID), c.Status,
		nullText(c.DeathDate), now, by, now, by)
}

// Update changes a person. in.Version must be the version the editor read;
// otherwise someone else changed the record meanwhile and nothing is written.
// A masked ID or phone number sent back unchanged keeps the stored value.
func (s *Service) Update(ctx context.Context, id int64, in PersonInput) (Person, error) {
	pr := auth.From(ctx)
	if in.ID != 0 && in.ID != id {
		return Person{}, apperr.InvalidField("id", "请求体中的 id 与地址中的不一致")
	}
	var c cleaned
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		cur, err := loadPerson(ctx, tx.Conn, pr, id)
		if err != nil {
			return err
		}
		if in.Version != cur.Version {
			return apperr.New(apperr.Conflict, "该记录已被他人修改，请刷新后重试")
		}
		if err := s.keepMasked(ctx, tx, cur, &in); err != nil {
			return err
		}
		if c, err = clean(in, s.today()); err != nil {
			return err
		}
		reg, res, err := s.resolveLinks(ctx, tx, pr, &c, id)
		if err != nil {
			return err
		}
		if err := checkParentRoleKept(ctx, tx, id, c.Sex); err != nil {
			return err
		}
		settle, err := s.guardEventState(ctx, tx, cur, &c, pr.Username)
		if err != nil {
			return err
		}
		row, err := s.sealed(&c)
		if err != nil {
			return err
		}
		r, err := tx.Exec(ctx, `UPDATE persons SET name = ?, sex = ?, birth_date = ?, id_enc = ?, id_bidx = ?, id_mask = ?,
			phone_enc = ?, phone_mask = ?, ethnicity = ?, hukou_type = ?, marital_status = ?, reg_division = ?, reg_path = ?,
			res_division = ?, res_path = ?, household_id = ?, relation = ?, mother_id = ?, father_id = ?, status = ?,
			death_date = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?`,
			c.Name, c.Sex, c.BirthDate, row.idEnc, row.idBidx, row.idMask, row.phoneEnc, row.phoneMask,
			nullText(c.Ethnicity), nullText(c.HukouType), nullText(c.MaritalStatus), reg.Code, reg.Path, res.Code, res.Path,
			idArg(c.HouseholdID), nullText(c.Relation), idArg(c.MotherID), idArg(c.FatherID), c.Status,
			nullText(c.DeathDate), db.Now(), pr.Username, id, cur.Version)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "该记录已被他人修改，请刷新后重试")
		}
		if err := settle(); err != nil {
			return err
		}
		if err := s.Notify(ctx, tx, Changed{Persons: []int64{id}, Households: householdsOf(cur.HouseholdID, c.HouseholdID)}); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "person.update", Entity: "person",
			EntityID: fmt.Sprint(id), Before: cur.auditView(), After: c.auditView()})
	})
	if err != nil {
		return Person{}, err
	}
	p, err := s.Get(ctx, id)
	p.Warnings = c.warnings
	return p, err
}

// keepMasked replaces masked values the client sent back with the stored
// plaintext, so that an edit form showing masks does not erase them.
func (s *Service) keepMasked(ctx context.Context, tx *db.Tx, cur Person, in *PersonInput) error {
	keepID := cur.IDNumber != "" && strings.TrimSpace(in.IDNumber) == cur.IDNumber
	keepPhone := cur.Phone != "" && strings.TrimSpace(in.Phone) == cur.Phone
	if !keepID && !keepPhone {
		return nil
	}
	idEnc, phoneEnc, _, err := loadSecrets(ctx, tx.Conn, cur.ID)
	if err != nil {
		return err
	}
	if keepID {
		if in.IDNumber, err = s.cipher.Decrypt(fieldID, idEnc); err != nil {
			return apperr.Wrap(err, "decrypt id")
		}
	}
	if keepPhone {
		if in.Phone, err = s.cipher.Decrypt(fieldPhone, phoneEnc); err != nil {
			return apperr.Wrap(err, "decrypt phone")
		}
	}
	return nil
}

type sealedRow struct {
	idEnc, phoneEnc []byte
	idBidx, idMask  any
	phoneMask       any
}

// sealed encrypts the sensitive values of c for storage.
func (s *Service) sealed(c *cleaned) (sealedRow, error) {
	var r sealedRow
	var err error
	if c.idNumber != "" {
		if r.idEnc, err = s.cipher.Encrypt(fieldID, c.idNumber); err != nil {
			return r, apperr.Wrap(err, "encrypt id")
		}
		r.idBidx, r.idMask = s.cipher.BlindIndex(fieldID, c.idNumber), c.idMask
	}
	if c.phone != "" {
		if r.phoneEnc, err = s.cipher.Encrypt(fieldPhone, c.phone); err != nil {
			return r, apperr.Wrap(err, "encrypt phone")
		}
		r.phoneMask = fieldcrypt.MaskPhone(c.phone)
	}
	return r, nil
}

// resolveLinks checks everything c refers to against the database and the
// caller's scope, and returns the registered and residence divisions.
func (s *Service) resolveLinks(ctx context.Context, tx *db.Tx, pr *auth.Principal, c *cleaned, self int64) (reg, res division.Division, err error) {
	if reg, err = personDivision(ctx, tx, "registered_division", "户籍地", c.RegisteredDivision); err != nil {
		return
	}
	if res, err = personDivision(ctx, tx, "residence_division", "现居住地", c.ResidenceDivision); err != nil {
		return
	}
	if !pr.Covers(reg.Path) && !pr.Covers(res.Path) {
		return reg, res, apperr.InvalidField("registered_division", "户籍地和现居住地都不在您的管辖范围内")
	}
	if err = s.checkHousehold(ctx, tx, pr, c, reg, self); err != nil {
		return
	}
	if err = checkParent(ctx, tx, pr, c, "mother_id", c.MotherID, "female", self); err != nil {
		return
	}
	if err = checkParent(ctx, tx, pr, c, "father_id", c.FatherID, "male", self); err != nil {
		return
	}
	err = s.checkDuplicateID(ctx, tx, c, self)
	return
}

func personDivision(ctx context.Context, tx *db.Tx, field, label, code string) (division.Division, error) {
	return villageDivision(ctx, tx.Conn, field, label, code, label+"应选择到村（居）委会或村民小组")
}

// villageDivision finds the village or group a person's division field
// names; levelMsg refuses a division above the village.
func villageDivision(ctx context.Context, c db.Conn, field, label, code, levelMsg string) (division.Division, error) {
	d, err := division.Get(ctx, c, code)
	if apperr.CodeOf(err) == apperr.NotFound {
		return d, apperr.InvalidField(field, label+"区划代码 "+code+" 不存在")
	}
	if err != nil {
		return d, err
	}
	if d.Level < division.LevelVillage {
		return d, apperr.InvalidField(field, levelMsg)
	}
	return d, nil
}

func (s *Service) checkHousehold(ctx context.Context, tx *db.Tx, pr *auth.Principal, c *cleaned, reg division.Division, self int64) error {
	if c.HouseholdID == nil {
		return nil
	}
	h, err := loadHousehold(ctx, tx.Conn, pr, *c.HouseholdID)
	if err != nil {
		return apperr.InvalidField("household_id", "所选户不存在或不在您的管辖范围内")
	}
	if villageOf(h.Division) != villageOf(reg.Code) {
		return apperr.InvalidField("registered_division", "户籍地应与所在户属于同一村（居）委会")
	}
	if c.Relation != "head" {
		return nil
	}
	if err := tx.Lock(ctx, fmt.Sprintf("household.head:%d", *c.HouseholdID)); err != nil {
		return apperr.Wrap(err, "lock household")
	}
	var head string
	err = tx.QueryRow(ctx, `SELECT name FROM persons WHERE household_id = ? AND relation = 'head' AND status = 'alive' AND id <> ?`,
		*c.HouseholdID, self).Scan(&head)
	if err == nil {
		return apperr.InvalidField("relation", "该户已有户主："+head)
	}
	if err != sql.ErrNoRows {
		return apperr.Wrap(err, "household head")
	}
	return nil
}

func villageOf(code string) string {
	if len(code) > 12 {
		return code[:12]
	}
	return code
}

func checkParent(ctx context.Context, tx *db.Tx, pr *auth.Principal, c *cleaned, field string, id *int64, sex string, self int64) error {
	if id == nil {
		return nil
	}
	label := map[string]string{"female": "母亲", "male": "父亲"}[sex]
	if *id == self {
		return apperr.InvalidField(field, "不能把本人设为"+label)
	}
	cond, args := personScope("p", pr)
	var psex string
	var birth sql.NullString
	err := tx.QueryRow(ctx, `SELECT p.sex, p.birth_date FROM persons p WHERE p.id = ? AND `+cond,
		append([]any{*id}, args...)...).Scan(&psex, &birth)
	if err != nil {
		return apperr.InvalidField(field, "所选"+label+"不存在或不在您的管辖范围内")
	}
	if psex != sex {
		return apperr.InvalidField(field, "所选"+label+"的性别不符")
	}
	if birth.Valid && birth.String >= c.BirthDate {
		return apperr.InvalidField(field, label+"的出生日期应早于本人")
	}
	return nil
}

// checkParentRoleKept refuses a change of sex that would make a person the
// wrong parent of children already linked to them.
func checkParentRoleKept(ctx context.Context, tx *db.Tx, id int64, sex string) error {
	col := "mother_id"
	if sex == "female" {
		col = "father_id"
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM persons WHERE `+col+` = ?`, id).Scan(&n); err != nil {
		return apperr.Wrap(err, "parent role")
	}
	if n > 0 {
		return apperr.InvalidField("sex", fmt.Sprintf("该人员已作为%s关联了 %d 名子女，不能修改性别", map[string]string{"mother_id": "母亲", "father_id": "父亲"}[col], n))
	}
	return nil
}

// checkDuplicateID refuses an ID number already on another person anywhere
// in the database. The answer does not say where: that record may lie
// outside the caller's area.
func (s *Service) checkDuplicateID(ctx context.Context, tx *db.Tx, c *cleaned, self int64) error {
	if c.idNumber == "" {
		return nil
	}
	bidx := s.cipher.BlindIndex(fieldID, c.idNumber)
	if err := tx.Lock(ctx, "person.id:"+bidx); err != nil {
		return apperr.Wrap(err, "lock id")
	}
	var other int64
	err := tx.QueryRow(ctx, `SELECT id FROM persons WHERE id_bidx = ? AND id <> ? LIMIT 1`, bidx, self).Scan(&other)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return apperr.Wrap(err, "duplicate id")
	}
	return &apperr.Error{Code: apperr.Conflict, Field: "id_number", Message: "该公民身份号码已登记在其他人员记录中，请先查询核实"}
}

// auditView is what the journal records of a person's state. Sensitive
// values appear masked: the journal is read by administrators and kept for
// years, and must not become a second copy of the ID numbers.
func (f Fields) auditView() Fields { return f }

// auditView of a validated input: its fields with the numbers masked.
func (c *cleaned) auditView() Fields {
	f := c.Fields
	f.IDNumber, f.Phone = c.idMask, fieldcrypt.MaskPhone(c.phone)
	return f
}

// Get returns one person in the caller's scope with names, age and children.
func (s *Service) Get(ctx context.Context, id int64) (Person, error) {
	pr := auth.From(ctx)
	c := s.db.Reader()
	p, err := loadPerson(ctx, c, pr, id)
	if err != nil {
		return p, err
	}
	if err := parentNames(ctx, c, pr, &p); err != nil {
		return p, err
	}
	if p.Children, err = children(ctx, c, pr, id); err != nil {
		return p, err
	}
	ps := []Person{p}
	err = s.decorate(ctx, c, ps)
	return ps[0], err
}

// decorate adds division names and ages to persons read for display.
func (s *Service) decorate(ctx context.Context, c db.Conn, ps []Person) error {
	codes := make([]string, 0, 2*len(ps))
	for _, p := range ps {
		codes = append(codes, p.RegisteredDivision, p.ResidenceDivision)
	}
	if len(codes) == 0 {
		return nil
	}
	names, err := division.DisplayNames(ctx, c, codes)
	if err != nil {
		return err
	}
	today := s.today().Format(dateLayout)
	for i := range ps {
		p := &ps[i]
		p.RegisteredDivisionName, p.ResidenceDivisionName = names[p.RegisteredDivision], names[p.ResidenceDivision]
		until := today
		if p.DeathDate != "" {
			until = p.DeathDate
		}
		p.Age = ageOn(p.BirthDate, until)
	}
	return nil
}

// Reveal returns the full ID and phone numbers of a person and records the
// view in the audit journal, in one transaction: no full value leaves the
// server without its audit entry.
func (s *Service) Reveal(ctx context.Context, id int64) (Sensitive, error) {
	pr := auth.From(ctx)
	var out Sensitive
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := loadPerson(ctx, tx.Conn, pr, id); err != nil {
			return err
		}
		idEnc, phoneEnc, _, err := loadSecrets(ctx, tx.Conn, id)
		if err != nil {
			return err
		}
		if out.IDNumber, err = s.cipher.Decrypt(fieldID, idEnc); err != nil {
			return apperr.Wrap(err, "decrypt id")
		}
		if out.Phone, err = s.cipher.Decrypt(fieldPhone, phoneEnc); err != nil {
			return apperr.Wrap(err, "decrypt phone")
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "person.unmask", Entity: "person", EntityID: fmt.Sprint(id),
			Remark: "查看完整公民身份号码和联系电话"})
	})
	return out, err
}
