// Package httpx holds what every HTTP handler of jisheng shares: strict JSON
// decoding with Chinese messages that name the field, the error envelope,
// paging parameters, and the middleware that gives every response security
// headers, a request id and a log line.
package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"jisheng/internal/apperr"
)

// MaxBody is the largest JSON request body accepted (1 MiB); uploads use their own limits.
const MaxBody = 1 << 20

// DecodeJSON reads exactly one JSON object from r's body into dst. Unknown
// fields, trailing data, wrong types and oversized bodies are refused with an
// *apperr.Error naming the field, before anything is written anywhere.
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return apperr.New(apperr.Invalid, "请求内容类型应为 application/json")
	}
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if errors.As(err, new(*http.MaxBytesError)) {
			return jsonError(err)
		}
		return apperr.New(apperr.Invalid, "请求内容只能包含一个 JSON 对象")
	}
	return nil
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "请求内容为空")
	case errors.As(err, &tooBig):
		return apperr.Newf(apperr.TooLarge, "请求内容超过 %d KB 上限", tooBig.Limit/1024)
	case errors.As(err, &syntax):
		return apperr.Newf(apperr.Invalid, "请求内容不是有效的 JSON（第 %d 个字节附近）", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "请求内容不完整，不是有效的 JSON")
	case errors.As(err, &typ):
		field := jsonPath(typ.Field)
		if field == "" {
			return apperr.New(apperr.Invalid, "请求内容应为 JSON 对象")
		}
		return &apperr.Error{Code: apperr.Invalid, Field: field,
			Message: fmt.Sprintf("字段 %s 的类型不正确，应为%s", field, jsonKind(typ.Type.Kind().String()))}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &apperr.Error{Code: apperr.Invalid, Field: field, Message: fmt.Sprintf("不认识的字段 %s", field)}
	}
	return &apperr.Error{Code: apperr.Invalid, Message: "请求内容无法解析", Err: err}
}

// jsonPath drops the names of embedded Go structs from a decoding error's
// field path ("Fields.name" → "name"): API field names are lower case, Go
// type names are not.
func jsonPath(p string) string {
	var keep []string
	for _, part := range strings.Split(p, ".") {
		if part != "" && !unicode.IsUpper(rune(part[0])) {
			keep = append(keep, part)
		}
	}
	return strings.Join(keep, ".")
}

func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "数字"
	case k == "string":
		return "文本"
	case k == "bool":
		return "true 或 false"
	case k == "slice", k == "array":
		return "数组"
	}
	return "对象"
}

// ErrorBody is the JSON envelope of every error answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is what the user and the client code need to act on an error.
type ErrorDetail struct {
	Code      apperr.Code `json:"code"`
	Message   string      `json:"message"`
	Field     string      `json:"field,omitempty"`
	RequestID string      `json:"request_id,omitempty"`
}

// WriteJSON writes v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// Reply ends a handler: the error envelope when err is set, otherwise v
// with status.
func Reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteJSON(w, status, v)
}

// WriteError answers err in the error envelope. Internal errors are logged
// with the request id and shown to the user only as 系统内部错误.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	ae := apperr.As(err)
	rid := RequestID(r.Context())
	if ae.Code == apperr.Internal {
		slog.ErrorContext(r.Context(), "internal error", "request_id", rid, "method", r.Method,
			"path", r.URL.Path, "err", err)
	}
	msg := ae.Message
	if ae.Code == apperr.Internal {
		msg = "系统内部错误，请联系管理员（请求编号 " + rid + "）"
	}
	WriteJSON(w, apperr.Status(ae.Code), ErrorBody{Error: ErrorDetail{
		Code: ae.Code, Message: msg, Field: ae.Field, RequestID: rid}})
}

// List is the envelope of every list answer.
type List[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// Paging is a validated page request.
type Paging struct {
	Page int
	Size int
}

// MaxPageSize bounds one page so a single request cannot pull a whole county.
const MaxPageSize = 100

// PageParams reads page (default 1) and size (default 20, at most 100).
func PageParams(r *http.Request) (Paging, error) {
	p := Paging{Page: 1, Size: 20}
	var err error
	if p.Page, err = intParam(r, "page", 1, 1, 1_000_000); err != nil {
		return p, err
	}
	if p.Size, err = intParam(r, "size", 20, 1, MaxPageSize); err != nil {
		return p, err
	}
	return p, nil
}

func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, apperr.InvalidField(name, fmt.Sprintf("参数 %s 应为 %d 到 %d 之间的整数", name, lo, hi))
	}
	return n, nil
}

// PathID reads a positive integer path value such as {id}; anything else is
// answered as not found, since no record has that id.
func PathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.New(apperr.NotFound, "记录不存在")
	}
	return n, nil
}

// ReceiveFile reads the multipart part "file" into memory, refusing more
// than limit bytes without reading them all.
func ReceiveFile(r *http.Request, limit int64) ([]byte, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, apperr.InvalidField("file", "请以 multipart/form-data 上传文件（字段名 file）")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, apperr.InvalidField("file", "没有收到文件（字段名应为 file）")
		}
		if err != nil {
			return nil, apperr.InvalidField("file", "上传的内容不完整，请重新上传")
		}
		if part.FormName() != "file" {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		switch {
		case err != nil:
			return nil, apperr.InvalidField("file", "上传中断，请重新上传")
		case int64(len(data)) > limit:
			return nil, &apperr.Error{Code: apperr.TooLarge, Field: "file",
				Message: fmt.Sprintf("文件超过大小上限 %d MB", limit>>20)}
		case len(data) == 0:
			return nil, apperr.InvalidField("file", "文件为空")
		}
		return data, nil
	}
}

// Origin is the scheme and host the caller addressed this server by, for
// links printed on paper (a QR code on a notice) that a phone on the same
// network must open. A TLS-terminating proxy in front says so with
// X-Forwarded-Proto.
func Origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// SendFile answers a generated file as a download that no cache keeps.
func SendFile(w http.ResponseWriter, contentType, disposition string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", disposition)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}
