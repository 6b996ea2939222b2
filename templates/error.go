package templates

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors wrapped by [Error] values; test them with errors.Is.
var (
	// ErrTooLarge reports a template, value or output over a size limit.
	ErrTooLarge = errors.New("too large")
	// ErrMissingValue reports a placeholder with no value in the data.
	ErrMissingValue = errors.New("missing value")
	// ErrUnsupported reports template syntax that mailtrail refuses on
	// purpose: partials, delimiter changes, inheritance.
	ErrUnsupported = errors.New("unsupported tag")
	// ErrSyntax reports any other malformed template text.
	ErrSyntax = errors.New("syntax error")
)

// Error describes a problem at a position in a template file.
type Error struct {
	File      string // the template's file name (its path inside the fs.FS)
	Line, Col int    // 1-based; Col counts runes
	Msg       string // lowercase, no final period
	Err       error  // optional sentinel or cause, returned by Unwrap
}

// Error returns "file:line:col: msg".
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Unwrap returns the sentinel or cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// ErrorList is every problem found in one template, in source order.
// errors.As finds a single *Error inside it too.
type ErrorList []*Error

// Error returns one "file:line:col: msg" line per problem.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the individual errors, so errors.Is and errors.As look
// inside the list.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}
