package supply_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/supply"
)

// TestSupplyStockNeverNegativeUnderConcurrentIssues fires 20 issues of 7
// at once from one batch of 100, half as transfers to a village room and
// half as dispensings to persons. Exactly 14 fit: the others must fail with
// 库存不足, the stock must end at 100 − 7 × successes and the ledger must
// agree with it, on both engines.
func TestSupplyStockNeverNegativeUnderConcurrentIssues(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		f := e.stockFixture(t)
		const receipt, workers, each = 100, 20, 7
		e.receive(t, townshipA(), f.station.ID, f.condom.ID, "RACE", "2027-06-30", receipt)

		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, workers)
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = issue(e, f, i, each)
			}()
		}
		close(start)
		wg.Wait()

		succeeded := 0
		for i, err := range errs {
			switch {
			case err == nil:
				succeeded++
			case apperr.CodeOf(err) != apperr.Conflict || !strings.Contains(err.Error(), "库存不足"):
				t.Fatalf("issue %d failed otherwise than 库存不足: %v", i, err)
			}
		}
		if succeeded*each > receipt {
			t.Fatalf("%d issues of %d succeeded from a receipt of %d", succeeded, each, receipt)
		}
		if succeeded != receipt/each {
			t.Fatalf("%d issues succeeded, want %d: an issue that fitted was refused", succeeded, receipt/each)
		}
		left := e.onHand(t, f.station.ID, f.condom.ID, "RACE")
		if left != receipt-succeeded*each {
			t.Fatalf("stock %d, want %d", left, receipt-succeeded*each)
		}
		var ledger int
		if err := d.Reader().QueryRow(context.Background(), `SELECT SUM(qty) FROM supply_moves WHERE site_id = ?`,
			f.station.ID).Scan(&ledger); err != nil || ledger != left {
			t.Fatalf("ledger sum %d (%v) disagrees with stock %d", ledger, err, left)
		}
		inRoom := e.onHand(t, f.room.ID, f.condom.ID, "RACE")
		dispensed := e.count(t, `SELECT COALESCE(SUM(-qty), 0) FROM supply_moves WHERE kind = 'dispense'`)
		if inRoom+dispensed != succeeded*each {
			t.Fatalf("room %d + dispensed %d ≠ issued %d", inRoom, dispensed, succeeded*each)
		}
	})
}

// issue takes n from the station: even workers transfer, odd ones dispense.
func issue(e env, f stockFixture, i, n int) error {
	if i%2 == 0 {
		_, err := e.svc.Transfer(townshipA(), supply.TransferInput{FromSiteID: f.station.ID, ToSiteID: f.room.ID,
			Lines: []supply.TransferLine{{ItemID: f.condom.ID, BatchNo: "RACE", Qty: n}}})
		return err
	}
	person := f.wang
	if i%4 == 1 {
		person = f.li
	}
	_, err := e.svc.Dispense(townshipA(), supply.DispenseInput{SiteID: f.station.ID, PersonID: person,
		ItemID: f.condom.ID, BatchNo: "RACE", Qty: n})
	return err
}

// TestSupplyStockCheckBackstop shows the CHECK (qty >= 0) refusing a
// negative stock written by SQL that skips the conditional update.
func TestSupplyStockCheckBackstop(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		f := e.stockFixture(t)
		e.receive(t, townshipA(), f.station.ID, f.condom.ID, "C1", "2027-06-30", 3)
		err := d.Tx(context.Background(), func(tx *db.Tx) error {
			_, err := tx.Exec(context.Background(), `UPDATE supply_stock SET qty = qty - 4`)
			return err
		})
		if err == nil {
			t.Fatal("the database accepted a negative stock")
		}
		if got := e.onHand(t, f.station.ID, f.condom.ID, "C1"); got != 3 {
			t.Fatalf("stock after the refused update: %d", got)
		}
	})
}
