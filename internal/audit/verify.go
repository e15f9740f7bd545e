package audit

import (
	"context"
	"fmt"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
)

// VerifyResult says whether the chain is intact and, if not, where it first breaks.
type VerifyResult struct {
	OK        bool   `json:"ok"`
	Checked   int64  `json:"checked"`
	BrokenSeq int64  `json:"broken_seq,omitempty"`
	Reason    string `json:"reason,omitempty"`
	HeadSeq   int64  `json:"head_seq"`
	HeadHash  string `json:"head_hash"`
}

// Verify walks the whole chain in order and reports the first entry that was
// altered, deleted or inserted out of order, and a tail cut off after the
// last entry. It reads in one snapshot so concurrent appends do not confuse it.
func (j *Journal) Verify(ctx context.Context, d *db.DB) (VerifyResult, error) {
	var res VerifyResult
	err := d.ReadTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&res.HeadSeq, &res.HeadHash); err != nil {
			return apperr.Wrap(err, "audit head")
		}
		rows, err := tx.Query(ctx, `SELECT seq, at, user_id, username, role, division_code, division_path,
			action, entity, entity_id, before_json, after_json, remark, ip, request_id, alg, prev_hash, hash
			FROM audit_log ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		prevHash, want := "", int64(1)
		for rows.Next() {
			var r record
			if err := rows.Scan(&r.Seq, &r.At, &r.UserID, &r.Username, &r.Role, &r.DivisionCode, &r.DivisionPath,
				&r.Action, &r.Entity, &r.EntityID, &r.Before, &r.After, &r.Remark, &r.IP, &r.RequestID,
				&r.Alg, &r.PrevHash, &r.Hash); err != nil {
				return err
			}
			if reason := j.check(&r, want, prevHash); reason != "" {
				res.BrokenSeq, res.Reason = min(r.Seq, want), reason
				return nil
			}
			res.Checked++
			prevHash, want = r.Hash, r.Seq+1
		}
		if err := rows.Err(); err != nil {
			return err
		}
		switch {
		case res.HeadSeq != want-1:
			res.BrokenSeq = want
			res.Reason = fmt.Sprintf("日志末尾缺少记录：链头为第 %d 条，但最后一条是第 %d 条（记录被删除）", res.HeadSeq, want-1)
		case res.HeadHash != prevHash:
			res.BrokenSeq = want - 1
			res.Reason = fmt.Sprintf("第 %d 条记录与链头哈希不符（记录被修改或替换）", want-1)
		default:
			res.OK = true
		}
		return nil
	})
	return res, err
}

func (j *Journal) check(r *record, want int64, prevHash string) string {
	if r.Seq != want {
		if r.Seq > want {
			return fmt.Sprintf("第 %d 条记录缺失（被删除）", want)
		}
		return fmt.Sprintf("第 %d 条记录序号重复或乱序", r.Seq)
	}
	if r.PrevHash != prevHash {
		return fmt.Sprintf("第 %d 条记录的前序哈希与第 %d 条不符（链被改写）", r.Seq, r.Seq-1)
	}
	h, err := j.mac(r.Alg, r)
	if err != nil {
		return fmt.Sprintf("第 %d 条记录的摘要算法 %q 无法识别", r.Seq, r.Alg)
	}
	if h != r.Hash {
		return fmt.Sprintf("第 %d 条记录内容与其哈希不符（记录被修改）", r.Seq)
	}
	return ""
}
