package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ErrData marks a sample data file that is not exactly one JSON object.
var ErrData = errors.New("templates: bad data file")

// ParseData parses the contents b of a data file, named name in errors:
// exactly one JSON object, with numbers kept as written (json.Number), so
// that 9007199254740993 and 1234567 reach every part unchanged. A leading
// UTF-8 byte order mark, which some editors write, is skipped. The error
// of a malformed file is an *Error naming name:line:col and wrapping
// [ErrData].
func ParseData(name string, b []byte) (map[string]any, error) {
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	src := newSource(name, string(b))
	fail := func(off int, format string, args ...any) error {
		return src.errorf(min(max(off, 0), len(b)), ErrData, fmt.Sprintf(format, args...))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, fail(int(se.Offset)-1, "invalid JSON: %v", err) // Offset is just past the bad byte
		case errors.As(err, &te):
			return nil, fail(int(te.Offset), "invalid JSON: %v", err)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fail(len(b), "invalid JSON: the file ends inside a value")
		case errors.Is(err, io.EOF):
			return nil, fail(0, "empty, want a JSON object")
		}
		return nil, fail(0, "invalid JSON: %v", err)
	}
	if dec.More() {
		return nil, fail(int(dec.InputOffset()), "more than one JSON value")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fail(0, "data must be a JSON object, not %s", jsonKind(v))
	}
	return m, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}
