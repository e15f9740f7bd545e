package quality_test

import (
	"context"
	"testing"

	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/idno"
	"jisheng/internal/quality"
	"jisheng/internal/registry"
	"jisheng/internal/testfix"
)

// TestBulkChangeReworksTheArea: a bulk load reports its whole area once;
// the hook then finds what the rules find there, as a full recompute
// would, inside the load's transaction.
func TestBulkChangeReworksTheArea(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		number := withCheck("34152319800101001")
		a := e.insertLegacy(t, legacy{"甲", "male", "1980-01-01", number, testfix.VillageA1})
		b := e.insertLegacy(t, legacy{"乙", "male", "1980-01-01", number, testfix.VillageA2})
		bad := e.insertLegacy(t, legacy{"丙", "female", "1980-01-01", idno.Generate(testfix.County, "19810101", 2), testfix.VillageA1})
		outside := e.insertLegacy(t, legacy{"丁", "male", "1980-01-01", number, testfix.VillageB1})
		ctx := context.Background()
		err := d.Tx(ctx, func(tx *db.Tx) error {
			return e.q.OnRegistryChange(ctx, tx, registry.Changed{Persons: []int64{a, b, bad}, Bulk: true,
				Area: testfix.Path(testfix.TownA)})
		})
		if err != nil {
			t.Fatal(err)
		}
		e.wantFinding(t, quality.EntityPerson, a, quality.RuleIDDuplicate, "")
		e.wantFinding(t, quality.EntityPerson, b, quality.RuleIDDuplicate, "")
		e.wantFinding(t, quality.EntityPerson, bad, quality.RuleIDMismatch, "")
		// The hook reworked town A only; a full recompute adds the rest.
		if len(e.findings(t, quality.EntityPerson, outside)) != 0 {
			t.Fatalf("a person outside the area was reworked")
		}
		e.recompute(t)
		e.wantFinding(t, quality.EntityPerson, outside, quality.RuleIDDuplicate, "")
		e.wantConsistent(t)
	})
}
