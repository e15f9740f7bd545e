package division

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLevelName(t *testing.T) {
	tests := []struct {
		level int
		code  string
		want  string
	}{
		{LevelProvince, "34", "省"},
		{LevelCity, "3415", "市"},
		{LevelCity, "1101", "市"},
		{LevelCounty, "341523", "县"},
		{LevelTownship, "341523001", "街道"},
		{LevelTownship, "341523099", "街道"},
		{LevelTownship, "341523100", "镇"},
		{LevelTownship, "341523199", "镇"},
		{LevelTownship, "341523200", "乡"},
		{LevelTownship, "341523399", "乡"},
		{LevelTownship, "341523400", "乡级单位"},
		{LevelTownship, "341523599", "乡级单位"},
		{LevelTownship, "341523000", "乡级单位"},
		{LevelVillage, "341523100201", "村(居)委会"},
		{LevelGroup, "341523100201001", "村民小组"},
		{0, "", ""},
		{7, "1", ""},
	}
	for _, tt := range tests {
		if got := LevelName(tt.level, tt.code); got != tt.want {
			t.Errorf("LevelName(%d, %q) = %q, want %q", tt.level, tt.code, got, tt.want)
		}
	}
}

func TestValidCodeAndLevel(t *testing.T) {
	tests := []struct {
		code  string
		level int
	}{
		{"34", 1}, {"3415", 2}, {"341523", 3}, {"341523100", 4}, {"341523100201", 5}, {"341523100201001", 6},
		{"", 0}, {"3", 0}, {"341", 0}, {"3415231", 0}, {"34152310020", 0}, {"3415231002010011", 0},
		{"34152a", 0}, {"３４", 0}, {" 34", 0}, {"-1", 0},
	}
	for _, tt := range tests {
		if got := CodeLevel(tt.code); got != tt.level {
			t.Errorf("CodeLevel(%q) = %d, want %d", tt.code, got, tt.level)
		}
		if got := ValidCode(tt.code); got != (tt.level != 0) {
			t.Errorf("ValidCode(%q) = %v", tt.code, got)
		}
	}
}

func TestPathAndParent(t *testing.T) {
	tests := []struct{ code, path, parent string }{
		{"34", "/34/", ""},
		{"3415", "/34/3415/", "34"},
		{"341523", "/34/3415/341523/", "3415"},
		{"341523100", "/34/3415/341523/341523100/", "341523"},
		{"341523100201", "/34/3415/341523/341523100/341523100201/", "341523100"},
		{"341523100201001", "/34/3415/341523/341523100/341523100201/341523100201001/", "341523100201"},
		{"419001", "/41/4190/419001/", "4190"}, // 省直辖县级行政区划
		{"110101", "/11/1101/110101/", "1101"}, // 市辖区
		{"3415x", "", ""},
	}
	for _, tt := range tests {
		if got := PathOf(tt.code); got != tt.path {
			t.Errorf("PathOf(%q) = %q, want %q", tt.code, got, tt.path)
		}
		if got := ParentOf(tt.code); got != tt.parent {
			t.Errorf("ParentOf(%q) = %q, want %q", tt.code, got, tt.parent)
		}
		if tt.path != "" {
			codes := pathCodes(tt.path)
			if codes[len(codes)-1] != tt.code {
				t.Errorf("pathCodes(%q) = %v", tt.path, codes)
			}
		}
	}
}

func TestTownshipKind(t *testing.T) {
	for code, want := range map[string]string{
		"341523001": "街道", "341523100": "镇", "341523200": "乡", "341523400": "其他", "341523600": "其他",
		"341523100201": "镇", "341523": "", "x": "",
	} {
		if got := TownshipKind(code); got != want {
			t.Errorf("TownshipKind(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestMarshalJSON(t *testing.T) {
	d := Division{Code: "341523100", Name: "城关镇", Level: LevelTownship, ParentCode: "341523",
		Path: PathOf("341523100"), Source: SourceNBS, ValidFrom: DataDate, HasChildren: true}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"code":"341523100"`, `"level_name":"镇"`, `"parent_code":"341523"`, `"has_children":true`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	if strings.Contains(string(b), "valid_to") || strings.Contains(string(b), "urban_rural") {
		t.Errorf("JSON %s shows empty optional fields", b)
	}
}

func TestPathLen(t *testing.T) {
	for _, c := range []struct {
		code string
		want int
	}{{"34", 4}, {"341523", 16}, {"341523100", 26}, {"341523100201", 39}} {
		if got := PathLen(CodeLevel(c.code)); got != c.want || len(PathOf(c.code)) != c.want {
			t.Errorf("PathLen(level of %s) = %d, path %q; want %d", c.code, got, PathOf(c.code), c.want)
		}
	}
}
