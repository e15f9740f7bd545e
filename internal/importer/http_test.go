package importer_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jisheng/internal/auth"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/importer"
	"jisheng/internal/testfix"
)

// TestUploadLimits: an upload over the configured limit is refused before
// any job starts, and so is a request without a file part.
func TestUploadLimits(t *testing.T) {
	e := setup(t, dbtest.SQLite(t))
	h := importer.NewHandlers(e.im, 100)
	post := func(part string, data []byte) *httptest.ResponseRecorder {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile(part, "人员.csv")
		fw.Write(data)
		mw.Close()
		r := httptest.NewRequest(http.MethodPost, "/api/v1/import/jobs?type=persons", &body)
		r.Header.Set("Content-Type", mw.FormDataContentType())
		r = r.WithContext(auth.WithPrincipal(r.Context(), testfix.Principal(auth.RoleCounty, testfix.County)))
		w := httptest.NewRecorder()
		h.Start(w, r)
		return w
	}
	cases := []struct {
		name   string
		part   string
		data   []byte
		status int
		want   string
	}{
		{"over the limit", "file", bytes.Repeat([]byte("a"), 101), http.StatusRequestEntityTooLarge, "大小上限"},
		{"no file part", "other", []byte("x"), http.StatusBadRequest, "没有收到文件"},
	}
	for _, c := range cases {
		w := post(c.part, c.data)
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.want) {
			t.Errorf("%s: %d %s", c.name, w.Code, w.Body.String())
		}
		var e struct {
			Error struct {
				Field string `json:"field"`
			} `json:"error"`
		}
		json.Unmarshal(w.Body.Bytes(), &e)
		if e.Error.Field != "file" {
			t.Errorf("%s: field %q", c.name, e.Error.Field)
		}
	}
}
