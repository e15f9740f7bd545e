package floating

import (
	"strings"
	"testing"
	"time"

	"jisheng/internal/apperr"
)

// FuzzParseRow feeds arbitrary cells to the exchange-file row parser: it
// must never panic, must answer a bad row with an invalid-input error that
// names a column of the file, and must return only normalised values.
func FuzzParseRow(f *testing.F) {
	f.Add("流出|张伟|男|1992-05-06|341523199205060318|13912345678|341523100001|霍邱县城关镇|341522|2024-03-01|341523")
	f.Add("流入|陈静||1995/8/9|34152219950809042X||341522|沙埂村|341523|20250201|341523")
	f.Add("流出|||||||||")
	f.Add("外出|张\x00伟|X|2024年13月1日|110105491231002|+86 139-1234-5678|34|=1+1|3415220|2099-01-01|")
	today := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, joined string) {
		cells := strings.Split(joined, "|")
		for len(cells) < colCount {
			cells = append(cells, "")
		}
		r, err := parseRow(cells[:colCount], today)
		if err != nil {
			ae := apperr.As(err)
			if ae.Code != apperr.Invalid || !strings.HasPrefix(ae.Message, ae.Field) {
				t.Fatalf("error %v does not name its column", err)
			}
			return
		}
		if len(r.id) != 18 || (r.sex != "male" && r.sex != "female") || len(r.birth) != 10 || len(r.since) != 10 ||
			r.since < r.birth || !isCountyCode(r.liveCounty) || (r.theirDir != Out && r.theirDir != In) {
			t.Fatalf("accepted a row with unnormalised values: %+v", r)
		}
	})
}
