package sheet

import (
	"strings"
	"unicode"

	"jisheng/internal/apperr"
)

// Column is a column a file is expected to have, by its header text.
type Column struct {
	Name     string
	Required bool
}

// MapHeader finds each wanted column in header and returns its position per
// entry of cols, -1 for an optional column the file lacks. Header texts
// match after dropping spaces and a '*' marking a required column, and with
// ASCII parentheses read as full-width ones, the way officers retype
// headers. A required column missing, a header no column wants, or one named
// twice is refused, all problems named in one message so the officer can fix
// the file in one go.
func MapHeader(header []string, cols []Column) ([]int, error) {
	want := make(map[string]int, len(cols))
	for i, c := range cols {
		want[headerKey(c.Name)] = i
	}
	index := make([]int, len(cols))
	for i := range index {
		index[i] = -1
	}
	var unknown, dup []string
	seen := map[string]string{} // key → the header text first seen
	for pos, h := range header {
		k := headerKey(h)
		if k == "" {
			continue
		}
		if first, ok := seen[k]; ok {
			dup = appendOnce(dup, first)
			continue
		}
		seen[k] = strings.TrimSpace(h)
		if i, ok := want[k]; ok {
			index[i] = pos
		} else {
			unknown = append(unknown, strings.TrimSpace(h))
		}
	}
	var missing []string
	for i, c := range cols {
		if c.Required && index[i] < 0 {
			missing = append(missing, c.Name)
		}
	}
	var problems []string
	if len(missing) > 0 {
		problems = append(problems, "缺少表头："+strings.Join(missing, "、"))
	}
	if len(unknown) > 0 {
		problems = append(problems, "无法识别的表头："+strings.Join(unknown, "、"))
	}
	if len(dup) > 0 {
		problems = append(problems, "表头重复："+strings.Join(dup, "、"))
	}
	if len(problems) > 0 {
		return nil, apperr.New(apperr.Invalid, strings.Join(problems, "；"))
	}
	return index, nil
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// headerKey is the form header texts are compared in.
func headerKey(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r), r == '\uFEFF', r == '*', r == '＊':
			return -1
		case r == '(':
			return '（'
		case r == ')':
			return '）'
		}
		return r
	}, s)
	return s
}
