package supply

import (
	"strings"
	"testing"

	"jisheng/internal/apperr"
)

const parseToday = "2026-11-22"

func TestSupplyParseLogRow(t *testing.T) {
	cases := []struct {
		name  string
		cells []string
		want  logRow
		err   string // start of the error message; "" for a valid row
	}{
		{"full row", []string{"JQ-0001", "2026-11-05 08:15:30", "BYT01", "2", "20250312", "SC123456"},
			logRow{machine: "JQ-0001", at: "2026-11-05 08:15:30", day: "2026-11-05", item: "BYT01", qty: 2, batch: "20250312", card: "SC123456"}, ""},
		{"slashes, one-digit parts, no seconds", []string{"jq-0001", "2026/11/5 8:15", "byt01", "1", "", ""},
			logRow{machine: "JQ-0001", at: "2026-11-05 08:15:00", day: "2026-11-05", item: "BYT01", qty: 1}, ""},
		{"ISO T", []string{"M1", "2026-11-05T23:59:59", "KFY01", "1000", "", ""},
			logRow{machine: "M1", at: "2026-11-05 23:59:59", day: "2026-11-05", item: "KFY01", qty: 1000}, ""},
		{"today is fine", []string{"M1", "2026-11-22 23:00:00", "KFY01", "1", "", ""},
			logRow{machine: "M1", at: "2026-11-22 23:00:00", day: "2026-11-22", item: "KFY01", qty: 1}, ""},
		{"no machine", []string{"", "2026-11-05 08:15:30", "BYT01", "2", "", ""}, logRow{}, "机器编号"},
		{"machine with a space", []string{"JQ 1", "2026-11-05 08:15:30", "BYT01", "2", "", ""}, logRow{}, "机器编号"},
		{"date only", []string{"M1", "2026-11-05", "BYT01", "2", "", ""}, logRow{}, "发放时间格式"},
		{"impossible date", []string{"M1", "2026-02-30 08:00:00", "BYT01", "2", "", ""}, logRow{}, "发放时间格式"},
		{"tomorrow", []string{"M1", "2026-11-23 00:00:00", "BYT01", "2", "", ""}, logRow{}, "发放时间不能晚于今天"},
		{"last century", []string{"M1", "1999-12-31 23:59:59", "BYT01", "2", "", ""}, logRow{}, "发放时间不能早于"},
		{"Chinese item code", []string{"M1", "2026-11-05 08:15:30", "避孕套", "2", "", ""}, logRow{}, "药具编码"},
		{"zero", []string{"M1", "2026-11-05 08:15:30", "BYT01", "0", "", ""}, logRow{}, "数量"},
		{"decimal", []string{"M1", "2026-11-05 08:15:30", "BYT01", "2.0", "", ""}, logRow{}, "数量"},
		{"plus sign", []string{"M1", "2026-11-05 08:15:30", "BYT01", "+2", "", ""}, logRow{}, "数量"},
		{"too many", []string{"M1", "2026-11-05 08:15:30", "BYT01", "1001", "", ""}, logRow{}, "数量"},
		{"control in batch", []string{"M1", "2026-11-05 08:15:30", "BYT01", "1", "A\x01", ""}, logRow{}, "批号"},
		{"bad card", []string{"M1", "2026-11-05 08:15:30", "BYT01", "1", "", "卡 1"}, logRow{}, "服务卡号"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseLogRow(tc.cells, parseToday)
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(apperr.As(err).Message, tc.err) {
					t.Fatalf("error %v, want one starting %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v %v, want %+v", got, err, tc.want)
			}
		})
	}
}

// FuzzSupplyParseLogRow feeds arbitrary cells to the machine-log row parser: it
// must never panic, must answer a bad row with an invalid-input error whose
// message starts with the column it names, and must return only normalised
// values for a row it accepts.
func FuzzSupplyParseLogRow(f *testing.F) {
	f.Add("JQ-0001|2026-11-05 08:15:30|BYT01|2|20250312|SC123456")
	f.Add("jq-0001|2026/11/5 8:15|byt01|1||")
	f.Add("|||||")
	f.Add("M 1|2026-13-45 25:61|避孕套|-3|\x00|卡号")
	f.Add("M1|2026-11-05T08:15:30|KFY01|1000|批号 2025|")
	f.Fuzz(func(t *testing.T, joined string) {
		cells := strings.Split(joined, "|")
		for len(cells) < logCols {
			cells = append(cells, "")
		}
		r, err := parseLogRow(cells[:logCols], parseToday)
		if err != nil {
			ae := apperr.As(err)
			if ae.Code != apperr.Invalid || ae.Field == "" || !strings.HasPrefix(ae.Message, ae.Field) {
				t.Fatalf("error %v does not name its column", err)
			}
			return
		}
		if !isCode(r.machine, maxCode) || !isCode(r.item, 20) || r.qty < 1 || r.qty > 1000 ||
			len(r.at) != 19 || r.day != r.at[:10] || r.day > parseToday || r.day < "2000-01-01" ||
			r.machine != strings.ToUpper(r.machine) || (r.card != "" && !isCode(r.card, maxCode)) {
			t.Fatalf("accepted a row with unnormalised values: %+v", r)
		}
	})
}

func TestSupplyExpiryStatus(t *testing.T) {
	cases := []struct {
		expiry string
		near   int
		want   string
	}{
		{"2026-11-21", 90, ExpiryExpired}, // the day after expiry
		{"2026-11-22", 90, ExpiryNear},    // usable through its expiry day
		{"2027-02-20", 90, ExpiryNear},    // exactly 90 days ahead
		{"2027-02-21", 90, ExpiryOK},      // 91 days ahead
		{"2026-12-01", 5, ExpiryOK},
		{"2026-11-27", 5, ExpiryNear},
	}
	for _, tc := range cases {
		if got := ExpiryStatus(tc.expiry, parseToday, tc.near); got != tc.want {
			t.Errorf("ExpiryStatus(%s, %d) = %s, want %s", tc.expiry, tc.near, got, tc.want)
		}
	}
}

func TestSupplyMaskCard(t *testing.T) {
	cases := map[string]string{"": "", "AB": "****", "ABCD": "****", "SC123456": "SC****56"}
	for in, want := range cases {
		if got := maskCard(in); got != want {
			t.Errorf("maskCard(%q) = %q, want %q", in, got, want)
		}
	}
}
