package bankfile

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"jisheng/internal/apperr"
)

// fuzzLayouts are the return layouts FuzzParseReturn reads with: fixed by
// byte position in GBK and in GB18030, fixed with a separator, and CSV by
// label.
func fuzzLayouts(tb testing.TB) []ReturnLayout {
	gb := smallFixedReturn()
	gb4 := smallFixedReturn()
	gb4.Encoding = GB18030
	sep := ReturnLayout{Name: "t", Format: FormatFixed, Encoding: UTF8, Separator: "|",
		Fields: []ReturnField{{Name: "seq", Index: 1}, {Name: "account_no", Index: 2}, {Name: "amount", Index: 3},
			{Name: "status", Index: 4}, {Name: "message", Index: 5}},
		PaidCodes: []string{"S"}, FailedCodes: []string{"*"}}
	return []ReturnLayout{gb, gb4, sep, example(tb, "generic-csv").Return}
}

// FuzzParseReturn: any bytes, in fixed and csv return layouts, give lines
// or errors, never a panic; every line problem begins "第 N 行" with its
// own line number, and any other error is about the whole file.
func FuzzParseReturn(f *testing.F) {
	seeds := []struct {
		mode uint8
		data string
	}{
		{0, "H\r\n0001622200000100096000000\r\n0002622200000200059000E1\xd5\xcb\xbb\xa7\r\nT|2\r\n"},
		{0, "H\n000X6222000001\xd5\xc5\n"},
		{1, "H\n0001622200000100096000E2\x95\x32\x82\x36\n\x81\x30"},
		{2, "1|6222000001|960.00|S|\n2|6222000002|5|F|\xe4\xbd\x99\xe9\xa2\x9d\xe4\xb8\x8d\xe8\xb6\xb3\n"},
		{2, "|||\n\n\r\n-1|x|1.234|S\n"},
		{3, "序号,账号,金额（元）,处理结果,失败原因\r\n1,6222,960.00,成功,\r\n2,6223,1,失败,\"余额\n不足\"\r\n合计,,,\r\n"},
		{3, "序号,账号,金额（元）,处理结果,失败原因\n1,\"a,1,成功\n"},
		{3, "PK\x03\x04"},
	}
	for _, s := range seeds {
		f.Add(s.mode, []byte(s.data))
	}
	layouts := fuzzLayouts(f)
	f.Fuzz(func(t *testing.T, mode uint8, data []byte) {
		l := layouts[int(mode)%len(layouts)]
		got, err := ParseReturn(bytes.NewReader(data), int64(len(data)), l)
		if err == nil {
			checkFuzzLines(t, got)
			return
		}
		ae := apperr.As(err)
		if ae.Code != apperr.Invalid && ae.Code != apperr.TooLarge {
			t.Fatalf("code %s: %v", ae.Code, err)
		}
		if got != nil {
			t.Fatal("lines returned with an error")
		}
		ps := problemsOf(err)
		if ps == nil {
			if ae.Field != "file" || strings.TrimSpace(ae.Message) == "" {
				t.Fatalf("whole-file error without the field file: %v", err)
			}
			return
		}
		for _, p := range ps {
			if p.Line < 1 || !strings.HasPrefix(p.Message, fmt.Sprintf("第 %d 行", p.Line)) {
				t.Fatalf("problem does not name its line: %+v", p)
			}
		}
	})
}

func checkFuzzLines(t *testing.T, got []ReturnLine) {
	if len(got) == 0 {
		t.Fatal("no lines and no error")
	}
	last := 0
	for _, rl := range got {
		if rl.LineNo <= last || rl.Seq < 0 || rl.AmountFen < 0 || rl.BankCode == "" || (rl.Seq == 0 && rl.AccountNo == "") {
			t.Fatalf("line %+v after %d", rl, last)
		}
		last = rl.LineNo
	}
}
