// Package division holds the administrative divisions of jisheng, from
// province down to 村民小组: the real NBS 2023 codes embedded in the binary,
// loading one county of them into the divisions table, and reading the tree
// back (children, ancestors, display names) for scope and pickers.
//
// Codes are hierarchical by prefix: province 2 digits, city 4, county 6
// (GB/T 2260), township 9 and village 12 (统计用区划代码), and 村民小组 15 — a
// village code plus 3 digits, numbered locally because the national data no
// longer has groups. Every parent is therefore a prefix of its child, even in
// the irregular places of the data: cities named 市辖区 (1101) and county-level
// units directly under a province (4190 省直辖县级行政区划) are real 4-digit
// rows, so the rule holds everywhere.
//
// Each division stores its materialised path, the codes from the province
// down, each followed by '/': "/34/3415/341523/341523100/341523100201/". The
// trailing '/' keeps "/34/3415/" from matching a sibling "/34/34150/…", and
// access scope is a path prefix (see db.Subtree).
//
// Functions that write take a *db.Tx so that the caller adds its audit entry
// in the same transaction; functions that read take a db.Conn (a *db.Tx's
// embedded Conn works too).
package division

import (
	"encoding/json"
	"strings"
)

// Levels of the division tree.
const (
	LevelProvince = 1
	LevelCity     = 2
	LevelCounty   = 3
	LevelTownship = 4
	LevelVillage  = 5
	LevelGroup    = 6
)

// Sources of a division row.
const (
	SourceNBS   = "nbs2023" // the embedded NBS 2023 统计用区划代码
	SourceLocal = "local"   // added by the county (村民小组)
)

// DataDate is the reference date of the embedded NBS release (data as of
// 2023-06-30); it is the default valid_from of loaded divisions.
const DataDate = "2023-06-30"

// Division is one node of the division tree.
type Division struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Level      int    `json:"level"`
	ParentCode string `json:"parent_code"` // "" for a province
	Path       string `json:"path"`
	UrbanRural string `json:"urban_rural,omitempty"` // 城乡分类代码 (111…220); the NBS package has none
	Source     string `json:"source"`
	ValidFrom  string `json:"valid_from"`         // YYYY-MM-DD
	ValidTo    string `json:"valid_to,omitempty"` // YYYY-MM-DD, "" while in force
	// HasChildren is filled by the store's reads (Get, Children, Roots,
	// Ancestors); it is false on divisions straight from the embedded data.
	HasChildren bool `json:"has_children"`
}

// Kind is the Chinese name of the division's level (街道, 镇, 村(居)委会, …).
func (d Division) Kind() string { return LevelName(d.Level, d.Code) }

// MarshalJSON adds "level_name" (see LevelName) to the fields.
func (d Division) MarshalJSON() ([]byte, error) {
	type plain Division
	return json.Marshal(struct {
		plain
		LevelName string `json:"level_name"`
	}{plain(d), d.Kind()})
}

// codeLens maps a level to its code length; index 0 is unused.
var codeLens = [...]int{0, 2, 4, 6, 9, 12, 15}

// CodeLevel returns the level a code's length implies, or 0 if code is not a
// division code (see ValidCode).
func CodeLevel(code string) int {
	if !digits(code) {
		return 0
	}
	for lv := LevelProvince; lv <= LevelGroup; lv++ {
		if len(code) == codeLens[lv] {
			return lv
		}
	}
	return 0
}

// ValidCode reports whether code has the shape of a division code: 2, 4, 6,
// 9, 12 or 15 digits. It does not say the division exists.
func ValidCode(code string) bool { return CodeLevel(code) != 0 }

// ParentOf returns the code of code's parent ("" for a province or an invalid code).
func ParentOf(code string) string {
	lv := CodeLevel(code)
	if lv <= LevelProvince {
		return ""
	}
	return code[:codeLens[lv-1]]
}

// PathOf returns the materialised path of code, e.g.
// "/34/3415/341523/341523100/341523100201/", or "" for an invalid code.
func PathOf(code string) string {
	lv := CodeLevel(code)
	if lv == 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(len(code)*lv/2 + 2*lv)
	b.WriteByte('/')
	for l := LevelProvince; l <= lv; l++ {
		b.WriteString(code[:codeLens[l]])
		b.WriteByte('/')
	}
	return b.String()
}

// PathLen is the length of the materialised path of any division of a
// level (paths have fixed lengths per level, as codes do): 26 for a
// township, 39 for a village.
func PathLen(level int) int {
	n := 1
	for l := LevelProvince; l <= level; l++ {
		n += codeLens[l] + 1
	}
	return n
}

// pathCodes returns the codes of a materialised path, top down.
func pathCodes(path string) []string {
	var out []string
	for _, c := range strings.Split(path, "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// TownshipKind classifies a township by the 3 digits after the county code:
// 001–099 街道, 100–199 镇, 200–399 乡, anything else (400–599 development
// zones, farms and the like) 其他. It returns "" if code is not a township
// code or longer (the first 9 digits are used).
func TownshipKind(code string) string {
	if CodeLevel(code) < LevelTownship {
		return ""
	}
	n := int(code[6]-'0')*100 + int(code[7]-'0')*10 + int(code[8]-'0')
	switch {
	case n >= 1 && n <= 99:
		return "街道"
	case n >= 100 && n <= 199:
		return "镇"
	case n >= 200 && n <= 399:
		return "乡"
	default:
		return "其他"
	}
}

// LevelName is the Chinese name of a level as shown to users; for a township
// it depends on the code (街道, 镇, 乡, or 乡级单位 for development zones and
// other units).
func LevelName(level int, code string) string {
	switch level {
	case LevelProvince:
		return "省"
	case LevelCity:
		return "市"
	case LevelCounty:
		return "县"
	case LevelTownship:
		switch k := TownshipKind(code); k {
		case "街道", "镇", "乡":
			return k
		default:
			return "乡级单位"
		}
	case LevelVillage:
		return "村(居)委会"
	case LevelGroup:
		return "村民小组"
	}
	return ""
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
