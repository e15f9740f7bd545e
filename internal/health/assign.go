package health

import (
	"context"
	"fmt"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

// Officer is an account a visit can be handed to.
type Officer struct {
	Username     string
	Role         auth.Role
	DivisionPath string
}

// OfficerLookup finds an active account by name; the account package
// provides it, so this package does not read the users table.
type OfficerLookup func(ctx context.Context, username string) (Officer, error)

// SetOfficers installs the account look-up used to hand visits to officers.
func (s *Service) SetOfficers(l OfficerLookup) { s.officers = l }

// AssignInput hands a visit to an officer; an empty username hands it back
// to the area (every officer of the village sees it).
type AssignInput struct {
	Username string `json:"username"`
	Version  int    `json:"version"`
}

// Assign hands an open visit to a named officer whose area covers the
// person, so that the officer's own list ("mine") shows it.
func (s *Service) Assign(ctx context.Context, visitID int64, in AssignInput) (Visit, error) {
	pr := auth.From(ctx)
	name := strings.TrimSpace(in.Username)
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		v, err := s.loadVisit(ctx, tx.Conn, pr, visitID)
		if err != nil {
			return err
		}
		if v.Status != "open" || v.caseStatus != "open" {
			return apperr.New(apperr.Conflict, "只能分派未完成的随访")
		}
		if in.Version != v.Version {
			return apperr.New(apperr.Conflict, "随访已被他人修改，请刷新后重试")
		}
		if name != "" {
			if err := s.checkOfficer(ctx, pr, name, v.path); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE health_visits SET assigned_to = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			nullText(name), db.Now(), v.ID); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "health.assign", Entity: "health_visit", EntityID: fmt.Sprint(v.ID),
			Before: map[string]any{"assigned_to": v.AssignedTo}, After: map[string]any{"assigned_to": name}})
	})
	if err != nil {
		return Visit{}, err
	}
	return s.visitView(ctx, pr, visitID)
}

// checkOfficer accepts an officer who can record services, whose area
// covers the visit, and who works within the caller's area.
func (s *Service) checkOfficer(ctx context.Context, pr *auth.Principal, name, visitPath string) error {
	if s.officers == nil {
		return apperr.New(apperr.Internal, "未配置用户查询")
	}
	o, err := s.officers(ctx, name)
	if err != nil {
		return err
	}
	officer := auth.Principal{Role: o.Role, DivisionPath: o.DivisionPath}
	if !pr.Covers(o.DivisionPath) {
		return &apperr.Error{Code: apperr.NotFound, Field: "username", Message: "用户不存在或不在您的管辖范围内：" + name}
	}
	if !officer.Can(auth.PermHealthWrite) || !officer.Covers(visitPath) {
		return apperr.InvalidField("username", name+" 不负责此人所在的村（居），不能分派给他")
	}
	return nil
}
