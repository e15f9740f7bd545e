package benefit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/check"
	"jisheng/internal/db"
)

func init() {
	audit.RegisterActions(map[string]string{
		"benefit.posting_open":     "发布公示",
		"benefit.posting_close":    "公示期满",
		"benefit.objection":        "登记公示异议",
		"benefit.objection_settle": "处理公示异议",
	})
}

// defaultObjectionDays is the objection window when no layer sets one.
const defaultObjectionDays = 7

// Posting is a public list as it was posted.
type Posting struct {
	ID          int64          `json:"id"`
	Program     string         `json:"program"`
	ProgramName string         `json:"program_name"`
	Year        int            `json:"year"`
	Level       string         `json:"level"`
	Division    string         `json:"division"`
	Place       string         `json:"place"`
	ListVersion int            `json:"list_version"`
	StartsOn    string         `json:"starts_on"`
	EndsOn      string         `json:"ends_on"`
	Status      string         `json:"status"`
	PublicCode  string         `json:"public_code"`
	Entries     []PostingEntry `json:"entries"`
	Objections  int            `json:"open_objections"`
	// Ended says the objection window is over by the server's date, which
	// is the one that counts (a phone's clock may be wrong).
	Ended   bool        `json:"ended"`
	Tickets []Objection `json:"objections,omitempty"` // officers only; never on the public page
	path    string
}

// Objection is a ticket as officers see it.
type Objection struct {
	ID          int64  `json:"id"`
	CandidateID *int64 `json:"candidate_id,omitempty"`
	Channel     string `json:"channel"`
	Anonymous   bool   `json:"anonymous"`
	Objector    string `json:"objector,omitempty"`
	Content     string `json:"content"`
	Status      string `json:"status"`
	Resolution  string `json:"resolution,omitempty"`
	CreatedAt   string `json:"created_at"`
}

// PostingEntry is one line of a posting: masked, as the public sees it.
type PostingEntry struct {
	Seq         int    `json:"seq"`
	CandidateID int64  `json:"candidate_id,omitempty"` // omitted on the public page
	Name        string `json:"name"`
	IDNumber    string `json:"id_number"`
	Village     string `json:"village"`
	Subtype     string `json:"subtype,omitempty"`
	AnnualFen   int64  `json:"annual_fen"`
}

// PostingInput opens a posting for a village (level village) or a county.
type PostingInput struct {
	Program  string `json:"program"`
	Year     int    `json:"year"`
	Level    string `json:"level"`
	Division string `json:"division"`
}

// postingStage is the review stage a posting level belongs to, and the
// check stage an upheld objection sends a candidate back to.
func postingStage(level string) (posting, back string, ok bool) {
	switch level {
	case "village":
		return "village_posting", "village_check", true
	case "county":
		return "county_posting", "county_approval", true
	}
	return "", "", false
}

// MaskName keeps the first character of a name and the last of a name of
// three or more: 张*, 张*国, 欧阳**锋.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch {
	case len(r) <= 1:
		return string(r)
	case len(r) == 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// OpenPosting posts the candidates of a division waiting at the posting
// stage of a level, for the program's objection window.
func (s *Service) OpenPosting(ctx context.Context, in PostingInput) (Posting, error) {
	pr := auth.From(ctx)
	stage, _, ok := postingStage(in.Level)
	if !ok {
		return Posting{}, apperr.InvalidField("level", "公示层级应为 village（村级）或 county（县级）")
	}
	if _, ok := ProgramOf(in.Program); !ok {
		return Posting{}, apperr.InvalidField("program", "未知的待遇项目："+in.Program)
	}
	if err := checkYear(in.Year); err != nil {
		return Posting{}, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		path, err := s.postingPlace(ctx, tx.Conn, pr, in)
		if err != nil {
			return err
		}
		if err := tx.Lock(ctx, "benefit_posting/"+in.Program+"/"+in.Division); err != nil {
			return err
		}
		if id, err = s.insertPosting(ctx, tx, pr, in, path, stage); err != nil {
			return err
		}
		return s.snapshot(ctx, tx, id, in, path, stage)
	})
	if err != nil {
		return Posting{}, err
	}
	return s.Posting(ctx, id)
}

// postingPlace checks the division is the caller's own at the level's
// depth (a village officer posts their village; county staff the county).
func (s *Service) postingPlace(ctx context.Context, c db.Conn, pr *auth.Principal, in PostingInput) (string, error) {
	var path string
	var level int
	if err := c.QueryRow(ctx, `SELECT path, level FROM divisions WHERE code = ?`, in.Division).Scan(&path, &level); err != nil || !pr.Covers(path) {
		return "", &apperr.Error{Code: apperr.NotFound, Field: "division", Message: "区划不存在或不在您的管辖范围内"}
	}
	st, _, _ := StageOf(map[string]string{"village": "village_posting", "county": "county_posting"}[in.Level])
	if level != st.Level || !actsAt(pr, st, path) {
		return "", apperr.New(apperr.Forbidden, "“"+st.Name+"”由"+st.Role.Name()+"在本级发布")
	}
	return path, nil
}

func (s *Service) insertPosting(ctx context.Context, tx *db.Tx, pr *auth.Principal, in PostingInput, path, stage string) (int64, error) {
	var open int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM benefit_postings WHERE program = ? AND year = ? AND level = ?
		AND division_code = ? AND status = 'open'`, in.Program, in.Year, in.Level, in.Division).Scan(&open); err != nil {
		return 0, apperr.Wrap(err, "open postings")
	}
	if open > 0 {
		return 0, apperr.New(apperr.Conflict, "本级已有正在公示的名单，请待公示期满或处理异议后再发布")
	}
	var version int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(list_version), 0) + 1 FROM benefit_postings WHERE program = ? AND year = ?
		AND level = ? AND division_code = ?`, in.Program, in.Year, in.Level, in.Division).Scan(&version); err != nil {
		return 0, apperr.Wrap(err, "posting version")
	}
	days := s.objectionDays(ctx, tx.Conn, in.Program, db.CountyCode(path))
	start := s.today()
	t, _ := time.Parse(time.DateOnly, start)
	end := t.AddDate(0, 0, days-1).Format(time.DateOnly) // 7 days: today and the six after
	return tx.InsertID(ctx, `INSERT INTO benefit_postings (program, year, level, division_code, division_path, list_version,
		starts_on, ends_on, status, public_code, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)`,
		in.Program, in.Year, in.Level, in.Division, path, version, start, end, publicCode(), pr.Username, db.Now())
}

// objectionDays is the program's objection window in the county, at least one day.
func (s *Service) objectionDays(ctx context.Context, c db.Conn, program, county string) int {
	layers, _ := s.Layers(ctx, c, program)
	if n := NewParams(program, county, s.today(), layers).Int("objection_days"); n > 0 {
		return int(n)
	}
	return defaultObjectionDays
}

// publicCode is an unguessable code for the public page of a posting.
func publicCode() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// snapshot copies the candidates waiting at the stage into the posting.
func (s *Service) snapshot(ctx context.Context, tx *db.Tx, id int64, in PostingInput, path, stage string) error {
	cond, args := db.Subtree("c.division_path", path)
	rows, err := tx.Query(ctx, `SELECT c.id, p.name, COALESCE(p.id_mask, ''), COALESCE(v.name, ''), COALESCE(d.subtype, ''), c.annual_fen
		FROM benefit_candidates c JOIN persons p ON p.id = c.person_id LEFT JOIN divisions v ON v.code = p.reg_division
		LEFT JOIN benefit_decisions d ON d.id = c.decision_id
		WHERE c.program = ? AND c.year = ? AND c.stage = ? AND `+cond+` ORDER BY c.division_path, c.id`,
		append([]any{in.Program, in.Year, stage}, args...)...)
	if err != nil {
		return apperr.Wrap(err, "posting candidates")
	}
	var entries []PostingEntry
	for rows.Next() {
		var e PostingEntry
		if err := rows.Scan(&e.CandidateID, &e.Name, &e.IDNumber, &e.Village, &e.Subtype, &e.AnnualFen); err != nil {
			rows.Close()
			return apperr.Wrap(err, "scan posting candidate")
		}
		e.Seq, e.Name = len(entries)+1, MaskName(e.Name)
		entries = append(entries, e)
	}
	rows.Close()
	if len(entries) == 0 {
		return apperr.New(apperr.Invalid, "没有等待公示的对象")
	}
	for _, e := range entries {
		if _, err := tx.Exec(ctx, `INSERT INTO benefit_posting_entries (posting_id, candidate_id, seq, name_masked, id_masked,
			village, subtype, annual_fen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, e.CandidateID, e.Seq, e.Name, e.IDNumber,
			e.Village, nullText(e.Subtype), e.AnnualFen); err != nil {
			return err
		}
	}
	return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.posting_open", Entity: "benefit_posting", EntityID: fmt.Sprint(id),
		After: map[string]any{"program": in.Program, "year": in.Year, "level": in.Level, "division": in.Division, "entries": len(entries)}})
}

// Posting answers a posting in the caller's area with its entries and
// its objection tickets.
func (s *Service) Posting(ctx context.Context, id int64) (Posting, error) {
	pr := auth.From(ctx)
	p, err := s.readPosting(ctx, s.db.Reader(), `b.id = ? AND `+subtreeCond(pr), append([]any{id}, subtreeArgs(pr)...), true)
	if err != nil {
		return p, err
	}
	p.Ended = s.today() > p.EndsOn
	p.Tickets, err = objectionsOf(ctx, s.db.Reader(), p.ID)
	return p, err
}

func objectionsOf(ctx context.Context, c db.Conn, posting int64) ([]Objection, error) {
	rows, err := c.Query(ctx, `SELECT id, candidate_id, channel, anonymous, objector, content, status, resolution, created_at
		FROM benefit_objections WHERE posting_id = ? ORDER BY id`, posting)
	if err != nil {
		return nil, apperr.Wrap(err, "objections")
	}
	defer rows.Close()
	out := []Objection{}
	for rows.Next() {
		var o Objection
		var cand sql.NullInt64
		var anon int
		if err := rows.Scan(&o.ID, &cand, &o.Channel, &anon, &o.Objector, &o.Content, &o.Status, &o.Resolution, &o.CreatedAt); err != nil {
			return nil, apperr.Wrap(err, "scan objection")
		}
		if cand.Valid {
			o.CandidateID = &cand.Int64
		}
		o.Anonymous = anon == 1
		out = append(out, o)
	}
	return out, apperr.Wrap(rows.Err(), "objections")
}

// PublicPosting answers a posting by its public code, for the read-only
// page anyone may open: masked entries, no record numbers.
func (s *Service) PublicPosting(ctx context.Context, code string) (Posting, error) {
	p, err := s.readPosting(ctx, s.db.Reader(), `b.public_code = ? AND b.status <> 'superseded'`, []any{strings.TrimSpace(code)}, false)
	p.ID, p.PublicCode = 0, ""
	return p, err
}

func (s *Service) readPosting(ctx context.Context, c db.Conn, where string, args []any, internal bool) (Posting, error) {
	var p Posting
	err := c.QueryRow(ctx, `SELECT b.id, b.program, b.year, b.level, b.division_code, COALESCE(d.name, ''), b.list_version,
		b.starts_on, b.ends_on, b.status, b.public_code,
		(SELECT COUNT(*) FROM benefit_objections o WHERE o.posting_id = b.id AND o.status = 'open'), b.division_path
		FROM benefit_postings b LEFT JOIN divisions d ON d.code = b.division_code WHERE `+where, args...).Scan(&p.ID,
		&p.Program, &p.Year, &p.Level, &p.Division, &p.Place, &p.ListVersion, &p.StartsOn, &p.EndsOn, &p.Status, &p.PublicCode,
		&p.Objections, &p.path)
	if err != nil {
		return p, db.NotFound(err, "公示不存在")
	}
	prog, _ := ProgramOf(p.Program)
	p.ProgramName = prog.Name
	rows, err := c.Query(ctx, `SELECT seq, candidate_id, name_masked, id_masked, village, COALESCE(subtype, ''), annual_fen
		FROM benefit_posting_entries WHERE posting_id = ? ORDER BY seq`, p.ID)
	if err != nil {
		return p, apperr.Wrap(err, "posting entries")
	}
	defer rows.Close()
	p.Entries = []PostingEntry{}
	for rows.Next() {
		var e PostingEntry
		if err := rows.Scan(&e.Seq, &e.CandidateID, &e.Name, &e.IDNumber, &e.Village, &e.Subtype, &e.AnnualFen); err != nil {
			return p, apperr.Wrap(err, "scan posting entry")
		}
		if !internal {
			e.CandidateID = 0
		}
		p.Entries = append(p.Entries, e)
	}
	return p, apperr.Wrap(rows.Err(), "posting entries")
}

// ObjectionInput records an objection received during a posting.
type ObjectionInput struct {
	CandidateID *int64 `json:"candidate_id,omitempty"` // the entry objected to; none for the list as a whole
	Channel     string `json:"channel"`
	Anonymous   bool   `json:"anonymous"`
	Objector    string `json:"objector"` // name or contact, unless anonymous
	Content     string `json:"content"`
}

// RecordObjection opens a ticket on a posting while its window is open.
func (s *Service) RecordObjection(ctx context.Context, postingID int64, in ObjectionInput) (int64, error) {
	pr := auth.From(ctx)
	if !map[string]bool{"phone": true, "letter": true, "visit": true, "online": true, "other": true}[in.Channel] {
		return 0, apperr.InvalidField("channel", "来源应为 phone（电话）、letter（信件）、visit（来访）、online（网上）或 other")
	}
	in.Content, in.Objector = strings.TrimSpace(in.Content), strings.TrimSpace(in.Objector)
	if in.Anonymous {
		in.Objector = ""
	}
	if err := check.Text("content", "异议内容", in.Content, 1000, true); err != nil {
		return 0, err
	}
	if err := check.Text("objector", "反映人", in.Objector, 100, false); err != nil {
		return 0, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		p, err := s.readPosting(ctx, tx.Conn, `b.id = ? AND `+subtreeCond(pr), append([]any{postingID}, subtreeArgs(pr)...), true)
		if err != nil {
			return err
		}
		if p.Status != "open" || s.today() > p.EndsOn {
			return apperr.New(apperr.Conflict, "公示期已结束，不再受理异议（可作为投诉另行处理）")
		}
		if in.CandidateID != nil && !hasEntry(p, *in.CandidateID) {
			return apperr.InvalidField("candidate_id", "该对象不在这份公示名单中")
		}
		anon := 0
		if in.Anonymous {
			anon = 1
		}
		if id, err = tx.InsertID(ctx, `INSERT INTO benefit_objections (posting_id, candidate_id, channel, anonymous, objector,
			content, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, in.CandidateID, in.Channel, anon, in.Objector,
			in.Content, pr.Username, db.Now()); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.objection", Entity: "benefit_posting", EntityID: fmt.Sprint(p.ID),
			After: map[string]any{"objection": id, "candidate_id": in.CandidateID, "channel": in.Channel, "anonymous": in.Anonymous}})
	})
	return id, err
}

// subtreeCond and subtreeArgs restrict postings aliased b to pr's subtree.
func subtreeCond(pr *auth.Principal) string {
	cond, _ := db.Subtree("b.division_path", pr.DivisionPath)
	return cond
}

func subtreeArgs(pr *auth.Principal) []any {
	_, args := db.Subtree("b.division_path", pr.DivisionPath)
	return args
}

func hasEntry(p Posting, candidate int64) bool {
	for _, e := range p.Entries {
		if e.CandidateID == candidate {
			return true
		}
	}
	return false
}

// SettleInput resolves an objection.
type SettleInput struct {
	Outcome    string `json:"outcome"` // upheld, dismissed
	Resolution string `json:"resolution"`
}

// SettleObjection resolves an objection. An upheld objection about an entry
// sends that candidate back to the check before the posting, and
// supersedes the posting: the rest of the list is posted again as a new
// version, so the public always sees the list that will be approved.
func (s *Service) SettleObjection(ctx context.Context, id int64, in SettleInput) error {
	pr := auth.From(ctx)
	in.Resolution = strings.TrimSpace(in.Resolution)
	if in.Outcome != "upheld" && in.Outcome != "dismissed" {
		return apperr.InvalidField("outcome", "处理结果应为 upheld（异议成立）或 dismissed（异议不成立）")
	}
	if err := check.Text("resolution", "处理意见", in.Resolution, 1000, true); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *db.Tx) error {
		var postingID int64
		var candidate sql.NullInt64
		var status string
		if err := tx.QueryRow(ctx, `SELECT posting_id, candidate_id, status FROM benefit_objections WHERE id = ?`, id).
			Scan(&postingID, &candidate, &status); err != nil {
			return db.NotFound(err, "异议不存在")
		}
		p, err := s.readPosting(ctx, tx.Conn, `b.id = ? AND `+subtreeCond(pr), append([]any{postingID}, subtreeArgs(pr)...), true)
		if err != nil {
			return apperr.New(apperr.NotFound, "异议不存在")
		}
		if status != "open" {
			return apperr.New(apperr.Conflict, "该异议已处理")
		}
		if _, err := tx.Exec(ctx, `UPDATE benefit_objections SET status = ?, resolution = ?, resolved_by = ?, resolved_at = ?
			WHERE id = ?`, in.Outcome, in.Resolution, pr.Username, db.Now(), id); err != nil {
			return err
		}
		if in.Outcome == "upheld" {
			if err := s.upheld(ctx, tx, pr, p, candidate, in.Resolution); err != nil {
				return err
			}
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.objection_settle", Entity: "benefit_posting",
			EntityID: fmt.Sprint(p.ID), After: map[string]any{"objection": id, "outcome": in.Outcome}, Remark: in.Resolution})
	})
}

func (s *Service) upheld(ctx context.Context, tx *db.Tx, pr *auth.Principal, p Posting, candidate sql.NullInt64, reason string) error {
	if _, err := tx.Exec(ctx, `UPDATE benefit_postings SET status = 'superseded', closed_at = ? WHERE id = ?`, db.Now(), p.ID); err != nil {
		return err
	}
	if !candidate.Valid {
		return nil
	}
	stage, back, _ := postingStage(p.Level)
	st, _, _ := StageOf(stage)
	c, err := s.loadCandidate(ctx, tx.Conn, pr, candidate.Int64)
	if err != nil {
		return err
	}
	if c.Stage != stage {
		return nil
	}
	return s.moveCandidate(ctx, tx, pr, c, st, "return", back, "公示异议成立："+reason)
}

// ClosePosting ends a posting whose window has passed with no objection
// open: its candidates still waiting at the posting stage go on to the
// next stage, each with a review row naming the posting.
func (s *Service) ClosePosting(ctx context.Context, id int64) (Posting, error) {
	pr := auth.From(ctx)
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		p, err := s.readPosting(ctx, tx.Conn, `b.id = ? AND `+subtreeCond(pr), append([]any{id}, subtreeArgs(pr)...), true)
		if err != nil {
			return err
		}
		stage, _, _ := postingStage(p.Level)
		st, i, _ := StageOf(stage)
		switch {
		case p.Status != "open":
			return apperr.New(apperr.Conflict, "该公示已结束或已被新版本取代")
		case s.today() <= p.EndsOn:
			return apperr.New(apperr.Conflict, fmt.Sprintf("公示期至 %s，期满后才能进入下一环节", p.EndsOn))
		case p.Objections > 0:
			return apperr.New(apperr.Conflict, fmt.Sprintf("还有 %d 件异议未处理", p.Objections))
		case !actsAt(pr, st, p.path):
			return apperr.New(apperr.Forbidden, "“"+st.Name+"”由"+st.Role.Name()+"办理")
		}
		for _, e := range p.Entries {
			c, err := s.loadCandidate(ctx, tx.Conn, pr, e.CandidateID)
			if err != nil || c.Stage != stage {
				continue // returned meanwhile
			}
			if err := s.moveCandidate(ctx, tx, pr, c, st, "approve", nextStage(i), fmt.Sprintf("公示期满无异议（第 %d 版）", p.ListVersion)); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE benefit_postings SET status = 'closed', closed_at = ? WHERE id = ?`, db.Now(), p.ID); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.posting_close", Entity: "benefit_posting", EntityID: fmt.Sprint(p.ID)})
	})
	if err != nil {
		return Posting{}, err
	}
	return s.Posting(ctx, id)
}

// Postings lists the postings of the caller's area, newest first.
func (s *Service) Postings(ctx context.Context, program string, year int) ([]Posting, error) {
	pr := auth.From(ctx)
	rows, err := s.db.Reader().Query(ctx, `SELECT b.id FROM benefit_postings b WHERE `+subtreeCond(pr)+`
		AND (? = '' OR b.program = ?) AND (? = 0 OR b.year = ?) ORDER BY b.id DESC LIMIT 200`,
		append(subtreeArgs(pr), program, program, year, year)...)
	if err != nil {
		return nil, apperr.Wrap(err, "postings")
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, apperr.Wrap(err, "scan posting")
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []Posting{}
	for _, id := range ids {
		p, err := s.Posting(ctx, id)
		if err != nil {
			return nil, err
		}
		p.Entries = nil // the list page shows counts; the entries are on the posting's page
		out = append(out, p)
	}
	return out, nil
}
