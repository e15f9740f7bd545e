package httpx

import (
	"bytes"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"

	"jisheng/internal/apperr"
)

// An upload over the limit is refused as too large without being read
// whole; other malformed uploads are refused naming the field "file".
func TestReceiveFile(t *testing.T) {
	upload := func(field string, data []byte) (*bytes.Buffer, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		w, _ := mw.CreateFormFile(field, "x.csv")
		w.Write(data)
		mw.Close()
		return &buf, mw.FormDataContentType()
	}
	cases := []struct {
		name  string
		field string
		data  []byte
		ct    string
		code  apperr.Code
	}{
		{"within the limit", "file", bytes.Repeat([]byte("a"), 64), "", ""},
		{"over the limit", "file", bytes.Repeat([]byte("a"), 65), "", apperr.TooLarge},
		{"empty", "file", nil, "", apperr.Invalid},
		{"other field", "upload", []byte("a"), "", apperr.Invalid},
		{"not multipart", "file", []byte("a"), "application/json", apperr.Invalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, ct := upload(c.field, c.data)
			if c.ct != "" {
				ct = c.ct
			}
			r := httptest.NewRequest("POST", "/", body)
			r.Header.Set("Content-Type", ct)
			data, err := ReceiveFile(r, 64)
			if apperr.CodeOf(err) != c.code {
				t.Fatalf("error %v, want code %q", err, c.code)
			}
			if err == nil && len(data) != len(c.data) {
				t.Fatalf("read %d bytes of %d", len(data), len(c.data))
			}
			if err != nil && apperr.As(err).Field != "file" {
				t.Fatalf("error %v does not name the field", err)
			}
			if c.code == apperr.TooLarge && !strings.Contains(apperr.As(err).Message, "MB") {
				t.Fatalf("message %q", apperr.As(err).Message)
			}
		})
	}
}
