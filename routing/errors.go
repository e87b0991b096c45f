package routing

import (
	"errors"
	"fmt"
)

// Application error codes. The HTTP layer maps them to statuses (EINVALID 400,
// ENOTFOUND 404, ECONFLICT 409, EFORBIDDEN 403 — or 404 on the department API, so
// that a department cannot learn that another's case exists) and the CLI to exit codes.
const (
	EINVALID   = "invalid"   // bad input: missing reason, unknown satisfaction, too many days
	ENOTFOUND  = "not_found" // no such case
	ECONFLICT  = "conflict"  // not allowed in the case's current state, or changed by someone else
	EFORBIDDEN = "forbidden" // the actor may not do this (another department's case, wrong role)
	EINTERNAL  = "internal"  // anything else: storage failure, a bug
)

// Error is an application error: a code for programs and a Chinese message safe to
// show a resident or a clerk. Wrapped causes stay out of the message.
type Error struct {
	Code    string
	Message string
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("routing error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any
// other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the message of the first *Error in err's chain, a generic
// message for any other error (its text may hold internals) and "" for nil.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	default:
		return "内部错误"
	}
}
