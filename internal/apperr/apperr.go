// Package apperr is the one error type every jisheng layer returns to its
// callers. It carries a small code (mapped to an HTTP status in one place), a
// message an officer can read in Simplified Chinese, and optionally the field
// or row the message is about. Internal causes stay wrapped for the log and
// are never shown to the user.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Code classifies an error by what the caller can do about it.
type Code string

const (
	Invalid      Code = "invalid"      // the request is wrong; fix the named field
	NotFound     Code = "not_found"    // absent or outside the caller's scope (indistinguishable on purpose)
	Forbidden    Code = "forbidden"    // authenticated but not allowed
	Unauthorized Code = "unauthorized" // not signed in or session expired
	Conflict     Code = "conflict"     // stale version or duplicate
	TooLarge     Code = "too_large"    // request body or file over the limit
	Locked       Code = "locked"       // account locked after failed logins
	Unavailable  Code = "unavailable"  // database busy; retry later
	Internal     Code = "internal"     // a bug or an outage; details only in the log
)

// Error is the error type of the application.
type Error struct {
	Code    Code
	Message string // Simplified Chinese, shown to the user
	Field   string // JSON field, CLI flag or column the message is about, if any
	Row     int    // 1-based row of an import file, if any
	Err     error  // underlying cause, for logs only
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and a user message.
func New(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

// Newf formats the user message.
func Newf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidField reports a bad value in a named field.
func InvalidField(field, msg string) *Error {
	return &Error{Code: Invalid, Field: field, Message: msg}
}

// Wrap marks err as internal unless it already is an *Error.
func Wrap(err error, context string) error {
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		return err
	}
	return &Error{Code: Internal, Message: "系统内部错误", Err: fmt.Errorf("%s: %w", context, err)}
}

// NotFoundf is the answer for records that are absent or outside scope.
func NotFoundf(format string, args ...any) *Error {
	return Newf(NotFound, format, args...)
}

// As returns the *Error inside err, or an internal error wrapping it.
func As(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	return &Error{Code: Internal, Message: "系统内部错误", Err: err}
}

// CodeOf returns the code of err (Internal for foreign errors, "" for nil).
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return As(err).Code
}

// Status maps a code to its HTTP status: the only place this mapping lives.
func Status(code Code) int {
	switch code {
	case Invalid:
		return http.StatusBadRequest
	case NotFound:
		return http.StatusNotFound
	case Forbidden:
		return http.StatusForbidden
	case Unauthorized:
		return http.StatusUnauthorized
	case Conflict:
		return http.StatusConflict
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case Locked:
		return http.StatusLocked
	case Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}
