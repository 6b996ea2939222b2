package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/mailtrail/mailtrail/internal/bytesize"
)

// ErrData marks a sample data file that is not exactly one JSON object.
var ErrData = errors.New("templates: bad data file")

// DefaultMaxData is the largest data file [ReadData] accepts when given
// no limit: 16 MiB, far more than the data of one message, and small
// enough that decoding it (several times its size in memory) stays cheap.
const DefaultMaxData = 16 << 20

// ErrDataTooLarge marks a data file over the size limit of [ReadData]; it
// comes wrapped in a [*DataSizeError].
var ErrDataTooLarge = errors.New("templates: data file too large")

// DataSizeError reports a data file over the limit.
type DataSizeError struct {
	Name  string // the file, as named to ReadData
	Limit int64  // the limit in bytes
}

func (e *DataSizeError) Error() string {
	return fmt.Sprintf("templates: data file %s is larger than the limit of %s", e.Name, bytesize.String(int(e.Limit)))
}

// Unwrap returns [ErrDataTooLarge].
func (e *DataSizeError) Unwrap() error { return ErrDataTooLarge }

// ReadData reads a data file from r, named name in errors, and parses it
// with [ParseData]. It reads at most limit bytes (zero or less means
// [DefaultMaxData]): a larger file is refused with a [*DataSizeError]
// before anything is read when r can tell its size (an *os.File, an
// fs.File), else after reading limit+1 bytes, never more.
func ReadData(name string, r io.Reader, limit int64) (map[string]any, error) {
	if limit <= 0 {
		limit = DefaultMaxData
	}
	if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > limit {
			return nil, &DataSizeError{Name: name, Limit: limit}
		}
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("templates: read data file %s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, &DataSizeError{Name: name, Limit: limit}
	}
	return ParseData(name, b)
}

// ReadDataFile opens the data file path of fsys and reads it with
// [ReadData].
func ReadDataFile(fsys fs.FS, path string, limit int64) (map[string]any, error) {
	f, err := fsys.Open(path)
	if err != nil {
		return nil, fmt.Errorf("templates: data file: %w", err)
	}
	defer f.Close()
	return ReadData(path, f, limit)
}

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
