package choice

import "testing"

func TestList(t *testing.T) {
	l := List{{"out", "流出"}, {"in", "流入"}}
	if !l.Has("in") || l.Has("") || l.Has("IN") {
		t.Error("Has")
	}
	if l.Label("out") != "流出" || l.Label("x") != "" {
		t.Error("Label")
	}
	if got := l.Values(); got != "out（流出）、in（流入）" {
		t.Errorf("Values = %q", got)
	}
}
