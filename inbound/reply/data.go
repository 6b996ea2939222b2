package reply

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// jsonObject decodes b as a JSON object, numbers kept as json.Number.
func jsonObject(b []byte) map[string]any {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	m, _ := v.(map[string]any)
	return m
}

// textData reads text as JSON, else as the first document of a YAML
// stream, and returns it when it is a mapping. Text over the limits of
// [Reply.Data] is not read.
func textData(text string) map[string]any {
	t := strings.TrimSpace(text)
	if t == "" || len(t) > maxDataText || strings.Count(t, "\n") >= maxDataLines {
		return nil
	}
	if strings.HasPrefix(t, "{") {
		if m := jsonObject([]byte(t)); m != nil {
			return m
		}
	}
	// The YAML decoder checks for duplicate keys in quadratic time: bound
	// the number of possible keys (each needs a ":", a "," or a "?").
	if strings.Count(t, ":")+strings.Count(t, ",")+strings.Count(t, "?") > maxDataKeys {
		return nil
	}
	dec := yaml.NewDecoder(strings.NewReader(t))
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	m, _ := stringKeys(v, 0).(map[string]any)
	for k := range m {
		if !keyLike(k) {
			return nil // prose with a colon ("See below, as agreed: …"), not data
		}
	}
	if len(m) == 1 {
		for _, v := range m {
			if s, ok := v.(string); ok && len(strings.Fields(s)) >= 5 && strings.ContainsAny(s[len(s)-1:], ".!?") {
				return nil // one sentence after a colon ("Checked: the car is fine.")
			}
		}
	}
	return m
}

// keyLike reports whether a mapping key read from free text looks like a
// field name: at most four words and 40 bytes, without sentence
// punctuation.
func keyLike(k string) bool {
	return len(k) <= 40 && len(strings.Fields(k)) <= 4 && !strings.ContainsAny(k, ",;.!?()\n")
}

// stringKeys turns YAML mappings with non-string keys into
// map[string]any, as JSON would have them.
func stringKeys(v any, depth int) any {
	if depth > 100 {
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = stringKeys(e, depth+1)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = stringKeys(e, depth+1)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = stringKeys(e, depth+1)
		}
		return x
	}
	return v
}

// Get returns the value at key in r.Data, and whether it is there. Keys
// are matched as the seed article asks people to be met: ignoring case,
// and taking any run of spaces and punctuation as one separator, so that
// "Plate Number" finds "plate_number" and "plate-number". A dotted key
// ("vehicle.plate_number") walks into nested mappings. An exact match
// wins over a loose one.
func (r *Reply) Get(key string) (any, bool) {
	if r == nil || r.Data == nil {
		return nil, false
	}
	var cur any = r.Data
	for _, seg := range strings.Split(key, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok := m[seg]; ok {
			cur = v
			continue
		}
		want := looseKey(seg)
		best := ""
		found := false
		for k := range m {
			if looseKey(k) == want && (!found || k < best) {
				best, found = k, true // the smallest key: the same answer every time
			}
		}
		if !found {
			return nil, false
		}
		cur = m[best]
	}
	return cur, true
}

// looseKey lower-cases s and turns each run of non-letters and
// non-digits into one "_", trimmed at both ends.
func looseKey(s string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(r)
			continue
		}
		sep = true
	}
	return b.String()
}
