// Package mbox writes and reads mbox files in the mboxrd variant (RFC 4155,
// and the "mboxrd" quoting described at qmail's mbox(5)): each message starts
// with a "From " separator line naming the envelope sender and a date, and any
// body line that matches ">*From " gets one more ">" so that reading it back
// restores the original line exactly.
//
// Lines are stored with LF endings, the local Unix convention RFC 4155 asks
// for: a message's CRLF line endings are written as LF, and [Reader] gives
// them back as CRLF, so a message written and read again is byte-for-byte the
// one that was written when it used CRLF throughout (as RFC 5322 requires).
//
// The package streams: [Writer] holds no more than one line of a message, and
// [Reader] one message. It does not lock files (no dotlock, no fcntl): it is
// meant for files one process writes, such as "mailtrail render --batch".
package mbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ErrFormat reports input that is not an mbox file: it does not start with a
// "From " separator line.
var ErrFormat = errors.New("mbox: not an mbox file (no From_ line at the start)")

// Writer writes messages to an mbox stream. Its zero value is not usable: use
// [NewWriter]. A Writer is not safe for concurrent use.
type Writer struct {
	w   *bufio.Writer
	err error
}

// NewWriter returns a Writer that writes to w, buffered. Call [Writer.Flush]
// when done.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10)}
}

// WriteMessage appends one message: a separator line "From SENDER DATE", the
// message with its CRLF endings turned into LF and its ">*From " lines quoted
// with one more ">", then an empty line. sender is the envelope sender; empty,
// or one containing white space or a control character, is written as
// "MAILER-DAEMON". The date is t in UTC, in asctime format.
func (w *Writer) WriteMessage(sender string, t time.Time, msg []byte) error {
	if w.err != nil {
		return w.err
	}
	if sender == "" || strings.ContainsFunc(sender, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		sender = "MAILER-DAEMON"
	}
	fmt.Fprintf(w.w, "From %s %s\n", sender, t.UTC().Format(time.ANSIC))
	for len(msg) > 0 {
		line := msg
		rest := []byte(nil)
		if i := bytes.IndexByte(msg, '\n'); i >= 0 {
			line, rest = msg[:i], msg[i+1:]
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if isFromLine(line) {
			w.w.WriteByte('>')
		}
		w.w.Write(line)
		w.w.WriteByte('\n')
		msg = rest
	}
	// The empty line that ends every message (RFC 4155 §2).
	_, w.err = w.w.WriteString("\n")
	return w.err
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	w.err = w.w.Flush()
	return w.err
}

// isFromLine reports whether line matches ">*From ", the lines mboxrd quotes.
func isFromLine(line []byte) bool {
	line = bytes.TrimLeft(line, ">")
	return bytes.HasPrefix(line, []byte("From "))
}
