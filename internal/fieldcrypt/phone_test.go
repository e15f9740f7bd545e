package fieldcrypt

import (
	"strings"
	"testing"

	"jisheng/internal/apperr"
)

func TestNormalisePhone(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"13912345678", "13912345678"},
		{" 139 1234 5678 ", "13912345678"},
		{"139-1234-5678", "13912345678"},
		{"+86 139 1234 5678", "13912345678"},
		{"+8613912345678", "13912345678"},
		{"8613912345678", "13912345678"},
		{"008613912345678", "13912345678"},
		{"19912345678", "19912345678"},
		{"0564-1234567", "0564-1234567"},
		{"05641234567", "0564-1234567"},
		{"0564 12345678", "0564-12345678"},
		{"056-41234567", "0564-1234567"}, // a misplaced dash is corrected by the numbering plan
		{"010-62345678", "010-62345678"},
		{"01062345678", "010-62345678"},
		{"021-5234567", "021-5234567"},
		{"+86 551 6234 5678", "0551-62345678"}, // international format drops the trunk 0
		{"0086 10 6234 5678", "010-62345678"},
		{"+86-0551-62345678", "0551-62345678"},
		{"860551-62345678", "0551-62345678"},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		got, err := NormalisePhone(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalisePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalisePhoneInvalid(t *testing.T) {
	tests := []struct {
		name, in, wantMsg string
	}{
		{"letters", "139abc45678", "电话号码只能包含数字"},
		{"full-width digits", "１３９１２３４５６７８", "电话号码只能包含数字"},
		{"parentheses", "(0564)1234567", "电话号码只能包含数字"},
		{"mobile too short", "1391234567", "手机号应为11位数字"},
		{"mobile too long", "139123456789", "手机号应为11位数字"},
		{"mobile 12x", "12912345678", "手机号应以13–19开头"},
		{"mobile 10x", "10912345678", "手机号应以13–19开头"},
		{"no area code", "2345678", "固定电话请加区号"},
		{"local without area code", "62345678", "固定电话请加区号"},
		{"area code only", "0564", "固定电话应为区号加7–8位号码"},
		{"local too short", "0564-123456", "应为7–8位数字"},
		{"local too long", "0564-123456789", "应为7–8位数字"},
		{"local starts with 0", "0564-0234567", "不能以0开头"},
		{"area 00x", "0012-1234567", "区号 0012 不正确"},
		{"plus in the middle", "139+12345678", "电话号码只能包含数字"},
		{"86 then local number", "86345678", "固定电话请加区号"},
		{"extension", "0564-1234567-801", "应为7–8位数字"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalisePhone(tt.in)
			if err == nil {
				t.Fatalf("NormalisePhone(%q) = %q, want an error", tt.in, got)
			}
			ae := apperr.As(err)
			if ae.Code != apperr.Invalid || ae.Field != "phone" || !strings.Contains(ae.Message, tt.wantMsg) {
				t.Errorf("NormalisePhone(%q) error = %v, want invalid phone %q", tt.in, err, tt.wantMsg)
			}
		})
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13912345678", "139****5678"},
		{"0564-1234567", "056*****4567"},
		{"010-62345678", "010*****5678"},
		{"12345678", "123*5678"},
		{"1234567", "*******"},
		{"", ""},
		{"电话一二三四五六七八", "电话一***五六七八"},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzNormalisePhone checks that NormalisePhone never panics, that every
// rejection is an invalid error on "phone", and that its output is a fixed
// point: normalising a normalised number changes nothing, so blind indexes
// computed from either agree.
func FuzzNormalisePhone(f *testing.F) {
	for _, seed := range []string{"13912345678", "+86 139 1234 5678", "0564-1234567", "+86 10 6234 5678", "8605641234567", "", "+86", "0", "86"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalisePhone(s)
		if err != nil {
			if ae := apperr.As(err); ae.Code != apperr.Invalid || ae.Field != PhoneField {
				t.Fatalf("NormalisePhone(%q) returned a malformed error %v", s, err)
			}
			return
		}
		again, err := NormalisePhone(got)
		if err != nil || again != got {
			t.Fatalf("NormalisePhone(%q) = %q, which normalises to %q, %v", s, got, again, err)
		}
		if got != "" && !strings.Contains(MaskPhone(got), "****") {
			t.Fatalf("MaskPhone(%q) = %q hides too little", got, MaskPhone(got))
		}
	})
}
