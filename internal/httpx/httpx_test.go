package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jisheng/internal/apperr"
)

type Embedded struct {
	Inner string `json:"inner"`
}

type sample struct {
	Embedded
	Name  string `json:"name"`
	Age   int    `json:"age"`
	Tags  []int  `json:"tags"`
	Valid bool   `json:"valid"`
}

func decode(body, contentType string) (sample, error) {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	var s sample
	err := DecodeJSON(httptest.NewRecorder(), r, &s)
	return s, err
}

func TestDecodeJSON(t *testing.T) {
	cases := []struct {
		name, body, ct string
		code           apperr.Code
		field, msg     string
	}{
		{"ok", `{"name":"张三","age":3}`, "application/json; charset=utf-8", "", "", ""},
		{"empty", ``, "", apperr.Invalid, "", "为空"},
		{"syntax", `{"name":}`, "", apperr.Invalid, "", "不是有效的 JSON"},
		{"truncated", `{"name":"张`, "", apperr.Invalid, "", "不完整"},
		{"unknown field", `{"nmae":"x"}`, "", apperr.Invalid, "nmae", "不认识的字段"},
		{"string for int", `{"age":"3"}`, "", apperr.Invalid, "age", "数字"},
		{"int for string", `{"name":3}`, "", apperr.Invalid, "name", "文本"},
		{"object for array", `{"tags":{}}`, "", apperr.Invalid, "tags", "数组"},
		{"embedded field", `{"inner":5}`, "", apperr.Invalid, "inner", "文本"},
		{"not an object", `[1,2]`, "", apperr.Invalid, "", "JSON 对象"},
		{"two objects", `{"name":"a"}{"name":"b"}`, "", apperr.Invalid, "", "只能包含一个"},
		{"form content type", `name=a`, "application/x-www-form-urlencoded", apperr.Invalid, "", "application/json"},
		{"too large", `{"name":"` + strings.Repeat("a", MaxBody) + `"}`, "", apperr.TooLarge, "", "上限"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decode(c.body, c.ct)
			if c.code == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			ae := apperr.As(err)
			if ae.Code != c.code || ae.Field != c.field || !strings.Contains(ae.Message, c.msg) {
				t.Fatalf("got %+v, want code %s field %q message containing %q", ae, c.code, c.field, c.msg)
			}
		})
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"name":"x"}`, `{`, `[]`, `{"age":1e99}`, `{"tags":[1,"a"]}`, "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		_, err := decode(body, "")
		if err != nil {
			ae := apperr.As(err)
			if ae.Code == apperr.Internal || ae.Message == "" {
				t.Fatalf("bad input gave an internal or empty error: %+v", ae)
			}
		}
	})
}

func TestPageParams(t *testing.T) {
	cases := []struct {
		q          string
		page, size int
		field      string
	}{
		{"", 1, 20, ""},
		{"page=3&size=100", 3, 100, ""},
		{"page=0", 0, 0, "page"},
		{"size=101", 0, 0, "size"},
		{"size=-1", 0, 0, "size"},
		{"page=abc", 0, 0, "page"},
	}
	for _, c := range cases {
		p, err := PageParams(httptest.NewRequest("GET", "/?"+c.q, nil))
		if c.field != "" {
			if apperr.As(err).Field != c.field {
				t.Errorf("%q: err %v, want field %s", c.q, err, c.field)
			}
			continue
		}
		if err != nil || p.Page != c.page || p.Size != c.size {
			t.Errorf("%q: %+v %v", c.q, p, err)
		}
	}
}

func TestWriteErrorHidesInternals(t *testing.T) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/", nil)
	WriteError(w, r, apperr.Wrap(http.ErrBodyNotAllowed, "secret table persons"))
	if w.Code != 500 || strings.Contains(w.Body.String(), "secret") || !strings.Contains(w.Body.String(), "系统内部错误") {
		t.Fatalf("internal error answer: %d %s", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	WriteError(w, r, apperr.InvalidField("name", "请填写姓名"))
	if w.Code != 400 || !strings.Contains(w.Body.String(), `"field":"name"`) {
		t.Fatalf("field error answer: %d %s", w.Code, w.Body.String())
	}
}

func TestStackRecoversPanics(t *testing.T) {
	h := Stack(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") }), discardLogger())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/x", nil))
	if w.Code != 500 || w.Header().Get("Content-Security-Policy") == "" || !strings.Contains(w.Body.String(), "系统内部错误") {
		t.Fatalf("panic answer: %d %v %s", w.Code, w.Header(), w.Body.String())
	}
}
