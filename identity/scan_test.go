package identity_test

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// hostileLists are address and msg-id field shapes of about n entries:
// many addresses, many commas, long and encoded display names, groups,
// runs of '@' and brackets.
var hostileLists = []struct {
	name string
	gen  func(n int) string
}{
	{"addresses", func(n int) string { return strings.Repeat("a@b.example, ", n) }},
	{"display names", func(n int) string { return strings.Repeat(`"Some Body" <a@b.example>, `, n) }},
	{"encoded words", func(n int) string { return strings.Repeat("=?utf-8?q?Some_Body?= <a@b.example>, ", n) }},
	{"group", func(n int) string { return "g: " + strings.Repeat("a@b.example, ", n) + "c@d;" }},
	{"long name", func(n int) string { return `"` + strings.Repeat("x", 10*n) + `" <a@b.example>` }},
	{"commas", func(n int) string { return "a@b" + strings.Repeat(",", 10*n) + "c@d" }},
	{"ats", func(n int) string { return strings.Repeat("a@", 5*n) }},
	{"msg-ids", func(n int) string { return strings.Repeat("<a@b> ", n) }},
	{"open brackets", func(n int) string { return strings.Repeat("<", 10*n) + ">" }},
	{"bare ids", func(n int) string { return strings.Repeat("a@b ", n) }},
}

// hostileHeader puts v in a field of each kind Trace reads: the sender,
// an address list, msg-ids.
func hostileHeader(v string) mail.Header {
	return mail.Header{"From": {v}, "To": {v}, "References": {v}}
}

// TestTrace_scannedLinear proves by counting, not timing, that Trace reads
// hostile address and msg-id fields in one bounded pass: the octets its
// readers step over stay under a small multiple of the header's size, at
// n and at 8n. The sizes are over the length where fields are scanned
// rather than parsed (lowered to 16 KiB here), so no list parser runs.
func TestTrace_scannedLinear(t *testing.T) {
	const limit = 16 << 10
	identity.LowerMaxParsedList(t, limit)
	for _, tt := range hostileLists {
		t.Run(tt.name, func(t *testing.T) {
			n := 1
			for len(tt.gen(n)) <= limit {
				n *= 2
			}
			var per [2]float64
			for i, size := range []int{n, lineartest.Growth * n} {
				v := tt.gen(size)
				h := hostileHeader(v)
				steps := identity.Scanned(func() {
					if _, err := identity.Trace(h, linearApp); err == nil {
						t.Fatalf("Trace found an identity in %s", tt.name)
					}
				})
				total := 3 * len(v)
				per[i] = float64(steps) / float64(total)
				if per[i] > 6 {
					t.Errorf("%d octets stepped over for a header of %d: ×%.1f, want ≤ ×6", steps, total, per[i])
				}
			}
			if per[1] > 1.5*per[0] {
				t.Errorf("octets stepped over per octet of input grew from %.2f to %.2f at ×%d input (super-linear)", per[0], per[1], lineartest.Growth)
			}
		})
	}
}

// TestTrace_longLists checks that a field over MaxParsedList is still
// read, by scanning: our address among many others is found, in To and in
// a From that is too long to parse.
func TestTrace_longLists(t *testing.T) {
	ours := "fleet+wo-42@example.com"
	pad := strings.Repeat(`"Some Body" <a@b.example>, `, identity.MaxParsedList/26+1)
	tests := []struct {
		name       string
		h          mail.Header
		resource   string
		value      string
		wantSender string
	}{
		{"ours last", mail.Header{"To": {pad + "<" + ours + ">"}}, "wo-42", ours, ""},
		{"ours first", mail.Header{"Cc": {`"Fleet" <` + ours + ">, " + pad}}, "wo-42", ours, ""},
		{"long from", mail.Header{"From": {"<x@y.example>, " + pad}, "To": {ours}}, "wo-42", ours, "x@y.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := identity.Trace(tt.h, linearApp)
			if err != nil {
				t.Fatal(err)
			}
			if r.Resource != tt.resource || r.Value != tt.value || r.Source != identity.SourceAddress || r.Sender != tt.wantSender {
				t.Errorf("Trace = %+v, want resource %q value %q sender %q", *r, tt.resource, tt.value, tt.wantSender)
			}
		})
	}
}
