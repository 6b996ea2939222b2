// Package batch is the batch engine: it reads a file of records (one JSON
// object a line, JSON Lines), renders one message per record on every
// core, enqueues them into an outbox in groups (or sends them directly),
// and writes the report of what became of each record. A batch run again
// after a crash skips what an earlier run enqueued or sent, and each
// record keeps its Message-ID from run to run. It holds a bounded number
// of records at a time: memory does not grow with the batch.
//
// A record is {"to": ADDRESS or [ADDRESS, …], "resource": ID, "data": {…}},
// with optional "cc" and "bcc" (an address or a list), "headers" (an
// object of extra header fields, as mailer.Message.Header) and "locale".
// Blank lines are skipped; every other line is one record, numbered from
// 1 by its line in the file, and a line that is not a valid record is
// given back with its error rather than stopping the batch.
package batch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mailtrail/mailtrail/mailer"
)

// MaxLine is the longest line a record may take, in octets.
const MaxLine = 1 << 20

// Record is one line of a batch file.
type Record struct {
	Line     int               // 1-based line number in the file
	To       []string          // recipients, at least one
	Cc, Bcc  []string          // more recipients, or nil
	Header   map[string]string // extra header fields, or nil
	Resource string            // the resource id; "" lets the mailer make one
	Locale   string            // the template variant, or ""
	Data     any               // the data object, numbers as json.Number
	Err      error             // why the line is not a usable record, or nil
}

// Message is the message of the record: template, with the record's
// locale or else locale, its recipients, header fields, resource and data.
func (rec *Record) Message(template, locale string) *mailer.Message {
	if rec.Locale != "" {
		locale = rec.Locale
	}
	return &mailer.Message{Template: template, Locale: locale, To: rec.To, Cc: rec.Cc, Bcc: rec.Bcc,
		Header: rec.Header, Resource: rec.Resource, Data: rec.Data}
}

// Reader reads records one at a time. It is not safe for concurrent use.
type Reader struct {
	r    *bufio.Reader
	line int
}

// NewReader returns a Reader of the records in r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the next record, io.EOF after the last, or an error reading
// the input. A line that is not a valid record comes back as a Record with
// Err set (a *LineError) and its Line, so that the caller can report it and
// go on.
func (r *Reader) Next() (*Record, error) {
	for {
		line, tooLong, err := r.readLine()
		if err != nil && err != io.EOF {
			return nil, err
		}
		if err == io.EOF && len(line) == 0 && !tooLong {
			return nil, io.EOF
		}
		r.line++
		if tooLong {
			return &Record{Line: r.line, Err: &LineError{Line: r.line, Msg: fmt.Sprintf("line longer than %d octets", MaxLine)}}, nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		return parseRecord(r.line, line), nil
	}
}

// readLine reads one line without its end; a line over MaxLine is read to
// its end and dropped. err is nil, io.EOF (a last line without a line end,
// or nothing), or a read error.
func (r *Reader) readLine() (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := r.r.ReadSlice('\n')
		if !tooLong {
			buf = append(buf, chunk...)
			if len(buf) > MaxLine+2 {
				tooLong, buf = true, nil
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err != nil && err != io.EOF:
			return nil, false, err
		}
		buf = bytes.TrimSuffix(bytes.TrimSuffix(buf, []byte("\n")), []byte("\r"))
		return buf, tooLong, err
	}
}

// LineError is a record that cannot be used.
type LineError struct {
	Line int
	Msg  string
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// rawRecord is a record as written.
type rawRecord struct {
	To       json.RawMessage `json:"to"`
	Cc       json.RawMessage `json:"cc"`
	Bcc      json.RawMessage `json:"bcc"`
	Headers  json.RawMessage `json:"headers"`
	Resource *string         `json:"resource"`
	Locale   string          `json:"locale"`
	Data     json.RawMessage `json:"data"`
}

// parseRecord reads the record on line n. A line that is not a valid
// record keeps what was read before the problem (the report shows its
// recipients) and says what is wrong in Err.
func parseRecord(n int, line []byte) *Record {
	rec := &Record{Line: n}
	raw, msg := decodeRecord(line)
	if msg == "" {
		msg = rec.setAddresses(&raw)
	}
	if msg == "" {
		msg = rec.setContent(&raw)
	}
	if msg != "" {
		rec.Err = &LineError{Line: n, Msg: msg}
	}
	return rec
}

// decodeRecord decodes a line as one JSON object; msg says why it is not
// one, "" when it is.
func decodeRecord(line []byte) (raw rawRecord, msg string) {
	if line = bytes.TrimSpace(line); line[0] != '{' {
		return raw, "not a JSON object"
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&raw); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			return raw, fmt.Sprintf("field %q: want %s, got JSON %s", ute.Field, kindName(ute.Type.Kind().String()), ute.Value)
		}
		return raw, fmt.Sprintf("not a JSON object: %v", err)
	}
	if dec.More() {
		return raw, "more than one JSON value on the line"
	}
	return raw, ""
}

// setAddresses sets To, Cc and Bcc from raw; the result says what is
// wrong with them, "" when nothing is.
func (rec *Record) setAddresses(raw *rawRecord) string {
	if len(raw.To) == 0 || string(raw.To) == "null" {
		return `missing "to"`
	}
	var msg string
	if rec.To, msg = addresses("to", raw.To); msg != "" {
		return msg
	}
	if len(rec.To) == 0 {
		return `"to" is an empty list`
	}
	if rec.Cc, msg = addresses("cc", raw.Cc); msg != "" {
		return msg
	}
	rec.Bcc, msg = addresses("bcc", raw.Bcc)
	return msg
}

// setContent sets Header, Resource, Locale and Data from raw; the result
// says what is wrong with them, "" when nothing is.
func (rec *Record) setContent(raw *rawRecord) string {
	if len(raw.Headers) > 0 && string(raw.Headers) != "null" {
		if err := json.Unmarshal(raw.Headers, &rec.Header); err != nil || raw.Headers[0] != '{' {
			return `"headers" must be an object of strings, {"X-Name": "value"}`
		}
	}
	if raw.Resource != nil {
		rec.Resource = *raw.Resource
		if rec.Resource == "" {
			return `"resource" is empty (leave it out to make a new id)`
		}
	}
	rec.Locale = raw.Locale
	if len(raw.Data) == 0 || string(raw.Data) == "null" {
		return `missing "data"`
	}
	if raw.Data[0] != '{' {
		return `"data" must be a JSON object`
	}
	data, err := decodeData(raw.Data)
	if err != nil {
		return fmt.Sprintf(`"data": %v`, err)
	}
	rec.Data = data
	return ""
}

// addresses reads an address or a list of addresses; msg says what is
// wrong with them, "" when nothing is. A missing field is nil.
func addresses(field string, raw json.RawMessage) ([]string, string) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, ""
	}
	var list []string
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		list = []string{one}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Sprintf("%q must be an address or a list of addresses", field)
	}
	for i, a := range list {
		list[i] = strings.TrimSpace(a)
		if list[i] == "" {
			return nil, fmt.Sprintf("%q holds an empty address", field)
		}
	}
	return list, ""
}

func kindName(k string) string {
	if k == "slice" {
		return "a list"
	}
	return "a " + k
}
