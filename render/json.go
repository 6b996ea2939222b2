package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// errNotPlain reports data that is not in plain form (see
// templates.Normalize); the caller normalizes it and encodes again.
var errNotPlain = errors.New("render: data not in plain form")

// maxJSONDepth bounds nesting in data.
const maxJSONDepth = 100

// encodeJSON writes plain data (see templates.Normalize) as indented JSON
// with sorted keys, numbers as given, UTF-8 unescaped except where JSON
// requires, and a final newline. hint is the expected size.
func encodeJSON(v any, hint int) ([]byte, error) {
	b := make([]byte, 0, max(hint+64, 512))
	b, err := appendJSON(b, v, 0)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func indent(b []byte, depth int) []byte {
	b = append(b, '\n')
	for range depth {
		b = append(b, ' ', ' ')
	}
	return b
}

func appendJSON(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("render: data nested more than %d levels deep", maxJSONDepth)
	}
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case string:
		return appendJSONString(b, v), nil
	case json.Number:
		if !validNumber(string(v)) {
			return nil, fmt.Errorf("render: data: invalid number %q", string(v))
		}
		return append(b, v...), nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("render: data: number %v has no JSON form", v)
		}
		return strconv.AppendFloat(b, v, 'f', -1, 64), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case int32:
		return strconv.AppendInt(b, int64(v), 10), nil
	case uint:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case uint64:
		return strconv.AppendUint(b, v, 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10), nil
	case []any:
		return appendJSONList(b, v, depth)
	case map[string]any:
		return appendJSONObject(b, v, depth)
	}
	return nil, errNotPlain
}

func appendJSONList(b []byte, v []any, depth int) ([]byte, error) {
	if len(v) == 0 {
		return append(b, "[]"...), nil
	}
	var err error
	b = append(b, '[')
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = indent(b, depth+1)
		if b, err = appendJSON(b, x, depth+1); err != nil {
			return nil, err
		}
	}
	return append(indent(b, depth), ']'), nil
}

// appendJSONObject writes v with its keys sorted, as encoding/json does.
func appendJSONObject(b []byte, v map[string]any, depth int) ([]byte, error) {
	if len(v) == 0 {
		return append(b, "{}"...), nil
	}
	var buf [32]string // no allocation for the keys of a small object
	keys := buf[:0]
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var err error
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = indent(b, depth+1)
		b = appendJSONString(b, k)
		b = append(b, ':', ' ')
		if b, err = appendJSON(b, v[k], depth+1); err != nil {
			return nil, err
		}
	}
	return append(indent(b, depth), '}'), nil
}

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[last:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			}
			i++
			last = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, s[last:i]...)
			b = append(b, `\ufffd`...)
			i++
			last = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[last:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&15])
			i += n
			last = i
			continue
		}
		i += n
	}
	b = append(b, s[last:]...)
	return append(b, '"')
}

// validNumber reports whether s is a JSON number (RFC 8259 section 6).
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	return i == len(s)
}
