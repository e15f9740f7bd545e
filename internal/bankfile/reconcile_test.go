package bankfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"jisheng/internal/sheet"
)

func seqsOf(ms []Matched) string {
	var s []string
	for _, m := range ms {
		s = append(s, strconv.Itoa(m.Sent.Seq))
	}
	return strings.Join(s, ",")
}

func missingOf(ls []Line) string {
	var s []string
	for _, l := range ls {
		s = append(s, strconv.Itoa(l.Seq))
	}
	return strings.Join(s, ",")
}

func reasonsOf(us []Unmatched) []string {
	var s []string
	for _, u := range us {
		s = append(s, fmt.Sprintf("%d:%s", u.LineNo, u.Reason))
	}
	return s
}

// TestReconcileBySeq: lines with a seq settle that payment when account and
// amount agree; disagreeing, unknown and repeated lines are Unmatched with
// a reason and leave the payment Missing.
func TestReconcileBySeq(t *testing.T) {
	sent := bigBatch(6).Lines
	ret := []ReturnLine{
		{LineNo: 2, Seq: 1, AccountNo: sent[0].AccountNo, AmountFen: sent[0].AmountFen, Paid: true, BankCode: "0000"},
		{LineNo: 3, Seq: 2, AccountNo: sent[1].AccountNo, AmountFen: sent[1].AmountFen, BankCode: "3001", BankMessage: "户名不符"},
		{LineNo: 4, Seq: 3, AccountNo: sent[2].AccountNo, AmountFen: sent[2].AmountFen + 1, Paid: true},
		{LineNo: 5, Seq: 4, AccountNo: "6200000000000000000", AmountFen: sent[3].AmountFen, Paid: true},
		{LineNo: 6, Seq: 99, AccountNo: sent[0].AccountNo, AmountFen: 1, Paid: true},
		{LineNo: 7, Seq: 1, Paid: true},
		{LineNo: 8, Seq: 6, Paid: true}, // neither account nor amount stated: seq alone decides
	}
	r := Reconcile(sent, ret)
	if seqsOf(r.Paid) != "1,6" || seqsOf(r.Failed) != "2" || missingOf(r.Missing) != "3,4,5" {
		t.Fatalf("paid %s failed %s missing %s", seqsOf(r.Paid), seqsOf(r.Failed), missingOf(r.Missing))
	}
	if r.Failed[0].Return.BankMessage != "户名不符" {
		t.Fatalf("failed %+v", r.Failed[0])
	}
	want := []string{
		fmt.Sprintf("4:序号 3 的金额不符：发出 %s 元，回盘 %s 元", yuanText(sent[2].AmountFen), yuanText(sent[2].AmountFen+1)),
		fmt.Sprintf("5:序号 4 的账号不符：发出 %s，回盘 6200000000000000000", sent[3].AccountNo),
		"6:序号 99 不在发出的批次中",
		"7:序号 1 重复回盘（第 2 行已有）",
	}
	if got := reasonsOf(r.Unmatched); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("unmatched\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Settled() || r.PaidFen() != sent[0].AmountFen+sent[5].AmountFen {
		t.Fatalf("settled %v paid %d", r.Settled(), r.PaidFen())
	}
}

// TestReconcileByAccount: without a seq, a line settles the first open
// payment to its account, of its amount when it states one.
func TestReconcileByAccount(t *testing.T) {
	sent := []Line{
		{Seq: 1, AccountNo: "A", AmountFen: 100}, {Seq: 2, AccountNo: "A", AmountFen: 200}, {Seq: 3, AccountNo: "B", AmountFen: 300},
	}
	ret := []ReturnLine{
		{LineNo: 1, AccountNo: "A", AmountFen: 200, Paid: true},
		{LineNo: 2, AccountNo: "A", AmountFen: 999, Paid: true},
		{LineNo: 3, AccountNo: "A", Paid: false, BankMessage: "冻结"},
		{LineNo: 4, AccountNo: "A", Paid: true},
		{LineNo: 5, AccountNo: "C", Paid: true},
		{LineNo: 6, Paid: true},
	}
	r := Reconcile(sent, ret)
	if seqsOf(r.Paid) != "2" || seqsOf(r.Failed) != "1" || missingOf(r.Missing) != "3" {
		t.Fatalf("paid %s failed %s missing %s", seqsOf(r.Paid), seqsOf(r.Failed), missingOf(r.Missing))
	}
	want := "2:账号 A 的金额不符：回盘 9.99 元，发出的批次中没有该账号这一金额的付款\n" +
		"4:账号 A 的付款都已有回盘记录（重复回盘）\n5:账号 C 不在发出的批次中\n6:回盘记录既没有序号也没有账号"
	if got := strings.Join(reasonsOf(r.Unmatched), "\n"); got != want {
		t.Fatalf("unmatched\n%s", got)
	}
	if r := Reconcile(sent, []ReturnLine{{Seq: 1, Paid: true}, {Seq: 2, Paid: true}, {Seq: 3, Paid: true}}); !r.Settled() || r.PaidFen() != 600 {
		t.Fatalf("all paid: %+v", r)
	}
}

// bank simulates a bank answering a batch: seq 2 fails, seq 3 gets no
// answer, seq 5 comes back with another amount, and a seq 77 nobody sent
// appears.
type bank struct {
	t       *testing.T
	sent    []Line
	answers [][]string // seq, account, name, amount in yuan, status code, message
}

func newBank(t *testing.T, sent []Line) *bank {
	bk := &bank{t: t, sent: sent}
	for _, ln := range sent {
		code, msg, amount := "0000", "", ln.AmountFen
		switch ln.Seq {
		case 2:
			code, msg = "3001", "户名与账号不符"
		case 3:
			continue
		case 5:
			amount++
		}
		bk.answers = append(bk.answers, []string{strconv.Itoa(ln.Seq), ln.AccountNo, ln.AccountName, yuanText(amount), code, msg})
	}
	extra := sent[0]
	bk.answers = append(bk.answers, []string{"77", extra.AccountNo, extra.AccountName, yuanText(extra.AmountFen), "0000", ""})
	return bk
}

// checkReconciliation checks what reconciling the bank's answer must give.
func (bk *bank) checkReconciliation(r Reconciliation) {
	t := bk.t
	t.Helper()
	if seqsOf(r.Paid) != "1,4,6" || seqsOf(r.Failed) != "2" || missingOf(r.Missing) != "3,5" {
		t.Fatalf("paid %s failed %s missing %s", seqsOf(r.Paid), seqsOf(r.Failed), missingOf(r.Missing))
	}
	if r.Failed[0].Return.BankMessage != "户名与账号不符" || r.Failed[0].Return.Paid {
		t.Fatalf("failed %+v", r.Failed[0].Return)
	}
	reasons := reasonsOf(r.Unmatched)
	if len(reasons) != 2 || !strings.Contains(reasons[0], "序号 5 的金额不符") || !strings.Contains(reasons[1], "序号 77 不在发出的批次中") {
		t.Fatalf("unmatched %v", reasons)
	}
	for _, m := range append(r.Paid, r.Failed...) {
		if m.Return.LineNo <= 0 {
			t.Fatalf("line number %d", m.Return.LineNo)
		}
	}
}

// TestRoundTrip: for every example, the batch file is written, read back
// as a bank would, answered in the example's return layout, parsed and
// reconciled, exercising paid, failed, unmatched and missing.
func TestRoundTrip(t *testing.T) {
	b := bigBatch(6)
	b.Lines[3].AccountName = "陶弢" // a GBK character whose second byte is '|'
	for _, key := range []string{"generic-csv", "generic-xlsx", "rcc-fixed-gbk"} {
		t.Run(key, func(t *testing.T) {
			ex := example(t, key)
			var file bytes.Buffer
			sum, err := Write(&file, ex.Layout, b)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Count != 6 {
				t.Fatalf("summary %+v", sum)
			}
			bk := newBank(t, b.Lines)
			var ret []byte
			switch key {
			case "rcc-fixed-gbk":
				ret = bk.fixedReturn(file.Bytes())
			case "generic-csv":
				ret = bk.sheetReturn(file.Bytes(), sheet.CSV, 1, []string{"序号", "账号", "户名", "金额（元）", "处理结果", "失败原因"}, csvAnswer)
			case "generic-xlsx":
				ret = bk.sheetReturn(file.Bytes(), sheet.XLSX, 2, []string{"序号", "账号", "户名", "身份证号", "金额（元）", "用途", "备注", "处理结果", "说明"}, xlsxAnswer)
			}
			got, err := ParseReturn(bytes.NewReader(ret), int64(len(ret)), ex.Return)
			if err != nil {
				t.Fatal(err)
			}
			bk.checkReconciliation(Reconcile(b.Lines, got))
		})
	}
}

// fixedReturn answers a fixed file line by line in the example's return
// layout: the detail line as sent, a 4-byte code and a GBK message.
func (bk *bank) fixedReturn(sent []byte) []byte {
	ls := bytes.Split(bytes.TrimSuffix(sent, []byte("\r\n")), []byte("\r\n"))
	out := append(append([]byte(nil), ls[0]...), "\r\n"...) // the H line, skipped by the return layout
	for _, a := range bk.answers {
		seq, _ := strconv.Atoi(a[0])
		src := ls[min(seq, 1)]
		if seq <= len(bk.sent) {
			src = ls[seq]
		}
		line := append([]byte(nil), src...)
		copy(line, fmt.Sprintf("%06d", seq))
		fen, _ := parseAmount(a[3], Yuan)
		copy(line[84:99], fmt.Sprintf("%015d", fen))
		line = append(line, a[4]...)
		line = append(line, gbk(bk.t, a[5])...)
		out = append(append(out, line...), "\r\n"...)
	}
	return out
}

// sheetReturn reads the file the county sent with the sheet package, as a
// bank's Excel would, and answers it in format with a total row at the end.
func (bk *bank) sheetReturn(sent []byte, f sheet.Format, skip int, header []string, answer func(cells, a []string) []string) []byte {
	t := bk.t
	rd, err := sheet.Open(bytes.NewReader(sent), int64(len(sent)), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	bySeq := map[string][]string{}
	for i := 1; ; i++ {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if i >= skip {
			bySeq[row.Cells[0]] = append([]string(nil), row.Cells...)
		}
	}
	var out bytes.Buffer
	w, err := sheet.NewWriter(&out, f, "回盘", header)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range bk.answers {
		cells := bySeq[a[0]]
		if cells == nil {
			cells = append([]string(nil), bySeq["1"]...)
			cells[0] = a[0]
		}
		if err := w.Write(answer(cells, a)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Write([]string{"合计", "", "", "0.00"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func csvAnswer(cells, a []string) []string {
	status := map[string]string{"0000": "成功", "3001": "失败"}[a[4]]
	return []string{cells[0], cells[1], cells[2], a[3], status, a[5]}
}

func xlsxAnswer(cells, a []string) []string {
	status := map[string]string{"0000": "S", "3001": "F"}[a[4]]
	row := append(append([]string(nil), cells[:7]...), status, a[5])
	row[4] = a[3]
	return row
}
