package importer

import (
	"strings"
	"testing"
)

// FuzzPersonRow: any cells turn into a registry row or a Chinese error
// naming a field, never a panic; accepted dates are YYYY-MM-DD.
func FuzzPersonRow(f *testing.F) {
	f.Add("张三|男|1990/1/2|341523199001020011|汉|农业|初婚|13800000000|341523100001||341523100001-0001|户主|")
	f.Add("|||||||||||||")
	f.Add("李四|女人|20201301|x|回族|城镇|已婚|1|2|3|4|5|2020.1.1")
	f.Fuzz(func(t *testing.T, line string) {
		cells := strings.Split(line, "|")
		for len(cells) < len(personColumns) {
			cells = append(cells, "")
		}
		idx := make([]int, len(personColumns))
		for i := range idx {
			idx[i] = i
		}
		in, err := personRow(cells[:len(personColumns)], idx)
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("empty error")
			}
			return
		}
		for _, d := range []string{in.BirthDate, in.DeathDate} {
			if d != "" && (len(d) != 10 || d[4] != '-' || d[7] != '-') {
				t.Fatalf("date %q passed through as %q", line, d)
			}
		}
	})
}

func TestNormaliseDate(t *testing.T) {
	cases := map[string]string{"2020-01-02": "2020-01-02", "2020/1/2": "2020-01-02", "2020.12.31": "2020-12-31",
		"20200102": "2020-01-02", "": "", "2020-1-2": "2020-01-02"}
	for in, want := range cases {
		got, err := normaliseDate("birth_date", in)
		if err != nil || got != want {
			t.Errorf("%q → %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"去年", "2020/13", "1/2/2020", "2020-01-02 10:00", "２０２０-01-02"} {
		if _, err := normaliseDate("birth_date", bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
