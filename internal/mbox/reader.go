package mbox

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// Message is one message read back from an mbox stream.
type Message struct {
	Separator string // the "From " line without its line ending
	Sender    string // the separator's first word after "From "
	Data      []byte // the message, quoting undone, CRLF line endings
}

// Reader reads messages from an mbox stream one at a time. A Reader is not
// safe for concurrent use.
type Reader struct {
	r    *bufio.Reader
	next []byte // the separator line of the next message, already read
	line int    // lines read so far, for errors
	done bool
}

// NewReader returns a Reader that reads from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the next message, or io.EOF after the last one. A stream that
// does not start with a "From " line gives [ErrFormat]. The empty line that
// ends each message is not part of its Data, and every line of Data ends
// in CRLF.
func (r *Reader) Next() (*Message, error) {
	if r.done {
		return nil, io.EOF
	}
	if r.next == nil {
		sep, err := r.readLine()
		if err == io.EOF && len(sep) == 0 {
			r.done = true
			return nil, io.EOF
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("mbox: line %d: %w", r.line, err)
		}
		if !bytes.HasPrefix(sep, []byte("From ")) {
			r.done = true
			return nil, ErrFormat
		}
		r.next = trimEOL(sep)
	}
	m := &Message{Separator: string(r.next)}
	sender, _, _ := bytes.Cut(r.next[len("From "):], []byte(" "))
	m.Sender = string(sender)
	r.next = nil
	var buf bytes.Buffer
	pendingBlank := false // a blank line may be the separator's, not the message's
	for {
		line, err := r.readLine()
		if len(line) > 0 {
			body := trimEOL(line)
			if bytes.HasPrefix(line, []byte("From ")) && pendingBlank {
				r.next = body
				break
			}
			if pendingBlank {
				buf.WriteString("\r\n")
				pendingBlank = false
			}
			if len(body) == 0 && line[len(line)-1] == '\n' {
				pendingBlank = true
			} else {
				if body[0] == '>' && isFromLine(body) {
					body = body[1:] // undo mboxrd quoting
				}
				buf.Write(body)
				if line[len(line)-1] == '\n' {
					buf.WriteString("\r\n")
				}
			}
		}
		if err == io.EOF {
			r.done = true
			break
		}
		if err != nil {
			return nil, fmt.Errorf("mbox: line %d: %w", r.line, err)
		}
	}
	m.Data = buf.Bytes()
	return m, nil
}

func (r *Reader) readLine() ([]byte, error) {
	line, err := r.r.ReadBytes('\n')
	if len(line) > 0 {
		r.line++
	}
	return line, err
}

func trimEOL(line []byte) []byte {
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r"))
}
