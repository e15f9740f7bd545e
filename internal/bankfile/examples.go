package bankfile

import (
	"embed"
	"path"

	"jisheng/internal/apperr"
)

// Example is a built-in payment layout with the return layout of the same
// bank. They are starting points to adapt, not any bank's real format:
// each says so in its description.
type Example struct {
	Key    string       `json:"key"` // the file name without .json
	Layout Layout       `json:"layout"`
	Return ReturnLayout `json:"return"`
}

//go:embed examples/*.json
var exampleFiles embed.FS

// Examples returns fresh copies of the built-in example layouts, in the
// order of their keys: generic-csv, generic-xlsx, rcc-fixed-gbk.
func Examples() ([]Example, error) {
	entries, err := exampleFiles.ReadDir("examples")
	if err != nil {
		return nil, apperr.Wrap(err, "read examples")
	}
	var out []Example
	for _, e := range entries {
		data, err := exampleFiles.ReadFile("examples/" + e.Name())
		if err != nil {
			return nil, apperr.Wrap(err, "read example")
		}
		var ex Example
		if err := decodeStrict(data, &ex); err != nil {
			return nil, apperr.Wrap(err, e.Name())
		}
		ex.Key = e.Name()[:len(e.Name())-len(path.Ext(e.Name()))]
		if err := ex.Layout.Validate(); err != nil {
			return nil, err
		}
		if err := ex.Return.Validate(); err != nil {
			return nil, err
		}
		out = append(out, ex)
	}
	return out, nil
}
