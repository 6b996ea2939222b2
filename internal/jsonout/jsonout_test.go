package jsonout

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// reference is what encoding/json writes for v: the output this package
// must match byte for byte.
func reference(t testing.TB, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func encode(t testing.TB, v any) string {
	t.Helper()
	var b bytes.Buffer
	if err := NewWriter(&b, "  ").Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// pieces is a String written in pieces of the given sizes (cycled), so
// that runes are split between writes.
type pieces struct {
	s     string
	sizes []int
}

func (p pieces) WriteJSONString(w io.Writer) error {
	b := []byte(p.s)
	for i := 0; len(b) > 0; i++ {
		n := min(max(p.sizes[i%len(p.sizes)], 1), len(b))
		if _, err := w.Write(b[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

func (p pieces) MarshalJSON() ([]byte, error) { return json.Marshal(p.s) }

var strs = []string{
	"", "plain", `quote " backslash \ slash /`, "<a href='x'>&amp;</a>",
	"\x00\x01\x07\b\t\n\v\f\r\x1b\x1f\x7f", "é € 𝄞 日本", "\u2028 and \u2029",
	"bad \xff\xfe run \xc3 trunc \xe2\x82 end \xf0\x9f\x98", "\xe2\x82\xac\xe2\x82", "\xef\xbf\xbd",
}

func TestWriter_matchesEncodingJSON(t *testing.T) {
	type auth struct {
		A string `json:"a"`
		B int    `json:"b,omitempty"`
		C string `json:"-"`
	}
	tree := Object{
		{"from", nil},
		{"to", []string{}},
		{"names", []string{"a", "<b>"}},
		{"headers", map[string]string{"z": "1", "a": "\u2028", "m": ""}},
		{"empty", map[string]any{}},
		{"nilmap", map[string]any(nil)},
		{"nilslice", []any(nil)},
		{"content", map[string]any{
			"content-type": "multipart/mixed",
			"parts": []any{
				map[string]any{"body": pieces{strs[7], []int{1, 2, 3}}, "n": 3, "f": 1.5, "ok": true},
				map[string]any{"body": "x", "defects": []string{"d"}, "deep": []any{[]any{}, map[string]any{"k": []any{1, "2", nil}}}},
			},
		}},
		{"auth", auth{A: "pass", C: "hidden"}},
		{"number", json.Number("48213.50")},
		{"trace", map[string]any{"exact": false, "kind": "reply"}},
	}
	// encoding/json sees the Object as the map it would be in order;
	// compare the parts that do not depend on the order with maps.
	asMap := map[string]any{}
	for _, m := range tree {
		asMap[m.Key] = m.Value
	}
	want := reference(t, asMap)
	got := encode(t, toSortedObject(tree))
	if got != want {
		t.Errorf("Encode =\n%s\nwant\n%s", got, want)
	}
}

// toSortedObject orders an Object's keys as encoding/json orders a map's.
func toSortedObject(o Object) Object {
	m := map[string]any{}
	for _, x := range o {
		m[x.Key] = x.Value
	}
	var out Object
	for _, k := range sortedKeys(m) {
		out = append(out, Member{k, m[k]})
	}
	return out
}

func TestWriter_strings(t *testing.T) {
	for _, s := range strs {
		want := reference(t, s)
		if got := encode(t, s); got != want {
			t.Errorf("Encode(%q) = %s, want %s", s, got, want)
		}
		for _, sizes := range [][]int{{1}, {2}, {3}, {1, 4}, {5, 1, 2}, {1 << 20}} {
			if got := encode(t, pieces{s, sizes}); got != want {
				t.Errorf("Encode(%q in pieces of %v) = %s, want %s", s, sizes, got, want)
			}
		}
	}
}

// FuzzWriter_string checks a string written whole and in pieces against
// encoding/json.
func FuzzWriter_string(f *testing.F) {
	for _, s := range strs {
		f.Add(s, uint8(1), uint8(3))
	}
	f.Fuzz(func(t *testing.T, s string, a, b uint8) {
		v := map[string]any{"k" + s: []any{s, pieces{s, []int{int(a), int(b)}}}}
		want := reference(t, map[string]any{"k" + s: []any{s, s}})
		if got := encode(t, v); got != want {
			t.Errorf("Encode(%q, pieces %d %d) = %s, want %s", s, a, b, got, want)
		}
	})
}

// TestWriter_stringAllocs: a long string is escaped into the output, not
// copied.
func TestWriter_stringAllocs(t *testing.T) {
	s := strings.Repeat("Le véhicule \"AB-123\" a été contrôlé.\n", 1<<14)
	w := NewWriter(io.Discard, "  ")
	v := Object{{"text", s}, {"body", pieces{s, []int{4096}}}}
	w.Encode(v)
	allocs := testing.AllocsPerRun(5, func() { w.Encode(v) })
	if allocs > 4 {
		t.Errorf("Encode of a %d-byte string: %.0f allocations, want ≤ 4", len(s), allocs)
	}
}
