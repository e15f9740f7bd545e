package division

import (
	"context"
	"net/http"

	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/httpx"
)

func init() {
	audit.RegisterActions(map[string]string{
		"division.load":      "导入区划",
		"division.group_add": "新增村民小组",
	})
}

// Handlers serves the division tree, limited to the caller's area.
type Handlers struct {
	db      *db.DB
	journal *audit.Journal
}

// NewHandlers returns the division handlers.
func NewHandlers(d *db.DB, j *audit.Journal) *Handlers { return &Handlers{db: d, journal: j} }

// Detail is a division with the path above it, as far as the caller may see.
type Detail struct {
	Code        string     `json:"code"`
	Name        string     `json:"name"`
	Level       int        `json:"level"`
	LevelName   string     `json:"level_name"`
	ParentCode  string     `json:"parent_code"`
	Path        string     `json:"path"`
	HasChildren bool       `json:"has_children"`
	Ancestors   []Division `json:"ancestors"`
}

// scoped returns division code if it lies in the caller's area.
func scoped(ctx context.Context, c db.Conn, code string) (Division, error) {
	return GetIn(ctx, c, code, auth.From(ctx).DivisionPath)
}

// Get answers one division with its ancestors inside the caller's area.
func (h *Handlers) Get(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c := h.db.Reader()
	d, err := scoped(ctx, c, r.PathValue("code"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	all, err := Ancestors(ctx, c, d)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p := auth.From(ctx)
	anc := []Division{}
	for _, a := range all {
		if p.Covers(a.Path) {
			anc = append(anc, a)
		}
	}
	httpx.WriteJSON(w, http.StatusOK, Detail{Code: d.Code, Name: d.Name, Level: d.Level, LevelName: d.Kind(),
		ParentCode: d.ParentCode, Path: d.Path, HasChildren: d.HasChildren, Ancestors: anc})
}

// Children answers the divisions directly under one in the caller's area.
func (h *Handlers) Children(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c := h.db.Reader()
	d, err := scoped(ctx, c, r.PathValue("code"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	kids, err := Children(ctx, c, d.Code)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	current := kids[:0]
	for _, k := range kids {
		if k.ValidTo == "" {
			current = append(current, k)
		}
	}
	if current == nil {
		current = []Division{}
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[Division]{Items: current, Total: len(current)})
}

// GroupInput names a new 村民小组.
type GroupInput struct {
	Name string `json:"name"`
}

// AddGroup creates a 村民小组 under a village in the caller's area.
func (h *Handlers) AddGroup(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var in GroupInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	var g Division
	err := h.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := scoped(ctx, tx.Conn, r.PathValue("code")); err != nil {
			return err
		}
		var err error
		if g, err = AddGroup(ctx, tx, r.PathValue("code"), in.Name); err != nil {
			return err
		}
		return h.journal.Append(ctx, tx, audit.Entry{Action: "division.group_add", Entity: "division", EntityID: g.Code,
			After: map[string]any{"code": g.Code, "name": g.Name, "parent_code": g.ParentCode}})
	})
	httpx.Reply(w, r, http.StatusCreated, g, err)
}
