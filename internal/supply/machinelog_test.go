package supply_test

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/supply"
	"jisheng/internal/testfix"
)

const logHeaderLine = "机器编号,发放时间,药具编码,数量,批号,服务卡号\n"

// The first two rows are the same pack type taken twice in one second by
// the same card: two rows, not one repeated.
const goodLog = logHeaderLine +
	"JQ-0001,2026-11-05 08:15:30,BYT01,2,,SC123456\n" +
	"jq-0001,2026/11/5 8:15:30,byt01,2,,sc123456\n" +
	"JQ-0001,2026-10-30 20:01,BYT01,4,C-SOON,\n"

func (e env) machineFixture(t *testing.T) (stockFixture, supply.Site) {
	t.Helper()
	f := e.stockFixture(t)
	machine := e.site(t, villageA(), supply.SiteMachine, "东苑社区自助发放机", testfix.VillageA1, "JQ-0001")
	e.receive(t, townshipA(), f.station.ID, f.condom.ID, "C-SOON", "2027-01-31", 10)
	e.receive(t, townshipA(), f.station.ID, f.condom.ID, "C-LATE", "2028-01-31", 100)
	must[supply.OpResult](t)(e.svc.Transfer(townshipA(), supply.TransferInput{FromSiteID: f.station.ID, ToSiteID: machine.ID,
		Lines: []supply.TransferLine{{ItemID: f.condom.ID, Qty: 30}}}))
	return f, machine
}

func importLog(e env, ctxUser string, data string, dryRun bool) (supply.LogReport, error) {
	ctx := villageA()
	if ctxUser == "villageb" {
		ctx = villageB()
	}
	r := strings.NewReader(data)
	return e.svc.ImportMachineLog(ctx, r, int64(len(data)), dryRun)
}

func TestSupplyMachineLogImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		f, machine := e.machineFixture(t)
		before := e.count(t, `SELECT COUNT(*) FROM supply_moves`)

		dry := must[supply.LogReport](t)(importLog(e, "", goodLog, true))
		if !dry.DryRun || dry.Applied || dry.New != 3 || dry.Qty != 8 || dry.Invalid != 0 || len(dry.Rows) != 3 {
			t.Fatalf("dry run: %+v", dry)
		}
		// FEFO took C-SOON first; the third row names it.
		if dry.Rows[0].Batches != "C-SOON×2" || dry.Rows[0].Row != 2 || dry.Rows[1].Time != "2026-11-05 08:15:30" {
			t.Fatalf("dry-run rows: %+v", dry.Rows)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM supply_moves`); n != before {
			t.Fatalf("a dry run wrote %d moves", n-before)
		}

		applied := must[supply.LogReport](t)(importLog(e, "", goodLog, false))
		if !applied.Applied || applied.New != 3 {
			t.Fatalf("apply: %+v", applied)
		}
		if got := e.onHand(t, machine.ID, f.condom.ID, "C-SOON"); got != 2 { // 10 transferred − 2 − 2 − 4
			t.Fatalf("machine stock of C-SOON: %d", got)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM supply_moves WHERE source = 'machine' AND kind = 'dispense' AND person_id IS NULL`); n != 3 {
			t.Fatalf("machine moves: %d", n)
		}
		var mask string
		if err := d.Reader().QueryRow(t.Context(), `SELECT card_mask FROM supply_moves WHERE card_mask IS NOT NULL LIMIT 1`).Scan(&mask); err != nil || mask != "SC****56" {
			t.Fatalf("card stored as %q (%v)", mask, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM supply_moves WHERE card_enc IS NOT NULL`); n != 2 {
			t.Fatalf("encrypted cards: %d", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'supply.machine_import'`); n != 1 {
			t.Fatalf("import journal entries: %d", n)
		}

		// The same log again, even saved as GBK by Excel, adds nothing.
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(strings.ReplaceAll(goodLog, "\n", "\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		for _, data := range []string{goodLog, gbk} {
			again := must[supply.LogReport](t)(importLog(e, "", data, false))
			if again.New != 0 || again.Duplicate != 3 || again.Rows[0].Status != supply.RowDuplicate {
				t.Fatalf("re-import: %+v", again)
			}
		}
		if got := e.onHand(t, machine.ID, f.condom.ID, "C-SOON"); got != 2 {
			t.Fatalf("re-import moved stock: %d", got)
		}
		// One new row appended to the old log is the only one booked.
		grown := goodLog + "JQ-0001,2026-11-06 09:00:00,BYT01,1,,\n"
		if rep := must[supply.LogReport](t)(importLog(e, "", grown, false)); rep.New != 1 || rep.Duplicate != 3 {
			t.Fatalf("grown log: %+v", rep)
		}
	})
}

func TestSupplyMachineLogBadRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		e.machineFixture(t)
		bad := logHeaderLine +
			"JQ-0001,2026-11-05 08:15:30,BYT01,1,,\n" +
			"JQ-0001,2026-11-05 08:15:31,BYT01,0,,\n" +
			"JQ-9999,2026-11-05 08:15:32,BYT01,1,,\n" +
			"JQ-0001,2026-11-05,BYT01,1,,\n" +
			"JQ-0001,2026-11-05 08:15:33,XYZ99,1,,\n" +
			"JQ-0001,2026-11-05 08:15:34,BYT01,500,,\n" +
			"JQ-0001,2026-11-05 08:15:35,BYT01,1,NOPE,\n" +
			"JQ-0001,2027-01-01 00:00:00,BYT01,1,,\n"
		before := e.count(t, `SELECT COUNT(*) FROM supply_moves`)
		rep := must[supply.LogReport](t)(importLog(e, "", bad, true))
		want := []struct {
			status, contains string
		}{
			{supply.RowNew, ""},
			{supply.RowInvalid, "数量应为 1 到 1000"},
			{supply.RowInvalid, "JQ-9999 未登记"},
			{supply.RowInvalid, "发放时间格式"},
			{supply.RowInvalid, "XYZ99 不在药具目录"},
			{supply.RowInvalid, "库存不足"},
			{supply.RowInvalid, "没有批号为 NOPE"},
			{supply.RowInvalid, "发放时间不能晚于今天"},
		}
		if len(rep.Rows) != len(want) || rep.Invalid != 7 || rep.New != 1 {
			t.Fatalf("report: %+v", rep)
		}
		for i, w := range want {
			r := rep.Rows[i]
			if r.Row != i+2 || r.Status != w.status || !strings.Contains(r.Message, w.contains) {
				t.Errorf("row %d: %+v, want %s containing %q", i+2, r, w.status, w.contains)
			}
		}
		// Applying is all or nothing, and names the first bad row.
		_, err := importLog(e, "", bad, false)
		wantCode(t, err, apperr.Invalid, "file")
		if msg := apperr.As(err).Message; !strings.HasPrefix(msg, "第 3 行：数量") || !strings.Contains(msg, "共 7 行有误") {
			t.Fatalf("apply refusal: %q", msg)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM supply_moves`); n != before {
			t.Fatalf("a refused import wrote %d moves", n-before)
		}
		// Village B's officer cannot book village A's machine.
		rep = must[supply.LogReport](t)(importLog(e, "villageb", goodLog, true))
		if rep.Invalid != 3 || !strings.Contains(rep.Rows[0].Message, "不在您的管辖范围内") {
			t.Fatalf("village B: %+v", rep)
		}
		refusals := []struct{ name, data, want string }{
			{"not a log", "姓名,身份证号\n张三,1\n", "不是自助发放机日志"},
			{"header only", logHeaderLine, "没有数据行"},
			{"empty", "", "文件为空"},
		}
		for _, r := range refusals {
			if _, err := importLog(e, "", r.data, true); err == nil || !strings.Contains(apperr.As(err).Message, r.want) {
				t.Errorf("%s: %v", r.name, err)
			}
		}
	})
}

func TestSupplyLogTemplateParses(t *testing.T) {
	header, example := supply.LogTemplate()
	var b bytes.Buffer
	b.WriteString(strings.Join(header, ",") + "\n" + strings.Join(example, ",") + "\n")
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		rep := must[supply.LogReport](t)(importLog(e, "", b.String(), true))
		// The example names a machine nobody registered: the only problem.
		if rep.Total != 1 || !strings.Contains(rep.Rows[0].Message, "JQ-0001 未登记") {
			t.Fatalf("template example: %+v", rep)
		}
	})
}
