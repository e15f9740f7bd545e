package benefit

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// A Param is one value of a program's rules from a date on, set at one
// layer: the nation (Scope ""), a province ("34"), a city ("3415") or a
// county ("341523"). Amounts are in fen, ages in years, dates YYYY-MM-DD,
// lists of codes comma-separated. Every value names its legal basis.
type Param struct {
	Program string `json:"program"`
	Key     string `json:"key"`
	Scope   string `json:"scope"`
	From    string `json:"from"`
	Value   string `json:"value"`
	Basis   string `json:"basis"`
}

// Level names the layer of a scope.
func Level(scope string) string {
	switch len(scope) {
	case 0:
		return "national"
	case 2:
		return "province"
	case 4:
		return "city"
	}
	return "county"
}

// topUp keys add across layers (a province's and a county's top-ups both
// apply); every other key is overridden by the most specific layer.
func topUp(key string) bool { return strings.HasPrefix(key, "topup_") }

// Used records which version of a parameter a decision used.
type Used struct {
	Key   string `json:"key"`
	Scope string `json:"scope"`
	From  string `json:"from"`
	Value string `json:"value"`
}

// String is the compact form stored with a decision: key=value@scope/from.
func (u Used) String() string {
	scope := u.Scope
	if scope == "" {
		scope = "national"
	}
	return fmt.Sprintf("%s=%s@%s/%s", u.Key, u.Value, scope, u.From)
}

// Params resolves the parameters of one program for one place and date.
type Params struct {
	program string
	scopes  []string // national first, then province, city, county
	date    string
	all     []Param
	used    map[string][]Used
	cache   *paramCache // shared by the evaluations of one program, county and date
}

// paramCache remembers resolved values: within one program, county and
// date they are the same for everyone, and a bulk run asks millions of times.
type paramCache struct {
	get map[string]resolved
	sum map[string]resolved
}

type resolved struct {
	value string
	ok    bool
	total int64
	used  []Param
}

func newParamCache() *paramCache {
	return &paramCache{get: map[string]resolved{}, sum: map[string]resolved{}}
}

// scopesOf lists the layers above and at a county: "", "34", "3415", "341523".
func scopesOf(county string) []string {
	out := []string{""}
	for _, n := range []int{2, 4, 6} {
		if len(county) >= n {
			out = append(out, county[:n])
		}
	}
	return out
}

// NewParams returns the resolver of program's parameters for a county on a
// date, over the built-in national values and the layers set locally.
func NewParams(program, county, date string, layers []Param) *Params {
	all := append(slices.Clone(builtin), layers...)
	return &Params{program: program, scopes: scopesOf(county), date: date, all: all, used: map[string][]Used{}}
}

// latest is the version of key in force on the date at one scope.
func (p *Params) latest(key, scope string) (Param, bool) {
	var best Param
	found := false
	for _, v := range p.all {
		if v.Program != p.program || v.Key != key || v.Scope != scope || v.From > p.date {
			continue
		}
		if !found || v.From > best.From {
			best, found = v, true
		}
	}
	return best, found
}

// Get is the value of key: the most specific layer's version in force.
func (p *Params) Get(key string) (string, bool) {
	if p.cache != nil {
		if r, ok := p.cache.get[key]; ok {
			p.noteAll(key, r.used)
			return r.value, r.ok
		}
	}
	var r resolved
	for i := len(p.scopes) - 1; i >= 0; i-- {
		if v, ok := p.latest(key, p.scopes[i]); ok {
			r = resolved{value: v.Value, ok: true, used: []Param{v}}
			break
		}
	}
	if p.cache != nil {
		p.cache.get[key] = r
	}
	p.noteAll(key, r.used)
	return r.value, r.ok
}

// Sum adds the versions in force of a top-up key across all layers.
func (p *Params) Sum(key string) int64 {
	if p.cache != nil {
		if r, ok := p.cache.sum[key]; ok {
			p.noteAll(key, r.used)
			return r.total
		}
	}
	var r resolved
	for _, scope := range p.scopes {
		if v, ok := p.latest(key, scope); ok {
			r.used = append(r.used, v)
			r.total += atoi64(v.Value)
		}
	}
	if p.cache != nil {
		p.cache.sum[key] = r
	}
	p.noteAll(key, r.used)
	return r.total
}

func (p *Params) noteAll(key string, vs []Param) {
	for _, v := range vs {
		p.note(key, v)
	}
}

func (p *Params) note(key string, v Param) {
	u := Used{Key: key, Scope: v.Scope, From: v.From, Value: v.Value}
	if !slices.Contains(p.used[key], u) {
		p.used[key] = append(p.used[key], u)
	}
}

// Int is a numeric parameter; a missing one is 0.
func (p *Params) Int(key string) int64 {
	v, _ := p.Get(key)
	return atoi64(v)
}

// Text is a text parameter.
func (p *Params) Text(key string) string {
	v, _ := p.Get(key)
	return v
}

// List is a comma-separated parameter.
func (p *Params) List(key string) []string {
	v := p.Text(key)
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// Version lists every parameter version the evaluation read, sorted, so a
// decision can be reproduced and its basis shown.
func (p *Params) Version() []Used {
	var out []Used
	for _, us := range p.used {
		out = append(out, us...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].Scope < out[j].Scope
	})
	return out
}

// Basis returns the legal basis of the version of key the resolver used.
func (p *Params) Basis(key string) string {
	us := p.used[key]
	if len(us) == 0 {
		return ""
	}
	for _, v := range p.all {
		if v.Program == p.program && v.Key == key && v.Scope == us[0].Scope && v.From == us[0].From {
			return v.Basis
		}
	}
	return ""
}

func atoi64(s string) int64 {
	var n int64
	neg := strings.HasPrefix(s, "-")
	for _, r := range strings.TrimPrefix(s, "-") {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int64(r-'0')
	}
	if neg {
		return -n
	}
	return n
}
