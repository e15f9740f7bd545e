package idno

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"jisheng/internal/apperr"
)

// fixedNow makes the "birth date in the future" rule deterministic.
var fixedNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func TestParseValid(t *testing.T) {
	tests := []struct {
		name, in string
		number   string
		address  string
		birth    string
		sex      Sex
		upgraded bool
	}{
		{"standard example, X check", "11010519491231002X", "11010519491231002X", "110105", "1949-12-31", Female, false},
		{"standard example born 1880", "440524188001010014", "440524188001010014", "440524", "1880-01-01", Male, false},
		{"lower-case x stored upper", "11010519491231002x", "11010519491231002X", "110105", "1949-12-31", Female, false},
		{"surrounding spaces trimmed", "  11010519491231002X\t", "11010519491231002X", "110105", "1949-12-31", Female, false},
		{"ideographic space trimmed", "\u300011010519491231002X\u3000", "11010519491231002X", "110105", "1949-12-31", Female, false},
		{"15-digit upgrade", "110105491231002", "11010519491231002X", "110105", "1949-12-31", Female, true},
		{"Hong Kong residence permit", Generate("810000", "1990-05-01", 11), Generate("810000", "1990-05-01", 11), "810000", "1990-05-01", Male, false},
		{"Taiwan residence permit", Generate("830000", "2000-02-29", 22), Generate("830000", "2000-02-29", 22), "830000", "2000-02-29", Female, false},
		{"born today", Generate("341523", "2026-11-22", 1), Generate("341523", "2026-11-22", 1), "341523", "2026-11-22", Male, false},
		{"abolished county code still valid", Generate("342401", "1975-03-04", 123), Generate("342401", "1975-03-04", 123), "342401", "1975-03-04", Male, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := ParseAt(tt.in, fixedNow)
			if err != nil {
				t.Fatalf("ParseAt(%q): %v", tt.in, err)
			}
			if id.Number != tt.number || id.AddressCode != tt.address || id.BirthDateString() != tt.birth || id.Sex != tt.sex || id.Upgraded != tt.upgraded {
				t.Errorf("ParseAt(%q) = %+v (birth %s), want number %s address %s birth %s sex %s upgraded %v",
					tt.in, id, id.BirthDateString(), tt.number, tt.address, tt.birth, tt.sex, tt.upgraded)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	valid := "11010519491231002X"
	tests := []struct {
		name, in string
		wantMsg  string // a fragment that identifies the reason
	}{
		{"empty", "", "公民身份号码应为18位（或旧式15位）"},
		{"too short", "11010519", "公民身份号码应为18位（或旧式15位）"},
		{"too long", valid + "1", "公民身份号码应为18位（或旧式15位）"},
		{"16 digits", "1101051949123100", "输入的是16位"},
		{"letter inside 18", "1101051949A231002X", "第11位“A”不符合"},
		{"X not last", "X10105194912310021", "第1位“X”不符合"},
		{"full-width digits", "１１０１０５１９４９１２３１００２Ｘ", "第1位“１”不符合"},
		{"space inside", "110105 9491231002X", "第7位“ ”不符合"},
		{"X in 15-digit", "11010549123100X", "旧式15位公民身份号码只能由数字组成，第15位“X”不是数字"},
		{"wrong check char", "110105194912310021", "校验码错误，按前17位计算应为 X"},
		{"wrong check char digit", "440524188001010015", "校验码错误，按前17位计算应为 4"},
		{"Feb 30", withCheck("11010519900230002"), "出生日期 1990-02-30 不是有效的日期"},
		{"month 13", withCheck("11010519901301002"), "出生日期 1990-13-01 不是有效的日期"},
		{"Feb 29 non-leap", withCheck("11010519000229002"), "出生日期 1900-02-29 不是有效的日期"},
		{"year 0000", withCheck("11010500000101002"), "出生日期 0000-01-01 不是有效的日期"},
		{"15-digit Feb 30", "110105900230002", "出生日期 1990-02-30 不是有效的日期"},
		{"future birth", withCheck("11010520261123002"), "出生日期 2026-11-23 晚于今天（2026-11-22）"},
		{"province 00", withCheck("00010519491231002"), "前两位 00 不是有效的省级行政区划代码"},
		{"province 16", withCheck("16010519491231002"), "前两位 16 不是有效的省级行政区划代码"},
		{"province 84", withCheck("84000019491231002"), "前两位 84 不是有效的省级行政区划代码"},
		{"15-digit bad province", "990105491231002", "前两位 99 不是有效的省级行政区划代码"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAt(tt.in, fixedNow)
			if err == nil {
				t.Fatalf("ParseAt(%q) accepted an invalid number", tt.in)
			}
			var ae *apperr.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error %T is not *apperr.Error", err)
			}
			if ae.Code != apperr.Invalid || ae.Field != "id_number" {
				t.Errorf("code/field = %s/%s, want invalid/id_number", ae.Code, ae.Field)
			}
			if !strings.Contains(ae.Message, tt.wantMsg) {
				t.Errorf("message %q does not contain %q", ae.Message, tt.wantMsg)
			}
		})
	}
}

// withCheck appends the correct check character so a test exercises only the
// rule it names.
func withCheck(first17 string) string { return first17 + string(CheckChar(first17)) }

func TestParseUsesCurrentTime(t *testing.T) {
	if _, err := Parse("11010519491231002X"); err != nil {
		t.Fatal(err)
	}
	future := Generate("110105", time.Now().AddDate(1, 0, 0).Format("2006-01-02"), 2)
	if _, err := Parse(future); err == nil {
		t.Fatal("Parse accepted a birth date next year")
	}
}

func TestFutureUsesCivilDateOfNow(t *testing.T) {
	// 23:30 on 22 Nov in Beijing is still 22 Nov there although UTC is
	// earlier; a birth on 22 Nov must pass and one on 23 Nov must not.
	beijing := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 11, 22, 23, 30, 0, 0, beijing)
	if _, err := ParseAt(Generate("341523", "2026-11-22", 2), now); err != nil {
		t.Errorf("born today refused: %v", err)
	}
	if _, err := ParseAt(Generate("341523", "2026-11-23", 2), now); err == nil {
		t.Error("born tomorrow accepted")
	}
}

func TestCheckChar(t *testing.T) {
	tests := []struct {
		first17 string
		want    byte
	}{
		{"11010519491231002", 'X'},
		{"44052418800101001", '4'},
		{"34152319900101123", CheckChar("34152319900101123")},
		{"1101051949123100", 0},   // 16 digits
		{"110105194912310021", 0}, // 18 digits
		{"1101051949123100A", 0},  // not a digit
		{"", 0},
	}
	for _, tt := range tests {
		if got := CheckChar(tt.first17); got != tt.want {
			t.Errorf("CheckChar(%q) = %q, want %q", tt.first17, got, tt.want)
		}
	}
	// Every S mod 11 must appear: vary the last digit and the 16th.
	seen := map[byte]bool{}
	for i := 0; i < 100; i++ {
		seen[CheckChar("110105194912310"+twoDigits(i))] = true
	}
	if len(seen) != 11 {
		t.Errorf("CheckChar produced %d distinct characters, want 11", len(seen))
	}
}

func twoDigits(i int) string { return string([]byte{byte('0' + i/10), byte('0' + i%10)}) }

func TestCheckCharCatchesSingleDigitErrors(t *testing.T) {
	number := "11010519491231002X"
	for pos := 0; pos < 17; pos++ {
		for d := byte('0'); d <= '9'; d++ {
			if number[pos] == d {
				continue
			}
			changed := number[:pos] + string(d) + number[pos+1:]
			if CheckChar(changed[:17]) == changed[17] {
				t.Errorf("single-digit change at %d to %c not detected", pos+1, d)
			}
		}
	}
}

func TestMismatch(t *testing.T) {
	id, err := ParseAt("11010519491231002X", fixedNow) // female, 1949-12-31
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, sex, birth string
		want             []string
	}{
		{"agree", "female", "1949-12-31", nil},
		{"agree in Chinese", "女", "1949-12-31", nil},
		{"empty values not compared", "", "", nil},
		{"unknown sex not compared", "unknown", "", nil},
		{"sex differs", "male", "", []string{"身份证号显示性别为女，登记性别为男"}},
		{"birth differs", "", "1950-01-01", []string{"身份证号显示出生日期为 1949-12-31，登记出生日期为 1950-01-01"}},
		{"both differ", "男", "1949-12-30", []string{
			"身份证号显示性别为女，登记性别为男",
			"身份证号显示出生日期为 1949-12-31，登记出生日期为 1949-12-30",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Mismatch(id, tt.sex, tt.birth); !slices.Equal(got, tt.want) {
				t.Errorf("Mismatch = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"34152319900101123X", "341523********123X"},
		{"11010519491231002X", "110105********002X"},
		{"110105491231002", "110105*****1002"},
		{"1101054912310021", "110105******0021"},
		{"12345678901234", "**************"},
		{"123", "***"},
		{"", ""},
		// whole runes are kept, never half of a UTF-8 sequence
		{"身份证号码无法识别的内容超过十五个字符", "身份证号码无*********五个字符"},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLooks(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"11010519491231002X", true},
		{"11010519491231002x", true},
		{" 110105491231002 ", true},
		{"110105194912310021", true}, // shape only, check character not verified
		{"1101051949123100X2", false},
		{"11010549123100X", false},
		{"张三", false},
		{"13912345678", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := Looks(tt.in); got != tt.want {
			t.Errorf("Looks(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestGenerate(t *testing.T) {
	for seq := 0; seq < 1000; seq += 37 {
		n := Generate("341523", "1988-07-15", seq)
		id, err := ParseAt(n, fixedNow)
		if err != nil {
			t.Fatalf("Generate(seq %d) = %s is invalid: %v", seq, n, err)
		}
		wantSex := Female
		if seq%2 == 1 {
			wantSex = Male
		}
		if id.Sex != wantSex || id.BirthDateString() != "1988-07-15" || id.AddressCode != "341523" {
			t.Errorf("Generate(seq %d) parsed as %+v", seq, id)
		}
	}
	if Generate("110105", "19491231", 2) != "11010519491231002X" {
		t.Error("Generate does not reproduce the standard's example")
	}
}

func TestGeneratePanicsOnBadArguments(t *testing.T) {
	for _, args := range []struct {
		address, birth string
		seq            int
	}{
		{"34152", "1990-01-01", 1},
		{"34152a", "1990-01-01", 1},
		{"341523", "1990-02-30", 1},
		{"341523", "1990-01-01", 1000},
		{"341523", "1990-01-01", -1},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Generate(%q, %q, %d) did not panic", args.address, args.birth, args.seq)
				}
			}()
			Generate(args.address, args.birth, args.seq)
		}()
	}
}

func TestSexChinese(t *testing.T) {
	if Male.Chinese() != "男" || Female.Chinese() != "女" || Sex("").Chinese() != "未知" {
		t.Error("Sex.Chinese")
	}
}
