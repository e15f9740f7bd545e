package benefit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

func init() {
	audit.RegisterActions(map[string]string{
		"benefit.facts_view": "查看核实信息",
	})
}

// Fact is one attestation of a fact about a person.
type Fact struct {
	ID         int64  `json:"id"`
	Key        string `json:"key"`
	Label      string `json:"label"`
	Value      string `json:"value"`
	ValueLabel string `json:"value_label"` // the value in words: 是, 二级, the child's name
	Evidence   string `json:"evidence"`
	AttestedBy string `json:"attested_by"`
	AttestedAt string `json:"attested_at"`
}

// PersonFacts is what officers attested about a person: the attestation in
// force of each key, and every attestation, newest first.
type PersonFacts struct {
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	Facts    []Fact `json:"facts"`
	History  []Fact `json:"history"`
}

// attestOrder is the order facts are shown in, as on the attestation form.
var attestOrder = []string{AttestPolicyCompliant, AttestComplication, AttestDisability, AttestOnlyChildCert, AttestOnlyChildCertFor}

// PersonFacts answers the facts attested about a person in the caller's
// area. Reading them is journaled: disability and surgery-complication
// levels are health details.
func (s *Service) PersonFacts(ctx context.Context, id int64) (PersonFacts, error) {
	pr := auth.From(ctx)
	out := PersonFacts{PersonID: id, Facts: []Fact{}, History: []Fact{}}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		me, err := personInScope(ctx, tx.Conn, pr, id)
		if err != nil {
			return err
		}
		out.Name = me.Name
		if out.History, err = factsOf(ctx, tx.Conn, id); err != nil {
			return err
		}
		for _, key := range attestOrder {
			for _, f := range out.History { // newest first: the first of a key is in force
				if f.Key == key {
					out.Facts = append(out.Facts, f)
					break
				}
			}
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.facts_view", Entity: "person", EntityID: fmt.Sprint(id)})
	})
	return out, err
}

func factsOf(ctx context.Context, c db.Conn, person int64) ([]Fact, error) {
	rows, err := c.Query(ctx, `SELECT id, key, value, evidence, attested_by, attested_at FROM benefit_facts
		WHERE person_id = ? ORDER BY id DESC`, person)
	if err != nil {
		return nil, apperr.Wrap(err, "facts")
	}
	out := []Fact{}
	for rows.Next() {
		var f Fact
		if err := rows.Scan(&f.ID, &f.Key, &f.Value, &f.Evidence, &f.AttestedBy, &f.AttestedAt); err != nil {
			rows.Close()
			return nil, apperr.Wrap(err, "scan fact")
		}
		f.Label = attestKeys[f.Key].label
		if f.Label == "" {
			f.Label = f.Key
		}
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "facts")
	}
	names := map[string]string{} // the children named on certificates
	for i, f := range out {
		if f.Key == AttestOnlyChildCertFor && isNumber(f.Value) {
			if _, ok := names[f.Value]; !ok {
				var name string
				err := c.QueryRow(ctx, `SELECT name FROM persons WHERE id = ?`, atoi64(f.Value)).Scan(&name)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return nil, apperr.Wrap(err, "certificate child")
				}
				names[f.Value] = name
			}
		}
		out[i].ValueLabel = factValueLabel(f.Key, f.Value, names[f.Value])
	}
	return out, nil
}

var levelNames = map[string]string{"1": "一级", "2": "二级", "3": "三级", "4": "四级"}

// factValueLabel is an attested value in words.
func factValueLabel(key, value, child string) string {
	switch {
	case value == "yes":
		return "是"
	case value == "no":
		return "否"
	case value == "none":
		return "无"
	case key == AttestOnlyChildCertFor:
		if child != "" {
			return child
		}
		return "人员编号 " + value
	case slices.Contains([]string{AttestComplication, AttestDisability}, key) && levelNames[value] != "":
		return levelNames[value]
	}
	return value
}

// PersonAccount is a person's payment account in force, with the number
// masked: the full number leaves the system only in a bank file.
type PersonAccount struct {
	PersonID    int64  `json:"person_id"`
	Bank        string `json:"bank"`
	AccountName string `json:"account_name"`
	AccountNo   string `json:"account_no"` // masked
	SetBy       string `json:"set_by"`
	SetAt       string `json:"set_at"`
}

// PersonAccount answers the account a person in the caller's area is paid
// into; not found if none was recorded. The number is the mask stored at
// entry, so nothing is decrypted and the read needs no journal entry.
func (s *Service) PersonAccount(ctx context.Context, id int64) (PersonAccount, error) {
	pr := auth.From(ctx)
	c := s.db.Reader()
	a := PersonAccount{PersonID: id}
	if _, err := personInScope(ctx, c, pr, id); err != nil {
		return a, err
	}
	err := c.QueryRow(ctx, `SELECT bank, account_name, account_mask, set_by, set_at FROM benefit_accounts WHERE person_id = ?
		ORDER BY id DESC LIMIT 1`, id).Scan(&a.Bank, &a.AccountName, &a.AccountNo, &a.SetBy, &a.SetAt)
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFoundf("该人员尚未登记发放账户")
	}
	return a, apperr.Wrap(err, "person account")
}
