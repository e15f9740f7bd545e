// Package web embeds the built web app (web/dist, produced by `make` with
// Vite) and serves it: hashed assets cached for a year, everything else
// answered with index.html so the app's own router handles the path.
//
// Village officers often work on a phone over a weak network, so text assets
// are gzip-compressed once at start-up and sent compressed to every browser
// that accepts it.
package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed all:dist
var dist embed.FS

type asset struct {
	body, gz    []byte
	contentType string
}

// Handler serves the app. It answers 503 with a short Chinese page when the
// binary was built without the app (go build without make).
func Handler() http.Handler {
	assets := load()
	index, ok := assets["index.html"]
	if !ok {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("<!doctype html><meta charset=utf-8><p>本程序未包含网页界面，请用 make build 构建。</p>"))
		})
	}
	started := time.Now()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "不支持的请求方法", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		a, found := assets[name]
		switch {
		case found && strings.HasPrefix(name, "assets/"):
			// Vite puts a content hash in every asset name.
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		case found:
			w.Header().Set("Cache-Control", "no-cache")
		case strings.HasPrefix(name, "assets/") || path.Ext(name) != "":
			http.NotFound(w, r)
			return
		default:
			a = index
			w.Header().Set("Cache-Control", "no-cache")
		}
		serve(w, r, a, started)
	})
}

func serve(w http.ResponseWriter, r *http.Request, a asset, modified time.Time) {
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Add("Vary", "Accept-Encoding")
	body := a.body
	if a.gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		body = a.gz
	}
	http.ServeContent(w, r, "", modified, bytes.NewReader(body))
}

func load() map[string]asset {
	out := map[string]asset{}
	_ = fs.WalkDir(dist, "dist", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := dist.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "dist/")
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = "application/octet-stream"
		}
		a := asset{body: body, contentType: ct}
		if compressible(ct) && len(body) > 1024 {
			a.gz = gzipped(body)
		}
		out[name] = a
		return nil
	})
	return out
}

func compressible(ct string) bool {
	for _, p := range []string{"text/", "application/javascript", "application/json", "image/svg"} {
		if strings.HasPrefix(ct, p) {
			return true
		}
	}
	return false
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
