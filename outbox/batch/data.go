package batch

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// decodeData decodes a record's "data" object as encoding/json's Decoder
// with UseNumber does (maps, slices, strings, json.Number, bools, nil),
// in one pass over the bytes: the record's line has been scanned whole
// already, and decoding the data through a Decoder scanned it twice more.
// Anything it does not take on — a string with an escape or a byte that
// is not UTF-8, deep nesting, anything malformed — it hands to
// encoding/json, whose result and error messages it keeps.
func decodeData(raw []byte) (any, error) {
	d := dataDecoder{b: raw}
	v, ok := d.value(0)
	if ok {
		d.space()
		ok = d.i == len(d.b)
	}
	if !ok {
		var v any
		dd := json.NewDecoder(bytes.NewReader(raw))
		dd.UseNumber()
		if err := dd.Decode(&v); err != nil {
			return nil, err
		}
		return v, nil
	}
	return v, nil
}

// maxDataDepth is the nesting decodeData takes on itself.
const maxDataDepth = 1000

type dataDecoder struct {
	b []byte
	i int
}

func (d *dataDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value decodes the value at d.i; ok is false when decodeData should hand
// the whole to encoding/json.
func (d *dataDecoder) value(depth int) (v any, ok bool) {
	d.space()
	if d.i >= len(d.b) || depth > maxDataDepth {
		return nil, false
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		s, ok := d.str()
		return s, ok
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case d.literal("true"):
		return true, true
	case d.literal("false"):
		return false, true
	case d.literal("null"):
		return nil, true
	}
	return nil, false
}

func (d *dataDecoder) literal(word string) bool {
	if !bytes.HasPrefix(d.b[d.i:], []byte(word)) {
		return false
	}
	d.i += len(word)
	return true
}

func (d *dataDecoder) object(depth int) (any, bool) {
	m := map[string]any{}
	d.i++ // {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return m, true
	}
	for {
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, false
		}
		k, ok := d.str()
		if !ok {
			return nil, false
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return nil, false
		}
		d.i++
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		m[k] = v
		d.space()
		if d.i >= len(d.b) {
			return nil, false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return m, true
		default:
			return nil, false
		}
	}
}

func (d *dataDecoder) array(depth int) (any, bool) {
	a := []any{}
	d.i++ // [
	d.space()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return a, true
	}
	for {
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		d.space()
		if d.i >= len(d.b) {
			return nil, false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return a, true
		default:
			return nil, false
		}
	}
}

// str decodes a string without escapes whose bytes are UTF-8 and not
// control characters; any other string is not ok.
func (d *dataDecoder) str() (string, bool) {
	start := d.i + 1
	for j := start; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			s := d.b[start:j]
			if !utf8.Valid(s) {
				return "", false
			}
			d.i = j + 1
			return string(s), true
		case c == '\\' || c < 0x20:
			return "", false
		}
	}
	return "", false
}

// number takes a number in JSON's grammar (RFC 8259 §6) as json.Number.
func (d *dataDecoder) number() (any, bool) {
	b, i := d.b, d.i
	digits := func() bool {
		s := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > s
	}
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return nil, false
		}
	}
	n := json.Number(b[d.i:i])
	d.i = i
	return n, true
}
