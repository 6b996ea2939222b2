package templates

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Normalize returns data in the plain JSON form the engine reads:
// map[string]any, []any, string, json.Number, float64, bool, nil and Go
// integers. Data already in that form is returned as is (not copied);
// anything else goes through encoding/json and back with UseNumber, so
// structs are seen through their JSON field names and numbers keep their
// spelling.
func Normalize(data any) (any, error) {
	if isPlain(data, 0) {
		return data, nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("templates: data: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("templates: data: %w", err)
	}
	return out, nil
}

// maxDataDepth bounds the recursion over data; deeper data is normalized
// through encoding/json, which has its own limit.
const maxDataDepth = 100

func isPlain(v any, depth int) bool {
	if depth > maxDataDepth {
		return false
	}
	switch v := v.(type) {
	case nil, string, json.Number, bool, int, int64, int32, uint, uint64, uint32:
		return true
	case float64:
		return !math.IsNaN(v) && !math.IsInf(v, 0)
	case map[string]any:
		for _, x := range v {
			if !isPlain(x, depth+1) {
				return false
			}
		}
		return true
	case []any:
		for _, x := range v {
			if !isPlain(x, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// FormatValue returns the text of a plain scalar value: strings as is,
// json.Number verbatim, floats without exponent (strconv 'f', -1), integers
// in decimal, booleans as "true"/"false", null as "". ok is false for
// objects and lists, which have no text form.
func FormatValue(v any) (s string, ok bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	case nil:
		return "", true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case int32:
		return strconv.FormatInt(int64(v), 10), true
	case uint:
		return strconv.FormatUint(uint64(v), 10), true
	case uint64:
		return strconv.FormatUint(v, 10), true
	case uint32:
		return strconv.FormatUint(uint64(v), 10), true
	}
	return "", false
}

// Truthy reports whether a section over v is shown: null, false, "", an
// empty list and the number zero are falsey; everything else (including an
// empty object) is truthy.
func Truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		return err != nil || f != 0
	case float64:
		return v != 0
	case int:
		return v != 0
	case int64:
		return v != 0
	case int32:
		return v != 0
	case uint:
		return v != 0
	case uint64:
		return v != 0
	case uint32:
		return v != 0
	}
	return true
}

// child returns v[key] for an object, or v[index] for a list.
func child(v any, key string) (any, bool) {
	switch v := v.(type) {
	case map[string]any:
		x, ok := v[key]
		return x, ok
	case []any:
		i, err := strconv.Atoi(key)
		if err != nil || i < 0 || i >= len(v) || key[0] == '+' {
			return nil, false
		}
		return v[i], true
	}
	return nil, false
}

// lookup resolves a dotted path against a context stack, as the Mustache
// spec says: the first segment is searched from the innermost context
// outwards, the rest only inside what it found.
func lookup(stack []any, path []string) (any, bool) {
	if path == nil {
		return stack[len(stack)-1], true
	}
	var cur any
	found := false
	for i := len(stack) - 1; i >= 0; i-- {
		if x, ok := child(stack[i], path[0]); ok {
			cur, found = x, true
			break
		}
	}
	if !found {
		return nil, false
	}
	for _, seg := range path[1:] {
		x, ok := child(cur, seg)
		if !ok {
			return nil, false
		}
		cur = x
	}
	return cur, true
}
