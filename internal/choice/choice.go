// Package choice holds the enumerations capability packages declare: a
// code stored in the database and sent in the API, with the Chinese label a
// user reads, and the checks every form needs (is the code known, what do
// we tell the user the allowed values are).
package choice

import "strings"

// Option is one value of an enumeration with its Chinese label.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// List is an enumeration in the order shown to users.
type List []Option

// Has reports whether v is one of the list's values.
func (l List) Has(v string) bool { return l.Label(v) != "" }

// Label is the Chinese label of v, or "" when v is unknown.
func (l List) Label(v string) string {
	for _, o := range l {
		if o.Value == v {
			return o.Label
		}
	}
	return ""
}

// Values lists the allowed values with their labels for an error message:
// "out（流出）、in（流入）".
func (l List) Values() string {
	parts := make([]string, len(l))
	for i, o := range l {
		parts[i] = o.Value + "（" + o.Label + "）"
	}
	return strings.Join(parts, "、")
}
