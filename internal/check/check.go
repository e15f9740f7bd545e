// Package check holds the input checks every capability's forms share, so
// that a name, a note or a reason is refused with the same Chinese message
// whichever page it was typed on.
package check

import (
	"strconv"
	"unicode"
	"unicode/utf8"

	"jisheng/internal/apperr"
)

// Text checks a free-text field's presence, length (in characters) and
// characters: control characters other than newline and tab are refused,
// since they break exports and printed notices.
func Text(field, label, s string, limit int, required bool) error {
	if required && s == "" {
		return apperr.InvalidField(field, "请填写"+label)
	}
	if utf8.RuneCountInString(s) > limit {
		return apperr.InvalidField(field, label+"不能超过 "+strconv.Itoa(limit)+" 个字")
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return apperr.InvalidField(field, label+"含有不允许的控制字符")
		}
	}
	return nil
}
