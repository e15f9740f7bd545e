package appointment

import (
	"slices"
	"strings"
	"testing"
	"time"

	"jisheng/internal/apperr"
)

var modelToday = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) // a Monday

func TestParseClock(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"08:30", "08:30", true},
		{"8:30", "08:30", true},
		{" 23:59 ", "23:59", true},
		{"00:00", "00:00", true},
		{"24:00", "", false},
		{"12:60", "", false},
		{"12:5", "", false},
		{"123:00", "", false},
		{"12-00", "", false},
		{"ab:cd", "", false},
		{"", "", false},
		{"-1:00", "", false},
		{"１２:００", "", false}, // full-width digits are not accepted silently
	}
	for _, c := range cases {
		got, err := parseClock("start_time", "开始时间", c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseClock(%q) = %q, %v; want %q ok=%v", c.in, got, err, c.want, c.ok)
		}
		if err != nil && apperr.As(err).Field != "start_time" {
			t.Errorf("parseClock(%q) error names %q", c.in, apperr.As(err).Field)
		}
	}
}

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"08:30", "8:30", "24:00", "", ":", "1:2:3", "９:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseClock("start_time", "开始时间", s)
		if err != nil {
			return
		}
		// What is accepted is stored fixed-width, so text order is time order.
		if len(got) != 5 || got[2] != ':' || got < "00:00" || got > "23:59" {
			t.Fatalf("parseClock(%q) = %q", s, got)
		}
		if again, err := parseClock("start_time", "开始时间", got); err != nil || again != got {
			t.Fatalf("not stable: %q → %q → %q %v", s, got, again, err)
		}
	})
}

func TestSeriesDates(t *testing.T) {
	cases := []struct {
		first string
		weeks int
		want  []string
	}{
		{"2026-11-24", 0, []string{"2026-11-24"}},
		{"2026-11-24", 1, []string{"2026-11-24"}},
		{"2026-11-24", 3, []string{"2026-11-24", "2026-12-01", "2026-12-08"}},
		{"2026-12-22", 3, []string{"2026-12-22", "2026-12-29", "2027-01-05"}},
		{"2028-02-22", 2, []string{"2028-02-22", "2028-02-29"}}, // leap day
	}
	for _, c := range cases {
		first, _ := time.Parse(dateLayout, c.first)
		got := SeriesDates(first, c.weeks)
		if !slices.Equal(got, c.want) {
			t.Errorf("SeriesDates(%s, %d) = %v, want %v", c.first, c.weeks, got, c.want)
		}
		for _, d := range got {
			if w, _ := time.Parse(dateLayout, d); w.Weekday() != first.Weekday() {
				t.Errorf("%s is not a %s", d, first.Weekday())
			}
		}
	}
}

func validSlot() SlotInput {
	return SlotInput{Kind: Station, Division: "341523100", Place: "城关镇计生服务站", Date: "2026-11-24",
		StartTime: "09:00", EndTime: "11:30", Capacity: 5, Service: "prepreg_check"}
}

func TestCleanSlot(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*SlotInput)
		field string // "" means accepted
	}{
		{"valid", func(*SlotInput) {}, ""},
		{"free-text service", func(in *SlotInput) { in.Service = "健康讲座" }, ""},
		{"today", func(in *SlotInput) { in.Date = "2026-11-23" }, ""},
		{"home without place", func(in *SlotInput) { in.Kind, in.Place = Home, "" }, ""},
		{"bad kind", func(in *SlotInput) { in.Kind = "clinic" }, "kind"},
		{"no division", func(in *SlotInput) { in.Division = " " }, "division"},
		{"station without place", func(in *SlotInput) { in.Place = "" }, "place"},
		{"end before start", func(in *SlotInput) { in.EndTime = "08:00" }, "end_time"},
		{"end equals start", func(in *SlotInput) { in.EndTime = "09:00" }, "end_time"},
		{"bad start", func(in *SlotInput) { in.StartTime = "9点" }, "start_time"},
		{"bad end", func(in *SlotInput) { in.EndTime = "24:30" }, "end_time"},
		{"capacity 0", func(in *SlotInput) { in.Capacity = 0 }, "capacity"},
		{"capacity too large", func(in *SlotInput) { in.Capacity = maxCapacity + 1 }, "capacity"},
		{"no service", func(in *SlotInput) { in.Service = "" }, "service"},
		{"long service", func(in *SlotInput) { in.Service = strings.Repeat("检", maxService+1) }, "service"},
		{"control char in note", func(in *SlotInput) { in.Note = "a\x00b" }, "note"},
		{"impossible date", func(in *SlotInput) { in.Date = "2026-02-30" }, "date"},
		{"date with time", func(in *SlotInput) { in.Date = "2026-11-24T09:00" }, "date"},
		{"yesterday", func(in *SlotInput) { in.Date = "2026-11-22" }, "date"},
		{"too far ahead", func(in *SlotInput) { in.Date = "2027-11-25" }, "date"},
		{"negative repeat", func(in *SlotInput) { in.RepeatWeeks = -1 }, "repeat_weeks"},
		{"too many weeks", func(in *SlotInput) { in.RepeatWeeks = maxRepeatWeeks + 1 }, "repeat_weeks"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := validSlot()
			c.edit(&in)
			got, err := cleanSlot(in, modelToday)
			if c.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got.Place == "" || len(got.dates) != 1 {
					t.Fatalf("cleaned %+v", got)
				}
				return
			}
			if ae := apperr.As(err); err == nil || ae.Code != apperr.Invalid || ae.Field != c.field {
				t.Fatalf("error %v, want invalid %s", err, c.field)
			}
		})
	}
}

func TestDateRange(t *testing.T) {
	cases := []struct {
		from, to     string
		defaults     bool
		wantFrom     string
		wantTo       string
		field        string
		messageStart string
	}{
		{"", "", true, "2026-11-23", "2026-12-06", "", ""},
		{"2026-12-01", "", true, "2026-12-01", "2026-12-14", "", ""},
		{"2026-12-01", "2026-12-01", false, "2026-12-01", "2026-12-01", "", ""},
		{"", "2026-12-01", false, "", "", "from", "请填写"},
		{"2026-12-01", "", false, "", "", "to", "请填写"},
		{"2026-12-01", "2026-11-30", false, "", "", "to", "结束日期不能早于"},
		{"2026-01-01", "2027-01-03", false, "", "", "to", "日期范围"},
		{"2026-13-01", "2026-12-01", false, "", "", "from", "开始日期格式"},
	}
	for _, c := range cases {
		f, to, err := dateRange(c.from, c.to, modelToday, c.defaults)
		if c.field == "" {
			if err != nil || f != c.wantFrom || to != c.wantTo {
				t.Errorf("dateRange(%q, %q) = %q %q %v", c.from, c.to, f, to, err)
			}
			continue
		}
		ae := apperr.As(err)
		if err == nil || ae.Field != c.field || !strings.HasPrefix(ae.Message, c.messageStart) {
			t.Errorf("dateRange(%q, %q): %v, want %s %q…", c.from, c.to, err, c.field, c.messageStart)
		}
	}
}

func TestPaths(t *testing.T) {
	village := "/34/3415/341523/341523100/341523100001/"
	if got := ancestorPaths(village); !slices.Equal(got, []string{"/34/", "/34/3415/", "/34/3415/341523/", "/34/3415/341523/341523100/"}) {
		t.Errorf("ancestors of a village: %v", got)
	}
	if got := ancestorPaths("/"); len(got) != 0 {
		t.Errorf("ancestors of the root: %v", got)
	}
	for path, want := range map[string]int{"/": 0, "/34/": 1, "/34/3415/341523/": 3, village: 5} {
		if got := pathDepth(path); got != want {
			t.Errorf("pathDepth(%s) = %d, want %d", path, got, want)
		}
	}
}

func TestRequestKey(t *testing.T) {
	for k, want := range map[string]bool{
		"0b9f3c2e-5d1a-4c7e-9a41-2f6d8e0c1b7a": true,
		"abcd_1234":                            true,
		"short":                                false,
		strings.Repeat("a", 65):                false,
		"has space here":                       false,
		"中文中文中文中文":                             false,
	} {
		if got := validRequestKey(k); got != want {
			t.Errorf("validRequestKey(%q) = %v", k, got)
		}
	}
	if _, err := cleanBook(BookInput{PersonID: 1, RequestKey: "x"}); apperr.As(err).Field != "request_key" {
		t.Errorf("short key: %v", err)
	}
	if _, err := cleanBook(BookInput{RequestKey: "abcdefgh"}); apperr.As(err).Field != "person_id" {
		t.Errorf("no person: %v", err)
	}
}

func TestCountsOrder(t *testing.T) {
	by := map[string]*CountRow{}
	for _, s := range []string{"健康讲座", "screening", "other", "prepreg_check", "义诊"} {
		r := &CountRow{Service: s}
		r.add(Booked, 2)
		r.add(Attended, 1)
		by[s] = r
	}
	c := countsOf("2026-11-01", "2026-11-30", by)
	var order []string
	for _, r := range c.Rows {
		order = append(order, r.Service)
	}
	if !slices.Equal(order, []string{"prepreg_check", "screening", "other", "义诊", "健康讲座"}) {
		t.Errorf("row order %v", order)
	}
	if c.Total.Booked != 10 || c.Total.Attended != 5 || c.Total.Total != 15 || c.Total.ServiceLabel != "合计" {
		t.Errorf("total %+v", c.Total)
	}
}
