package supply_test

import (
	"context"
	"strings"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/supply"
	"jisheng/internal/testfix"
)

// stockFixture is a township station, a village room in village A1, the
// condom and pill items and two persons of village A1.
type stockFixture struct {
	station, room supply.Site
	condom, pill  supply.Item
	wang, li      int64
}

func (e env) stockFixture(t *testing.T) stockFixture {
	t.Helper()
	f := stockFixture{
		station: e.site(t, townshipA(), supply.SiteStation, "城关镇服务站", testfix.TownA, ""),
		room:    e.site(t, villageA(), supply.SiteRoom, "东苑社区药具室", testfix.VillageA1, ""),
		condom:  e.item(t, "BYT01"),
		pill:    e.item(t, "KFY01"),
		wang:    e.person(t, "王秀英", "female", testfix.VillageA1, ""),
		li:      e.person(t, "李强", "male", testfix.VillageA1, ""),
	}
	return f
}

func TestSupplyReceiptTransferDispenseFEFO(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		f := e.stockFixture(t)
		// Two condom batches; the later-received one expires first.
		e.receive(t, townshipA(), f.station.ID, f.condom.ID, "C-LATE", "2028-06-30", 100)
		e.receive(t, townshipA(), f.station.ID, f.condom.ID, "C-SOON", "2027-01-31", 30)
		e.receive(t, townshipA(), f.station.ID, f.condom.ID, "C-OLD", "2026-10-31", 5) // expired since

		// A transfer without batch takes the earliest unexpired batch first
		// and spills over to the next.
		res := must[supply.OpResult](t)(e.svc.Transfer(townshipA(), supply.TransferInput{FromSiteID: f.station.ID,
			ToSiteID: f.room.ID, Lines: []supply.TransferLine{{ItemID: f.condom.ID, Qty: 40}}, RequestKey: "t-1"}))
		if len(res.Moves) != 2 || res.Moves[0].BatchNo != "C-SOON" || res.Moves[0].Qty != -30 ||
			res.Moves[1].BatchNo != "C-LATE" || res.Moves[1].Qty != -10 || *res.Moves[0].ToSiteID != f.room.ID {
			t.Fatalf("FEFO transfer: %+v", res.Moves)
		}
		stock := []struct {
			site  int64
			batch string
			want  int
		}{
			{f.station.ID, "C-SOON", 0}, {f.station.ID, "C-LATE", 90}, {f.station.ID, "C-OLD", 5},
			{f.room.ID, "C-SOON", 30}, {f.room.ID, "C-LATE", 10},
		}
		for _, s := range stock {
			if got := e.onHand(t, s.site, f.condom.ID, s.batch); got != s.want {
				t.Errorf("site %d batch %s: %d, want %d", s.site, s.batch, got, s.want)
			}
		}

		// Dispensing from the room: FEFO again, and the chosen method goes
		// into the person's register.
		res = must[supply.OpResult](t)(e.svc.Dispense(villageA(), supply.DispenseInput{SiteID: f.room.ID, PersonID: f.wang,
			ItemID: f.condom.ID, Qty: 12, RequestKey: "d-1"}))
		if len(res.Moves) != 1 || res.Moves[0].BatchNo != "C-SOON" || res.Moves[0].Qty != -12 || res.Method != "condom" {
			t.Fatalf("dispense: %+v", res)
		}
		pm := must[supply.PersonMethods](t)(e.svc.PersonMethods(villageA(), f.wang))
		if pm.Current == nil || pm.Current.Method != "condom" || pm.Current.Source != supply.SourceDispensing ||
			pm.Current.Since != "2026-11-22" || len(pm.Dispensings) != 1 || pm.Dispensings[0].Qty != 12 {
			t.Fatalf("register after dispensing: %+v", pm)
		}
		// A named batch is used as named; an expired one is refused.
		res = must[supply.OpResult](t)(e.svc.Dispense(villageA(), supply.DispenseInput{SiteID: f.room.ID, PersonID: f.li,
			ItemID: f.condom.ID, BatchNo: "C-LATE", Qty: 3, Method: "condom"}))
		if res.Moves[0].BatchNo != "C-LATE" || e.onHand(t, f.room.ID, f.condom.ID, "C-LATE") != 7 {
			t.Fatalf("named batch: %+v", res.Moves)
		}
		_, err := e.svc.Dispense(townshipA(), supply.DispenseInput{SiteID: f.station.ID, PersonID: f.li,
			ItemID: f.condom.ID, BatchNo: "C-OLD", Qty: 1})
		wantCode(t, err, apperr.Invalid, "batch_no")

		// The ledger shows every move of the area, and no person.
		moves, total := must2(t)(e.svc.Moves(villageA(), supply.MoveFilter{Page: 1, Size: 50}))
		if total != 4 || len(moves) != 4 { // 2 transfer lines in, 2 dispensings
			t.Fatalf("village ledger: %d %+v", total, moves)
		}
		if _, total := must2(t)(e.svc.Moves(villageB(), supply.MoveFilter{Page: 1, Size: 50})); total != 0 {
			t.Fatalf("village B sees village A's ledger: %d", total)
		}
		if _, total := must2(t)(e.svc.Moves(townshipA(), supply.MoveFilter{Kind: supply.KindReceipt, Page: 1, Size: 50})); total != 3 {
			t.Fatalf("receipts in the township ledger: %d", total)
		}
	})
}

func must2(t *testing.T) func([]supply.Move, int, error) ([]supply.Move, int) {
	return func(m []supply.Move, n int, err error) ([]supply.Move, int) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return m, n
	}
}

func TestSupplyOperationValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		f := e.stockFixture(t)
		e.receive(t, townshipA(), f.station.ID, f.condom.ID, "C1", "2027-06-30", 10)
		otherRoom := e.site(t, villageB(), supply.SiteRoom, "龙潭村药具室", testfix.VillageB1, "")
		bPerson := e.person(t, "赵敏", "female", testfix.VillageB1, "")
		line := func(qty int) []supply.ReceiptLine {
			return []supply.ReceiptLine{{ItemID: f.condom.ID, BatchNo: "C1", Expiry: "2027-06-30", Qty: qty}}
		}
		cases := []struct {
			name  string
			run   func() error
			code  apperr.Code
			field string
		}{
			{"receipt without site", func() error {
				_, err := e.svc.Receipt(townshipA(), supply.ReceiptInput{Supplier: "市卫健委", Lines: line(5)})
				return err
			}, apperr.Invalid, "site_id"},
			{"receipt without supplier", func() error {
				_, err := e.svc.Receipt(townshipA(), supply.ReceiptInput{SiteID: f.station.ID, Lines: line(5)})
				return err
			}, apperr.Invalid, "supplier"},
			{"receipt of zero", func() error {
				_, err := e.svc.Receipt(townshipA(), supply.ReceiptInput{SiteID: f.station.ID, Supplier: "市", Lines: line(0)})
				return err
			}, apperr.Invalid, "lines[0].qty"},
			{"receipt without lines", func() error {
				_, err := e.svc.Receipt(townshipA(), supply.ReceiptInput{SiteID: f.station.ID, Supplier: "市"})
				return err
			}, apperr.Invalid, "lines"},
			{"receipt of expired goods", func() error {
				_, err := e.svc.Receipt(townshipA(), supply.ReceiptInput{SiteID: f.station.ID, Supplier: "市",
					Lines: []supply.ReceiptLine{{ItemID: f.condom.ID, BatchNo: "X", Expiry: "2026-01-01", Qty: 1}}})
				return err
			}, apperr.Invalid, "lines[0].expiry"},
			{"batch with another expiry", func() error {
				_, err := e.svc.Receipt(townshipA(), supply.ReceiptInput{SiteID: f.station.ID, Supplier: "市",
					Lines: []supply.ReceiptLine{{ItemID: f.condom.ID, BatchNo: "C1", Expiry: "2027-07-01", Qty: 1}}})
				return err
			}, apperr.Invalid, "lines[0].expiry"},
			{"receipt in the future", func() error {
				_, err := e.svc.Receipt(townshipA(), supply.ReceiptInput{SiteID: f.station.ID, Supplier: "市", MovedOn: "2026-11-23", Lines: line(1)})
				return err
			}, apperr.Invalid, "moved_on"},
			{"receipt at another village's room", func() error {
				_, err := e.svc.Receipt(villageA(), supply.ReceiptInput{SiteID: otherRoom.ID, Supplier: "市", Lines: line(1)})
				return err
			}, apperr.Invalid, "site_id"},
			{"transfer to the same site", func() error {
				_, err := e.svc.Transfer(townshipA(), supply.TransferInput{FromSiteID: f.station.ID, ToSiteID: f.station.ID,
					Lines: []supply.TransferLine{{ItemID: f.condom.ID, Qty: 1}}})
				return err
			}, apperr.Invalid, "to_site_id"},
			{"transfer outside the area", func() error {
				_, err := e.svc.Transfer(townshipA(), supply.TransferInput{FromSiteID: f.station.ID, ToSiteID: otherRoom.ID,
					Lines: []supply.TransferLine{{ItemID: f.condom.ID, Qty: 1}}})
				return err
			}, apperr.Invalid, "to_site_id"},
			{"transfer more than stock", func() error {
				_, err := e.svc.Transfer(townshipA(), supply.TransferInput{FromSiteID: f.station.ID, ToSiteID: f.room.ID,
					Lines: []supply.TransferLine{{ItemID: f.condom.ID, BatchNo: "C1", Qty: 11}}})
				return err
			}, apperr.Conflict, "qty"},
			{"dispense to another village's person", func() error {
				_, err := e.svc.Dispense(townshipA(), supply.DispenseInput{SiteID: f.station.ID, PersonID: bPerson,
					ItemID: f.condom.ID, Qty: 1})
				return err
			}, apperr.Invalid, "person_id"},
			{"dispense method none", func() error {
				_, err := e.svc.Dispense(townshipA(), supply.DispenseInput{SiteID: f.station.ID, PersonID: f.wang,
					ItemID: f.condom.ID, Qty: 1, Method: "none"})
				return err
			}, apperr.Invalid, "method"},
			{"dispense unknown batch", func() error {
				_, err := e.svc.Dispense(townshipA(), supply.DispenseInput{SiteID: f.station.ID, PersonID: f.wang,
					ItemID: f.condom.ID, BatchNo: "NOPE", Qty: 1})
				return err
			}, apperr.Invalid, "batch_no"},
			{"dispense an item not in stock", func() error {
				_, err := e.svc.Dispense(townshipA(), supply.DispenseInput{SiteID: f.station.ID, PersonID: f.wang,
					ItemID: f.pill.ID, Qty: 1})
				return err
			}, apperr.Conflict, "qty"},
			{"bad request key", func() error {
				_, err := e.svc.Dispense(townshipA(), supply.DispenseInput{SiteID: f.station.ID, PersonID: f.wang,
					ItemID: f.condom.ID, Qty: 1, RequestKey: "有空格 的键"})
				return err
			}, apperr.Invalid, "request_key"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantCode(t, tc.run(), tc.code, tc.field)
			})
		}
		_, err := e.svc.Transfer(townshipA(), supply.TransferInput{FromSiteID: f.station.ID, ToSiteID: f.room.ID,
			Lines: []supply.TransferLine{{ItemID: f.condom.ID, BatchNo: "C1", Qty: 11}}})
		if msg := apperr.As(err).Message; !strings.Contains(msg, "库存不足") || !strings.Contains(msg, "C1") || !strings.Contains(msg, "现有 10只") {
			t.Fatalf("shortage message names neither batch nor quantity: %q", msg)
		}
		// Nothing refused was written: one receipt move, ten condoms.
		if n := e.count(t, `SELECT COUNT(*) FROM supply_moves`); n != 1 || e.onHand(t, f.station.ID, f.condom.ID, "C1") != 10 {
			t.Fatalf("refused operations wrote: %d moves", n)
		}
	})
}

func TestSupplyRequestKeyReplays(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		f := e.stockFixture(t)
		e.receive(t, townshipA(), f.station.ID, f.condom.ID, "C1", "2027-06-30", 50)
		in := supply.DispenseInput{SiteID: f.station.ID, PersonID: f.wang, ItemID: f.condom.ID, Qty: 5, RequestKey: "tap-7f3a"}
		first := must[supply.OpResult](t)(e.svc.Dispense(townshipA(), in))
		again := must[supply.OpResult](t)(e.svc.Dispense(townshipA(), in))
		if first.Replayed || !again.Replayed || again.Moves[0].ID != first.Moves[0].ID || again.Method != "condom" {
			t.Fatalf("replay: %+v then %+v", first, again)
		}
		if got := e.onHand(t, f.station.ID, f.condom.ID, "C1"); got != 45 {
			t.Fatalf("a replay moved stock again: %d", got)
		}
		// The key is the submitter's own, and for one kind of operation.
		_, err := e.svc.Dispense(countyCtx(), in)
		wantCode(t, err, apperr.Conflict, "request_key")
		_, err = e.svc.Transfer(townshipA(), supply.TransferInput{FromSiteID: f.station.ID, ToSiteID: f.room.ID,
			Lines: []supply.TransferLine{{ItemID: f.condom.ID, Qty: 1}}, RequestKey: "tap-7f3a"})
		wantCode(t, err, apperr.Conflict, "request_key")

		// Eight concurrent submissions of one key (a double tap on a slow
		// network) move stock once and all answer the same moves.
		const n = 8
		results := make(chan supply.OpResult, n)
		errs := make(chan error, n)
		in.RequestKey, in.Qty = "tap-burst", 2
		for range n {
			go func() {
				r, err := e.svc.Dispense(townshipA(), in)
				results <- r
				errs <- err
			}()
		}
		ids := map[int64]bool{}
		for range n {
			r, err := <-results, <-errs
			if err != nil {
				t.Fatalf("burst submission: %v", err)
			}
			ids[r.Moves[0].ID] = true
		}
		if len(ids) != 1 || e.onHand(t, f.station.ID, f.condom.ID, "C1") != 43 {
			t.Fatalf("burst wrote %d moves, stock %d", len(ids), e.onHand(t, f.station.ID, f.condom.ID, "C1"))
		}
	})
}

func TestSupplyStocktake(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		f := e.stockFixture(t)
		e.receive(t, villageA(), f.room.ID, f.condom.ID, "C1", "2027-06-30", 20)
		e.receive(t, villageA(), f.room.ID, f.pill.ID, "P1", "2027-03-31", 8)
		count := func(lines []supply.CountLine, reason string) (supply.OpResult, error) {
			return e.svc.Stocktake(villageA(), supply.StocktakeInput{SiteID: f.room.ID, Reason: reason, Lines: lines})
		}
		// A difference needs a reason; nothing is written without one.
		_, err := count([]supply.CountLine{{ItemID: f.condom.ID, BatchNo: "C1", Counted: 17}}, "")
		wantCode(t, err, apperr.Invalid, "reason")
		_, err = count([]supply.CountLine{{ItemID: f.condom.ID, BatchNo: "C1", Counted: 1}, {ItemID: f.condom.ID, BatchNo: "C1", Counted: 2}}, "x")
		wantCode(t, err, apperr.Invalid, "lines[1].batch_no")
		_, err = count([]supply.CountLine{{ItemID: f.condom.ID, BatchNo: "FOUND", Counted: 4}}, "柜中发现")
		wantCode(t, err, apperr.Invalid, "lines[0].expiry")

		res := must[supply.OpResult](t)(count([]supply.CountLine{
			{ItemID: f.condom.ID, BatchNo: "C1", Counted: 17},
			{ItemID: f.pill.ID, BatchNo: "P1", Counted: 8},
			{ItemID: f.condom.ID, BatchNo: "FOUND", Expiry: "2027-09-30", Counted: 4},
		}, "受潮损坏 3 只；柜中发现未入账 4 只"))
		want := []struct{ book, counted, qty int }{{20, 17, -3}, {8, 8, 0}, {0, 4, 4}}
		for i, w := range want {
			m := res.Moves[i]
			if m.Kind != supply.KindStocktake || *m.BookQty != w.book || *m.CountedQty != w.counted || m.Qty != w.qty || m.Note == "" {
				t.Fatalf("stock-take line %d: %+v", i, m)
			}
		}
		if e.onHand(t, f.room.ID, f.condom.ID, "C1") != 17 || e.onHand(t, f.room.ID, f.condom.ID, "FOUND") != 4 {
			t.Fatal("stock not set to the counted quantities")
		}
		// The ledger explains the stock: receipts plus adjustments.
		var sum int
		if err := d.Reader().QueryRow(context.Background(), `SELECT SUM(qty) FROM supply_moves WHERE site_id = ? AND item_id = ?`,
			f.room.ID, f.condom.ID).Scan(&sum); err != nil || sum != 21 {
			t.Fatalf("ledger sum %d %v, want 21", sum, err)
		}
	})
}

func TestSupplyReverse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		f := e.stockFixture(t)
		e.receive(t, townshipA(), f.station.ID, f.condom.ID, "C1", "2027-06-30", 50)
		tr := must[supply.OpResult](t)(e.svc.Transfer(townshipA(), supply.TransferInput{FromSiteID: f.station.ID, ToSiteID: f.room.ID,
			Lines: []supply.TransferLine{{ItemID: f.condom.ID, Qty: 20}}}))
		dis := must[supply.OpResult](t)(e.svc.Dispense(villageA(), supply.DispenseInput{SiteID: f.room.ID, PersonID: f.wang,
			ItemID: f.condom.ID, Qty: 15}))
		transfer := tr.Moves[0].ID

		// The room gave out 15 of the 20: undoing the transfer would take
		// back more than it has.
		_, err := e.svc.Reverse(townshipA(), transfer, supply.ReverseInput{Reason: "调错库点"})
		wantCode(t, err, apperr.Conflict, "qty")
		// The village sees the transfer but may not undo the station's side.
		_, err = e.svc.Reverse(villageA(), transfer, supply.ReverseInput{Reason: "调错库点"})
		wantCode(t, err, apperr.Forbidden, "")
		_, err = e.svc.Reverse(villageB(), transfer, supply.ReverseInput{Reason: "x"})
		wantCode(t, err, apperr.NotFound, "")
		_, err = e.svc.Reverse(villageA(), dis.Moves[0].ID, supply.ReverseInput{})
		wantCode(t, err, apperr.Invalid, "reason")

		rev := must[supply.OpResult](t)(e.svc.Reverse(villageA(), dis.Moves[0].ID, supply.ReverseInput{Reason: "录错人员"}))
		if r := rev.Moves[0]; r.Kind != supply.KindReversal || r.Qty != 15 || *r.ReversesID != dis.Moves[0].ID {
			t.Fatalf("reversal: %+v", r)
		}
		_, err = e.svc.Reverse(villageA(), dis.Moves[0].ID, supply.ReverseInput{Reason: "again"})
		wantCode(t, err, apperr.Conflict, "")
		_, err = e.svc.Reverse(villageA(), rev.Moves[0].ID, supply.ReverseInput{Reason: "again"})
		wantCode(t, err, apperr.Invalid, "")

		// Now the transfer can be undone, and both sides are back.
		must[supply.OpResult](t)(e.svc.Reverse(townshipA(), transfer, supply.ReverseInput{Reason: "调错库点"}))
		if e.onHand(t, f.station.ID, f.condom.ID, "C1") != 50 || e.onHand(t, f.room.ID, f.condom.ID, "C1") != 0 {
			t.Fatal("reversals did not restore the stock")
		}
		// Nothing was deleted: 1 receipt, 1 transfer, 1 dispensing, 2 reversals.
		if n := e.count(t, `SELECT COUNT(*) FROM supply_moves`); n != 5 {
			t.Fatalf("moves: %d", n)
		}
		pm := must[supply.PersonMethods](t)(e.svc.PersonMethods(villageA(), f.wang))
		if len(pm.Dispensings) != 1 || !pm.Dispensings[0].Reversed {
			t.Fatalf("person's dispensing not marked reversed: %+v", pm.Dispensings)
		}
	})
}

// TestSupplyRetiredItem: a retired item is no longer received or handed
// out, but what is left of it is still counted and sent back.
func TestSupplyRetiredItem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		f := e.stockFixture(t)
		e.receive(t, villageA(), f.room.ID, f.pill.ID, "P1", "2027-06-30", 10)
		off := false
		must[supply.Item](t)(e.svc.UpdateItem(countyCtx(), f.pill.ID, supply.ItemInput{Code: f.pill.Code, Name: f.pill.Name,
			Method: f.pill.Method, Unit: f.pill.Unit, Active: &off, Version: f.pill.Version}))
		_, err := e.svc.Receipt(villageA(), supply.ReceiptInput{SiteID: f.room.ID, Supplier: "市",
			Lines: []supply.ReceiptLine{{ItemID: f.pill.ID, BatchNo: "P2", Expiry: "2027-06-30", Qty: 1}}})
		wantCode(t, err, apperr.Invalid, "lines[0].item_id")
		_, err = e.svc.Dispense(villageA(), supply.DispenseInput{SiteID: f.room.ID, PersonID: f.wang, ItemID: f.pill.ID, Qty: 1})
		wantCode(t, err, apperr.Invalid, "item_id")
		must[supply.OpResult](t)(e.svc.Stocktake(villageA(), supply.StocktakeInput{SiteID: f.room.ID, Reason: "破损",
			Lines: []supply.CountLine{{ItemID: f.pill.ID, BatchNo: "P1", Counted: 8}}}))
		must[supply.OpResult](t)(e.svc.Transfer(townshipA(), supply.TransferInput{FromSiteID: f.room.ID, ToSiteID: f.station.ID,
			Lines: []supply.TransferLine{{ItemID: f.pill.ID, Qty: 8}}, Note: "停用药具退回"}))
		if e.onHand(t, f.room.ID, f.pill.ID, "P1") != 0 || e.onHand(t, f.station.ID, f.pill.ID, "P1") != 8 {
			t.Fatal("retired stock not counted and sent back")
		}
	})
}
