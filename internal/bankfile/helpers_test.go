package bankfile

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"jisheng/internal/apperr"
)

// sampleBatch is a small batch with Chinese names, an amount of a few fen
// and a remark that needs CSV quoting.
func sampleBatch() Batch {
	return Batch{No: "B2025001", Date: "2025-03-01", PayerName: "某县卫生健康委员会", PayerAccount: "1234567890",
		Lines: []Line{
			{Seq: 1, AccountNo: "6228480012345678901", AccountName: "张三", IDNumber: "34152319600101001X", AmountFen: 96000, Purpose: "奖励扶助金", Remark: "2025年"},
			{Seq: 2, AccountNo: "6230520012345678", AccountName: "欧阳秀英", IDNumber: "341523195802020025", AmountFen: 59000, Purpose: "特别扶助金"},
			{Seq: 3, AccountNo: "6217001234", AccountName: "李四", AmountFen: 5, Remark: `补发,"一月"`},
		}}
}

// gbk encodes UTF-8 test text as GBK.
func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("gbk(%q): %v", s, err)
	}
	return b
}

func fromGBK(t testing.TB, b []byte) string {
	t.Helper()
	s, err := simplifiedchinese.GBK.NewDecoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(s)
}

// problemsOf returns the problems an error carries (nil if none).
func problemsOf(err error) Problems {
	var ps Problems
	if errors.As(err, &ps) {
		return ps
	}
	return nil
}

// wantInvalid checks that err is an invalid-input error whose message
// contains want.
func wantInvalid(t *testing.T, err error, want string) *apperr.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	ae := apperr.As(err)
	if ae.Code != apperr.Invalid && ae.Code != apperr.TooLarge {
		t.Fatalf("code %s (%v), want invalid", ae.Code, err)
	}
	if !strings.Contains(ae.Message, want) {
		t.Fatalf("message %q does not contain %q", ae.Message, want)
	}
	return ae
}

// example returns the built-in example of a key.
func example(t testing.TB, key string) Example {
	t.Helper()
	exs, err := Examples()
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range exs {
		if ex.Key == key {
			return ex
		}
	}
	t.Fatalf("no example %q", key)
	return Example{}
}
