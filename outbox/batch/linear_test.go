package batch

import (
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// TestReader_linear proves by bytes allocated, not by time, that reading
// batch records and decoding their data grow linearly with hostile input.
func TestReader_linear(t *testing.T) {
	tests := []struct {
		name string
		gen  func(n int) string
	}{
		{"many records", func(n int) string { return strings.Repeat(`{"to":"a@x.test","data":{"n":1}}`+"\n", n/4) }},
		{"many bad records", func(n int) string { return strings.Repeat("{\n", n) }},
		{"blank lines", func(n int) string { return strings.Repeat("\n", 8*n) + `{"to":"a@x.test","data":{}}` }},
		{"long record", func(n int) string {
			return `{"to":"a@x.test","data":{"a":[` + strings.Repeat(`"xx",`, n) + `"x"]}}` + "\n"
		}},
		{"many recipients", func(n int) string {
			return `{"to":[` + strings.Repeat(`"a@x.test",`, n/2) + `"b@x.test"],"data":{}}` + "\n"
		}},
	}
	data := []struct {
		name string
		gen  func(n int) string
	}{
		{"data keys", func(n int) string { return "{" + strings.Repeat(`"k": 1, `, n) + `"z": 1}` }},
		{"data nesting", func(n int) string { return strings.Repeat("[", n/2) + strings.Repeat("]", n/2) }},
		{"data escapes", func(n int) string { return `"` + strings.Repeat(`\u00e9\n`, n) + `"` }},
	}
	for _, tt := range data {
		t.Run(tt.name, func(t *testing.T) {
			lineartest.Check(t, 2000, tt.gen, func(in string) { decodeData([]byte(in)) })
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lineartest.Check(t, 2000, tt.gen, func(in string) {
				r := NewReader(strings.NewReader(in))
				for {
					if _, err := r.Next(); err != nil {
						return // io.EOF
					}
				}
			})
		})
	}
}
