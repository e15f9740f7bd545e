package health

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"jisheng/internal/apperr"
)

// maxText bounds free-text fields; a visit note is a few sentences.
const maxText = 500

// futureDateFields may lie after today: they are expectations, not events.
var futureDateFields = []string{"expected_date"}

// CleanFields checks values against the stage's declared fields and returns
// them normalised: text trimmed, choices as their codes. Unknown fields are
// refused, so a typo in a form never silently drops a value.
func CleanFields(st Stage, in map[string]any, today string) (map[string]any, error) {
	out := map[string]any{}
	for name := range in {
		if !slices.ContainsFunc(st.Fields, func(f Field) bool { return f.Name == name }) {
			return nil, apperr.InvalidField("fields."+name, fmt.Sprintf("“%s”阶段没有字段 %s", st.Name, name))
		}
	}
	for _, f := range st.Fields {
		v, err := cleanField(f, in[f.Name], today)
		if err != nil {
			return nil, err
		}
		if v != nil {
			out[f.Name] = v
		}
	}
	return out, nil
}

func cleanField(f Field, raw any, today string) (any, error) {
	field := "fields." + f.Name
	if isEmpty(raw) {
		if f.Required {
			return nil, apperr.InvalidField(field, "请填写“"+f.Label+"”")
		}
		return nil, nil
	}
	switch f.Kind {
	case "choices":
		return cleanChoices(f, raw)
	case "number":
		n, ok := raw.(float64)
		if !ok || n < 0 {
			return nil, apperr.InvalidField(field, "“"+f.Label+"”应为不小于 0 的数字")
		}
		return n, nil
	}
	s, ok := raw.(string)
	if !ok {
		return nil, apperr.InvalidField(field, "“"+f.Label+"”应为文字")
	}
	s = strings.TrimSpace(s)
	switch f.Kind {
	case "date":
		if err := checkDate(s, today, slices.Contains(futureDateFields, f.Name)); err != nil {
			return nil, apperr.InvalidField(field, "“"+f.Label+"”"+err.Error())
		}
	case "choice":
		if !hasOption(f.Options, s) {
			return nil, apperr.InvalidField(field, "“"+f.Label+"”的取值无效："+s)
		}
	default:
		if utf8.RuneCountInString(s) > maxText {
			return nil, apperr.InvalidField(field, fmt.Sprintf("“%s”不能超过 %d 个字", f.Label, maxText))
		}
	}
	return s, nil
}

func cleanChoices(f Field, raw any) (any, error) {
	field := "fields." + f.Name
	list, ok := raw.([]any)
	if !ok {
		return nil, apperr.InvalidField(field, "“"+f.Label+"”应为选项列表")
	}
	out := []string{}
	for _, v := range list {
		s, _ := v.(string)
		if !hasOption(f.Options, s) {
			return nil, apperr.InvalidField(field, fmt.Sprintf("“%s”的取值无效：%v", f.Label, v))
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 && f.Required {
		return nil, apperr.InvalidField(field, "请至少选择一项“"+f.Label+"”")
	}
	return out, nil
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	}
	return false
}

func hasOption(opts []Option, code string) bool {
	return slices.ContainsFunc(opts, func(o Option) bool { return o.Code == code })
}

// checkDate accepts YYYY-MM-DD from 1900 on; unless future is allowed, not after today.
func checkDate(s, today string, future bool) error {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Format(time.DateOnly) != s {
		return fmt.Errorf("应为有效日期（如 2026-03-01）：%s", s)
	}
	if s < "1900-01-01" {
		return fmt.Errorf("早于 1900 年：%s", s)
	}
	if !future && s > today {
		return fmt.Errorf("不能晚于今天：%s", s)
	}
	return nil
}

// CheckTransition says whether a case at stage from may record stage to:
// to must be one the program lets follow, and closing is always possible
// while the case is open.
func CheckTransition(p Program, from, to string) error {
	target, ok := p.Stage(to)
	if !ok {
		return apperr.InvalidField("stage", fmt.Sprintf("“%s”没有阶段 %s", p.Name, to))
	}
	if to == "closed" {
		return nil
	}
	cur, _ := p.Stage(from)
	if !slices.Contains(cur.Next, to) {
		return apperr.New(apperr.Conflict, fmt.Sprintf("当前阶段为“%s”，不能登记“%s”", cur.Name, target.Name))
	}
	return nil
}

// stepCode is the value of the stage's code field, kept in the clear for figures.
func stepCode(st Stage, fields map[string]any) string {
	if st.CodeField == "" {
		return ""
	}
	s, _ := fields[st.CodeField].(string)
	return s
}

// closesCase says whether reaching st with code ends the case.
func closesCase(st Stage, code string) bool {
	return st.Closes || slices.Contains(st.ClosesWhen, code)
}
