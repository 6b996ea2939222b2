package inbound

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// hostileShapes are messages of size about n built to trip super-linear
// code in a MIME parser: each is also a fuzz seed (see FuzzParse).
var hostileShapes = []struct {
	name string
	gen  func(n int) []byte
}{
	{"folded header", func(n int) []byte {
		return []byte("Subject: s" + strings.Repeat("\r\n x", n) + "\r\n\r\nbody\r\n")
	}},
	{"folded header LF", func(n int) []byte {
		return []byte("Subject: s" + strings.Repeat("\n\tx", n) + "\n\nbody\n")
	}},
	{"first line continuation", func(n int) []byte {
		return []byte(strings.Repeat(" x\r\n", n) + "\r\nbody\r\n")
	}},
	{"continuations after From line", func(n int) []byte {
		return []byte("Subject: s\r\nFrom x\r\n" + strings.Repeat(" x\r\n", n) + "\r\nbody\r\n")
	}},
	{"many fields", func(n int) []byte {
		return []byte(strings.Repeat("X-F: v\r\n", n) + "\r\nbody\r\n")
	}},
	{"many repeated fields", func(n int) []byte {
		return []byte(strings.Repeat("Received: from a by b\r\n", n/3) + "\r\nbody\r\n")
	}},
	{"long header line", func(n int) []byte {
		return []byte("Subject: " + strings.Repeat("a", 4*n) + "\r\n\r\nbody\r\n")
	}},
	{"long references", func(n int) []byte {
		return []byte("References:" + strings.Repeat(" <a@b>", n) + "\r\nSubject: [zz] x\r\n\r\nbody\r\n")
	}},
	{"long body line", func(n int) []byte {
		return []byte("Subject: s\r\n\r\n" + strings.Repeat("a", 4*n))
	}},
	{"many body lines", func(n int) []byte {
		return []byte("Subject: s\r\n\r\n" + strings.Repeat("a\r\n", n))
	}},
	{"many parts", func(n int) []byte {
		return []byte("Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
			strings.Repeat("--b\r\n\r\nx\r\n", n/4) + "--b--\r\n")
	}},
	{"back to back boundaries", func(n int) []byte {
		return []byte("Content-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\n", n) + "--b--\r\n")
	}},
	{"nested boundary lines", func(n int) []byte {
		var b strings.Builder
		for i := range 18 {
			fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i-1, i)
		}
		b.WriteString(strings.Repeat("--b0 x\r\n", n/2))
		return []byte("Content-Type: multipart/mixed; boundary=b-1\r\n\r\n" + b.String())
	}},
	{"base64 body", func(n int) []byte {
		return []byte("Content-Transfer-Encoding: base64\r\n\r\n" + strings.Repeat("QUJD\r\n", n))
	}},
	{"quoted-printable body", func(n int) []byte {
		return []byte("Content-Transfer-Encoding: quoted-printable\r\n\r\n" + strings.Repeat("=41=\r\n", n))
	}},
	{"encoded words", func(n int) []byte {
		return []byte("Subject:" + strings.Repeat(" =?utf-8?q?a?=", n/2) + "\r\n\r\nbody\r\n")
	}},
	{"content-type parameters", func(n int) []byte {
		return []byte("Content-Type: text/plain" + strings.Repeat("; a*0*=x", n/2) + "\r\n\r\nbody\r\n")
	}},
}

// TestParse_linear proves, by bytes allocated and not by time, that
// parsing, tracing and the JSON shape grow linearly with each hostile
// shape (the field limit lifted so that every field is kept).
func TestParse_linear(t *testing.T) {
	app := fleetApp(t)
	opts := &Options{MaxFields: 1 << 30, MaxParts: 1 << 30}
	for _, tt := range hostileShapes {
		t.Run(tt.name, func(t *testing.T) {
			lineartest.Check(t, 2000, tt.gen, func(in []byte) {
				m, err := ParseWith(bytes.NewReader(in), opts)
				if err != nil {
					t.Fatalf("ParseWith() error = %v", err)
				}
				Trace(m, app)
				if _, err := json.Marshal(m); err != nil {
					t.Fatalf("MarshalJSON() error = %v", err)
				}
			})
		})
	}
}

// TestParse_hostileLarge parses each shape at a million lines (a few MB,
// under the 25 MiB limit), as the fuzz seeds of .ci/fuzz.sh do; with the
// quadratic unfolding the folded header alone never finished.
func TestParse_hostileLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("a few MB per shape; -short skips it")
	}
	for _, tt := range hostileShapes {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.gen(1_000_000)
			m, err := Parse(bytes.NewReader(in))
			if err != nil {
				t.Fatalf("Parse(%d bytes) error = %v", len(in), err)
			}
			if m.Size != len(in) {
				t.Errorf("Size = %d, want %d", m.Size, len(in))
			}
		})
	}
}

func TestParse_fieldLimit(t *testing.T) {
	in := "Subject: s\r\n" + strings.Repeat("X-F: v\r\n x\r\n", 3000) + "To: late@x.example\r\n\r\nbody\r\n"
	m, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(m.Content.Fields); got != DefaultMaxFields {
		t.Errorf("len(Fields) = %d, want %d", got, DefaultMaxFields)
	}
	if !hasDefect(m.Content, DefectFieldLimit) {
		t.Errorf("Defects = %q, want %q", m.Defects, DefectFieldLimit)
	}
	if got := m.Header.Get("X-F"); got != "v x" {
		t.Errorf("X-F = %q, want %q (unfolded)", got, "v x")
	}
	if got := m.Header.Get("To"); got != "" {
		t.Errorf("To = %q, want dropped beyond the limit", got)
	}
	if b, _ := m.Content.Text(); string(b) != "body\n" {
		t.Errorf("body = %q, want %q", b, "body\n")
	}
	m, err = ParseWith(strings.NewReader(in), &Options{MaxFields: 5000})
	if err != nil || m.Header.Get("To") != "late@x.example" || hasDefect(m.Content, DefectFieldLimit) {
		t.Errorf("MaxFields 5000: To = %q, defects %q, error %v; want every field", m.Header.Get("To"), m.Defects, err)
	}
}

// TestUnfold keeps the unfolding rules of RFC 5322 section 2.2.3 and of
// Python's parser that the field reader follows.
func TestUnfold(t *testing.T) {
	tests := []struct {
		in, field, want string
		defect          Defect
	}{
		{"Subject: a\r\n b\r\n\tc\r\n\r\n", "Subject", "a b\tc", ""},
		{"Subject: a\r\nFrom x\r\n b\r\n\r\n", "Subject", "a b", ""},
		{"Subject: a\r\n: junk\r\n b\r\n\r\n", "Subject", "a b", ""},
		{" lead\r\n more\r\nSubject: a\r\n\r\n", "Subject", "a", DefectFirstLineContinuation},
		{"Subject:   \r\n  a  \r\n\r\n", "Subject", "a", ""},
	}
	for _, tt := range tests {
		m, err := Parse(strings.NewReader(tt.in))
		if err != nil {
			t.Fatalf("Parse(%q) error = %v", tt.in, err)
		}
		if got := m.Header.Get(tt.field); got != tt.want {
			t.Errorf("Parse(%q): %s = %q, want %q", tt.in, tt.field, got, tt.want)
		}
		if tt.defect != "" && (len(m.Defects) != 1 || m.Defects[0] != tt.defect) {
			t.Errorf("Parse(%q): Defects = %q, want one %q", tt.in, m.Defects, tt.defect)
		}
	}
}

// countingCtx is a context whose Err starts reporting Canceled after a
// number of calls: it proves, by counting calls rather than timing them,
// that the parser asks often and stops at once.
type countingCtx struct {
	context.Context
	calls, cancelAt int
}

func (c *countingCtx) Err() error {
	c.calls++
	if c.calls >= c.cancelAt {
		return context.Canceled
	}
	return nil
}

func TestParseContext_cancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ParseContext(ctx, strings.NewReader("Subject: x\r\n\r\nbody"), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("ParseContext(cancelled) error = %v, want context.Canceled", err)
	}

	for _, tt := range hostileShapes {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.gen(200_000)
			// How often does a whole parse ask?
			full := &countingCtx{Context: context.Background(), cancelAt: 1 << 30}
			if _, err := ParseContext(full, bytes.NewReader(in), nil); err != nil {
				t.Fatalf("ParseContext() error = %v", err)
			}
			if full.calls < 4 {
				return // too few lines to be worth a check in between
			}
			c := &countingCtx{Context: context.Background(), cancelAt: full.calls / 2}
			_, err := ParseContext(c, bytes.NewReader(in), nil)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("ParseContext() cancelled halfway: error = %v, want context.Canceled", err)
			}
			if c.calls != c.cancelAt {
				t.Errorf("ParseContext() asked the context %d times after it was cancelled, want it to stop at the first", c.calls-c.cancelAt)
			}
		})
	}
}

// BenchmarkParse_hostile parses each hostile shape at 10×, 100× and 1000×
// a base of 1000 lines: MB/s stays flat when the parser is linear.
func BenchmarkParse_hostile(b *testing.B) {
	for _, tt := range hostileShapes {
		b.Run(strings.ReplaceAll(tt.name, " ", "_"), func(b *testing.B) {
			lineartest.Bench(b, 1000, tt.gen, func(in []byte) int { return len(in) }, func(in []byte) {
				if _, err := Parse(bytes.NewReader(in)); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
