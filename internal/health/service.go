// Package health runs the health services officers give: 生育登记 (birth
// registration, no approval), 孕前优生健康检查, 孕产期随访, follow-up after a
// family-planning procedure, and women's-disease and two-cancer screening.
// Programs are declared as data (stages, schedule rules, required fields,
// outcome codes); due dates follow from them and from what was recorded, and
// "overdue" is derived when asked, never stored. Every service is chosen by
// the person: there are no targets and nothing here enforces anything.
package health

import (
	"context"
	"time"

	"jisheng/internal/audit"
	"jisheng/internal/db"
	"jisheng/internal/fieldcrypt"
)

// fieldDetails is the field name health details are encrypted under.
const fieldDetails = "health_details"

// StepHook is called in the transaction of every recorded step, so other
// capabilities can follow a service (a procedure changes the contraceptive
// method the person uses).
type StepHook func(ctx context.Context, tx *db.Tx, c Case, step StepRec) error

// Service runs health-service operations, each in one transaction with its audit entry.
type Service struct {
	db       *db.DB
	journal  *audit.Journal
	cipher   fieldcrypt.FieldCipher
	now      func() time.Time
	hooks    []StepHook
	officers OfficerLookup
}

// NewService returns the health service; now may be nil for the real clock.
func NewService(d *db.DB, j *audit.Journal, c fieldcrypt.FieldCipher, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, journal: j, cipher: c, now: now}
}

// OnStep registers a hook run for every step recorded.
func (s *Service) OnStep(h StepHook) { s.hooks = append(s.hooks, h) }

func (s *Service) today() string { return chinaToday(s.now()) }
