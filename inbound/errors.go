package inbound

import (
	"errors"
	"fmt"
)

// ErrEmpty means the input held no message at all: no bytes, or only
// white space.
var ErrEmpty = errors.New("inbound: empty message")

// ErrUnknownCharset means a declared charset is not known. Text decoded
// with it is still usable: it is read as UTF-8 when valid, else as
// Windows-1252.
var ErrUnknownCharset = errors.New("inbound: unknown charset")

// ErrTooLarge means the message is larger than [Options.MaxSize]. Parse
// returns it wrapped in a [*SizeError].
var ErrTooLarge = errors.New("inbound: message too large")

// SizeError reports a message over the size limit. Parse stops reading at
// the limit, so a huge message costs no more memory than the limit.
type SizeError struct {
	Limit int64 // the limit in bytes that was exceeded
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("inbound: message larger than the limit of %d bytes", e.Limit)
}

// Unwrap returns [ErrTooLarge].
func (e *SizeError) Unwrap() error { return ErrTooLarge }
