// Package supply keeps the free contraceptive supply (避孕药具): the
// catalogue, stock per station and village room by batch and expiry, the
// ledger of receipts, issues, transfers and stock-takes, dispensing to a
// person with the method they chose (知情选择), dispensing-machine logs, and
// alerts for low stock and batches near expiry. Stock never goes negative.
package supply

import (
	"time"

	"jisheng/internal/audit"
	"jisheng/internal/db"
	"jisheng/internal/fieldcrypt"
)

// Service runs supply operations, each in one transaction with its audit entry.
type Service struct {
	db      *db.DB
	journal *audit.Journal
	cipher  fieldcrypt.FieldCipher
	now     func() time.Time
}

// NewService returns the supply service; now may be nil for the real clock.
func NewService(d *db.DB, j *audit.Journal, c fieldcrypt.FieldCipher, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, journal: j, cipher: c, now: now}
}
