package health

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

// Card numbers are the county code, a nine-digit sequence and a Luhn check
// digit: sixteen digits that a mistyped digit or a swap of two neighbours
// never turns into another valid card.

// luhnDigit is the check digit that makes s+digit pass the Luhn test.
func luhnDigit(s string) byte {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// ValidCardNo reports whether no is 10 to 20 digits ending in its Luhn check digit.
func ValidCardNo(no string) bool {
	if len(no) < 10 || len(no) > 20 {
		return false
	}
	for i := 0; i < len(no); i++ {
		if no[i] < '0' || no[i] > '9' {
			return false
		}
	}
	return luhnDigit(no[:len(no)-1]) == no[len(no)-1]
}

// IssueCard gives a person in the caller's area a service card, numbered by
// the system unless a pre-printed number is given.
func (s *Service) IssueCard(ctx context.Context, in CardInput) (Card, error) {
	pr := auth.From(ctx)
	no := strings.TrimSpace(in.CardNo)
	if no != "" && !ValidCardNo(no) {
		return Card{}, apperr.InvalidField("card_no", "卡号应为 10 到 20 位数字且末位校验码正确，请核对卡面号码")
	}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		person, err := personInScope(ctx, tx.Conn, pr, in.PersonID, "person_id")
		if err != nil {
			return err
		}
		if existing, err := activeCard(ctx, tx.Conn, person.ID); err != nil || existing != "" {
			if err == nil {
				err = apperr.New(apperr.Conflict, "此人已有服务卡 "+existing+"；补发新卡前请先注销旧卡")
			}
			return err
		}
		if no == "" {
			if no, err = s.nextCardNo(ctx, tx, db.CountyCode(person.ResPath)); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO service_cards (card_no, person_id, division_path, issued_on, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, no, person.ID, person.ResPath, s.today(), pr.Username, db.Now()); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.InvalidField("card_no", "卡号 "+no+" 已被使用")
			}
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "health.card_issue", Entity: "service_card", EntityID: no,
			After: map[string]any{"person_id": person.ID}})
	})
	if err != nil {
		return Card{}, err
	}
	return s.cardByNo(ctx, s.db.Reader(), no)
}

func (s *Service) nextCardNo(ctx context.Context, tx *db.Tx, county string) (string, error) {
	n, err := nextNumber(ctx, tx, "card/"+county)
	if err != nil {
		return "", err
	}
	body := fmt.Sprintf("%s%09d", county, n)
	return body + string(luhnDigit(body)), nil
}

func activeCard(ctx context.Context, c db.Conn, personID int64) (string, error) {
	var no string
	err := c.QueryRow(ctx, `SELECT card_no FROM service_cards WHERE person_id = ? AND status = 'active'`, personID).Scan(&no)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return no, apperr.Wrap(err, "active card")
}

func (s *Service) cardByNo(ctx context.Context, c db.Conn, no string) (Card, error) {
	var k Card
	var revoked nullString
	err := c.QueryRow(ctx, `SELECT k.card_no, k.person_id, p.name, k.status, k.issued_on, k.revoked_on
		FROM service_cards k JOIN persons p ON p.id = k.person_id WHERE k.card_no = ?`, no).
		Scan(&k.CardNo, &k.PersonID, &k.Name, &k.Status, &k.IssuedOn, &revoked)
	k.RevokedOn = revoked.String
	return k, db.NotFound(err, "服务卡不存在")
}

// RevokeCard ends a lost or replaced card; its number is never reissued.
func (s *Service) RevokeCard(ctx context.Context, no, reason string) (Card, error) {
	pr := auth.From(ctx)
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Card{}, apperr.InvalidField("reason", "请说明注销原因（如遗失、损坏）")
	}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		cond, args := db.Subtree("division_path", pr.DivisionPath)
		res, err := tx.Exec(ctx, `UPDATE service_cards SET status = 'revoked', revoked_on = ?, revoke_reason = ?
			WHERE card_no = ? AND status = 'active' AND `+cond, append([]any{s.today(), reason, no}, args...)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "服务卡不存在或已注销")
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "health.card_revoke", Entity: "service_card", EntityID: no, Remark: reason})
	})
	if err != nil {
		return Card{}, err
	}
	return s.cardByNo(ctx, s.db.Reader(), no)
}

// LookupCard answers the service record of a card's holder to a health
// officer anywhere in the holder's county: the person hands the card over
// at a station of another township, and that station must see what was
// done before. The look-up is journaled with the card number.
func (s *Service) LookupCard(ctx context.Context, no string) (ServiceRecord, error) {
	pr := auth.From(ctx)
	no = strings.TrimSpace(no)
	if !ValidCardNo(no) {
		return ServiceRecord{}, apperr.InvalidField("card_no", "卡号有误：应为 10 到 20 位数字且末位校验码正确")
	}
	var rec ServiceRecord
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		k, err := s.cardByNo(ctx, tx.Conn, no)
		if err != nil {
			return err
		}
		if k.Status != "active" {
			return apperr.New(apperr.Conflict, "此卡已注销（"+k.RevokedOn+"），请使用新卡")
		}
		var path string
		if err := tx.QueryRow(ctx, `SELECT division_path FROM service_cards WHERE card_no = ?`, no).Scan(&path); err != nil {
			return apperr.Wrap(err, "card path")
		}
		if !pr.Covers(path) && db.CountyCode(path) != db.CountyCode(pr.DivisionPath) {
			return apperr.New(apperr.NotFound, "服务卡不存在")
		}
		// The card opens the holder's record county-wide: read it as the county would.
		holder := *pr
		holder.DivisionPath = path[:strings.Index(path, db.CountyCode(path))+len(db.CountyCode(path))+1]
		if rec, err = s.record(ctx, tx.Conn, &holder, k.PersonID); err != nil {
			return err
		}
		rec.Card = &k
		return s.journal.Append(ctx, tx, audit.Entry{Action: "health.card_lookup", Entity: "person",
			EntityID: fmt.Sprint(k.PersonID), Remark: "服务卡 " + no})
	})
	return rec, err
}

// PersonRecord answers a person's whole service record in the caller's
// area; reading it is journaled.
func (s *Service) PersonRecord(ctx context.Context, personID int64) (ServiceRecord, error) {
	pr := auth.From(ctx)
	var rec ServiceRecord
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if rec, err = s.record(ctx, tx.Conn, pr, personID); err != nil {
			return err
		}
		no, err := activeCard(ctx, tx.Conn, personID)
		if err != nil {
			return err
		}
		if no != "" {
			k, err := s.cardByNo(ctx, tx.Conn, no)
			if err != nil {
				return err
			}
			rec.Card = &k
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "health.view", Entity: "person", EntityID: fmt.Sprint(personID)})
	})
	return rec, err
}

func (s *Service) record(ctx context.Context, c db.Conn, pr *auth.Principal, personID int64) (ServiceRecord, error) {
	person, err := personInScope(ctx, c, pr, personID, "person_id")
	if err != nil {
		return ServiceRecord{}, err
	}
	rec := ServiceRecord{PersonID: person.ID, Name: person.Name, Sex: person.Sex, Birth: person.Birth,
		IDNumber: person.IDMask, Village: person.Village, Cases: []CaseDetail{}}
	ids, err := caseIDsOf(ctx, c, pr, personID)
	if err != nil {
		return rec, err
	}
	for _, id := range ids {
		d, err := s.readDetail(ctx, c, pr, id)
		if err != nil {
			return rec, err
		}
		rec.Cases = append(rec.Cases, d)
	}
	return rec, nil
}

// caseIDsOf lists the cases of a person (as subject or partner) in pr's area, newest first.
func caseIDsOf(ctx context.Context, c db.Conn, pr *auth.Principal, personID int64) ([]int64, error) {
	cond, args := caseScope(pr)
	rows, err := c.Query(ctx, `SELECT c.id FROM health_cases c WHERE (c.person_id = ? OR c.partner_id = ?) AND `+cond+`
		ORDER BY c.opened_on DESC, c.id DESC`, append([]any{personID, personID}, args...)...)
	if err != nil {
		return nil, apperr.Wrap(err, "cases of person")
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, apperr.Wrap(err, "scan case id")
		}
		out = append(out, id)
	}
	return out, apperr.Wrap(rows.Err(), "cases of person")
}
