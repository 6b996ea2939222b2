package mbox

import (
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// TestReader_linear proves by bytes allocated, not by time, that reading
// an mbox grows linearly with hostile input.
func TestReader_linear(t *testing.T) {
	tests := []struct {
		name string
		gen  func(n int) string
	}{
		{"many messages", func(n int) string {
			return strings.Repeat("From a@b Sat Jan  1 00:00:00 2026\nSubject: x\n\nhi\n\n", n/4)
		}},
		{"quoted From lines", func(n int) string {
			return "From a@b Sat Jan  1 00:00:00 2026\n\n" + strings.Repeat(">>From x\n", n)
		}},
		{"long line", func(n int) string { return "From a@b Sat Jan  1 00:00:00 2026\n\n" + strings.Repeat("a", 16*n) }},
		{"many lines", func(n int) string { return "From a@b Sat Jan  1 00:00:00 2026\n\n" + strings.Repeat("a\r\n", n) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lineartest.Check(t, 2000, tt.gen, func(in string) {
				r := NewReader(strings.NewReader(in))
				for {
					if _, err := r.Next(); err != nil {
						return
					}
				}
			})
		})
	}
}
