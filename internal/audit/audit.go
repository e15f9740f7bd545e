// Package audit keeps the audit journal: who did what to which record, with
// the values before and after, and every view of unmasked personal data.
//
// Entries are appended inside the transaction of the change they describe, so
// a change and its entry commit or roll back together. Each entry carries
// hash = HMAC(key, prev_hash ‖ entry) with a key that lives outside the
// database (derived from the key file), so someone who can write to the
// database but lacks the key can neither alter nor delete an entry, nor
// rebuild the chain after doing so, without Verify noticing.
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"sync"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"

	"github.com/emmansun/gmsm/sm3"
)

// Algorithms for the chain MAC. SM3 is offered for deployments that must use
// commercial (国密) cryptography; each entry records its own algorithm so a
// change of setting does not break verification of older entries.
const (
	AlgHMACSHA256 = "hmac-sha256"
	AlgHMACSM3    = "hmac-sm3"
)

// Entry is what a service call says about its change.
type Entry struct {
	Action   string // e.g. "person.update"; see RegisterActions
	Entity   string // e.g. "person"
	EntityID string
	Before   any // JSON-encodable state before the change, nil for creations
	After    any // JSON-encodable state after the change, nil for reads
	Remark   string
}

// Journal appends to and verifies the audit chain.
type Journal struct {
	key []byte
	alg string
}

// New returns a journal that MACs entries with key using alg.
func New(key []byte, alg string) (*Journal, error) {
	if len(key) < 16 {
		return nil, errors.New("audit key too short")
	}
	if _, err := newMAC(alg, key); err != nil {
		return nil, err
	}
	return &Journal{key: key, alg: alg}, nil
}

func newMAC(alg string, key []byte) (hash.Hash, error) {
	switch alg {
	case AlgHMACSHA256:
		return hmac.New(sha256.New, key), nil
	case AlgHMACSM3:
		return hmac.New(sm3.New, key), nil
	}
	return nil, apperr.Newf(apperr.Invalid, "未知的审计日志摘要算法 %q（可选 %s、%s）", alg, AlgHMACSHA256, AlgHMACSM3)
}

// record is one row of audit_log.
type record struct {
	Seq          int64
	At           string
	UserID       sql.NullInt64
	Username     string
	Role         string
	DivisionCode string
	DivisionPath string
	Action       string
	Entity       string
	EntityID     string
	Before       sql.NullString
	After        sql.NullString
	Remark       string
	IP           string
	RequestID    string
	Alg          string
	PrevHash     string
	Hash         string
}

// canonical is the byte string the MAC covers. A JSON array is unambiguous
// (no field can run into the next) and stable across Go versions.
func (r *record) canonical() []byte {
	b, _ := json.Marshal([]any{r.Seq, r.At, r.UserID.Int64, r.UserID.Valid, r.Username, r.Role,
		r.DivisionCode, r.DivisionPath, r.Action, r.Entity, r.EntityID,
		r.Before.String, r.Before.Valid, r.After.String, r.After.Valid,
		r.Remark, r.IP, r.RequestID, r.Alg, r.PrevHash})
	return b
}

func (j *Journal) mac(alg string, r *record) (string, error) {
	m, err := newMAC(alg, j.key)
	if err != nil {
		return "", err
	}
	m.Write(r.canonical())
	return hex.EncodeToString(m.Sum(nil)), nil
}

// Append writes e as the next entry of the chain inside tx. The acting
// principal comes from ctx; a change without one is refused, since every
// change must say who made it.
func (j *Journal) Append(ctx context.Context, tx *db.Tx, e Entry) error {
	p := auth.From(ctx)
	if p == nil {
		return apperr.Wrap(errors.New("audit: no principal in context"), "audit append")
	}
	var head struct {
		seq  int64
		hash string
	}
	q := `SELECT seq, hash FROM audit_head WHERE id = 1`
	if tx.Dialect() == db.Postgres {
		q += ` FOR UPDATE` // serialises appenders; SQLite already has a single writer
	}
	if err := tx.QueryRow(ctx, q).Scan(&head.seq, &head.hash); err != nil {
		return apperr.Wrap(err, "audit head")
	}
	r := record{
		Seq: head.seq + 1, At: db.Now(), Username: p.Username, Role: string(p.Role),
		DivisionCode: p.DivisionCode, DivisionPath: p.DivisionPath,
		Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Remark: e.Remark,
		IP: p.IP, RequestID: p.RequestID, Alg: j.alg, PrevHash: head.hash,
	}
	if p.UserID != 0 {
		r.UserID = sql.NullInt64{Int64: p.UserID, Valid: true}
	}
	var err error
	if r.Before, err = toJSON(e.Before); err != nil {
		return err
	}
	if r.After, err = toJSON(e.After); err != nil {
		return err
	}
	if r.Hash, err = j.mac(j.alg, &r); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (seq, at, user_id, username, role, division_code, division_path,
		action, entity, entity_id, before_json, after_json, remark, ip, request_id, alg, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Seq, r.At, r.UserID, r.Username, r.Role, r.DivisionCode, r.DivisionPath,
		r.Action, r.Entity, r.EntityID, r.Before, r.After, r.Remark, r.IP, r.RequestID, r.Alg, r.PrevHash, r.Hash)
	if err != nil {
		return apperr.Wrap(err, "audit insert")
	}
	if _, err := tx.Exec(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, r.Seq, r.Hash); err != nil {
		return apperr.Wrap(err, "audit head update")
	}
	return nil
}

func toJSON(v any) (sql.NullString, error) {
	if v == nil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return sql.NullString{}, apperr.Wrap(err, "audit json")
	}
	if string(b) == "null" {
		return sql.NullString{}, nil
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

var (
	actionMu    sync.RWMutex
	actionNames = map[string]string{}
)

// RegisterActions gives Chinese names to actions; each capability package
// registers its own at init so the journal page can show them.
func RegisterActions(names map[string]string) {
	actionMu.Lock()
	defer actionMu.Unlock()
	for k, v := range names {
		actionNames[k] = v
	}
}

// ActionName returns the Chinese name of an action, or the action itself.
func ActionName(action string) string {
	actionMu.RLock()
	defer actionMu.RUnlock()
	if n, ok := actionNames[action]; ok {
		return n
	}
	return action
}

func init() {
	RegisterActions(map[string]string{
		"system.init":    "系统初始化",
		"system.migrate": "数据库迁移",
		"system.backup":  "数据库备份",
	})
}

// Describe renders an entry briefly for CLI output.
func Describe(seq int64, action, entity, id string) string {
	return fmt.Sprintf("#%d %s %s/%s", seq, ActionName(action), entity, id)
}
