package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

// View is one journal entry as the journal page shows it.
type View struct {
	Seq          int64           `json:"seq"`
	At           string          `json:"at"`
	Username     string          `json:"username"`
	Role         string          `json:"role"`
	DivisionCode string          `json:"division_code"`
	Action       string          `json:"action"`
	ActionName   string          `json:"action_name"`
	Entity       string          `json:"entity"`
	EntityID     string          `json:"entity_id"`
	Before       json.RawMessage `json:"before"`
	After        json.RawMessage `json:"after"`
	Remark       string          `json:"remark"`
	IP           string          `json:"ip"`
}

// Filter narrows the journal list. From and To are calendar dates in China
// Standard Time, inclusive.
type Filter struct {
	User     string
	Entity   string
	EntityID string
	Action   string
	From     string
	To       string
	Page     int
	Size     int
}

// ChinaTime is the zone officers read times in; China has a single time zone.
var ChinaTime = time.FixedZone("CST", 8*3600)

// List returns one page of the journal visible to p, newest first. The system
// administrator sees the whole journal; other roles see entries made by users
// of their own division subtree.
func List(ctx context.Context, c db.Conn, p *auth.Principal, f Filter) ([]View, int, error) {
	s, err := exportSelect(p, f)
	if err != nil {
		return nil, 0, err
	}
	total, err := s.Count(ctx, c)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "audit count")
	}
	rows, err := s.Page(ctx, c, f.Page, f.Size)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "audit list")
	}
	defer rows.Close()
	out := []View{}
	for rows.Next() {
		var v View
		var before, after sql.NullString
		if err := rows.Scan(&v.Seq, &v.At, &v.Username, &v.Role, &v.DivisionCode, &v.Action, &v.Entity,
			&v.EntityID, &before, &after, &v.Remark, &v.IP); err != nil {
			return nil, 0, apperr.Wrap(err, "audit scan")
		}
		v.ActionName = ActionName(v.Action)
		v.Before, v.After = rawOrNull(before), rawOrNull(after)
		out = append(out, v)
	}
	return out, total, apperr.Wrap(rows.Err(), "audit rows")
}

func rawOrNull(s sql.NullString) json.RawMessage {
	if !s.Valid {
		return json.RawMessage("null")
	}
	return json.RawMessage(s.String)
}
