package check

import (
	"strings"
	"testing"

	"jisheng/internal/apperr"
)

func TestText(t *testing.T) {
	cases := []struct {
		s        string
		required bool
		ok       bool
	}{
		{"", false, true}, {"", true, false}, {"外出务工", true, true},
		{strings.Repeat("字", 10), true, true}, {strings.Repeat("字", 11), true, false},
		{"第一行\n第二行\t", true, true}, {"响铃\a", true, false}, {"\x00", false, false},
	}
	for _, c := range cases {
		err := Text("note", "备注", c.s, 10, c.required)
		if (err == nil) != c.ok {
			t.Errorf("Text(%q, required=%v) = %v", c.s, c.required, err)
		}
		if err != nil && apperr.As(err).Field != "note" {
			t.Errorf("error does not name the field: %v", err)
		}
	}
}
