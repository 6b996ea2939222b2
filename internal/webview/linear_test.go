package webview

import (
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// hostileMessages are raw messages of size about n built to trip
// super-linear code in the viewer's reader; each is also a fuzz seed.
var hostileMessages = []struct {
	name string
	gen  func(n int) []byte
}{
	{"folded header", func(n int) []byte {
		return []byte("Subject: s" + strings.Repeat("\r\n x", n) + "\r\n\r\nbody\r\n")
	}},
	{"many fields", func(n int) []byte { return []byte(strings.Repeat("X-F: v\r\n", n) + "\r\nbody\r\n") }},
	{"long line", func(n int) []byte {
		return []byte("Subject: " + strings.Repeat("a", 4*n) + "\r\n\r\n" + strings.Repeat("b", 4*n))
	}},
	{"many parts", func(n int) []byte {
		return []byte("Content-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\n\r\nx\r\n", n/4) + "--b--\r\n")
	}},
	{"part header folded", func(n int) []byte {
		return []byte("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nX-A: a" + strings.Repeat("\r\n x", n) + "\r\n\r\nx\r\n--b--\r\n")
	}},
	{"base64 body", func(n int) []byte {
		return []byte("Content-Transfer-Encoding: base64\r\n\r\n" + strings.Repeat("QUJD\r\n", n))
	}},
}

// TestReadMessage_linear proves by bytes allocated, not by time, that the
// viewer reads each hostile shape in linear time.
func TestReadMessage_linear(t *testing.T) {
	for _, tt := range hostileMessages {
		t.Run(tt.name, func(t *testing.T) {
			lineartest.Check(t, 2000, tt.gen, func(raw []byte) { readMessage(raw) })
		})
	}
}

// TestFileSafe_linear: the name made of a sender's Message-ID.
func TestFileSafe_linear(t *testing.T) {
	lineartest.Check(t, 2000, func(n int) string { return "<" + strings.Repeat("é/.", n) + "@x>" }, func(id string) { fileSafe(id) })
}

func TestReadHeader_fieldLimit(t *testing.T) {
	v, err := readMessage([]byte(strings.Repeat("X-F: v\r\n x\r\n", 3000) + "Subject: late\r\n\r\nbody"))
	if err == nil || !strings.Contains(err.Error(), string(inbound.DefectFieldLimit)) {
		t.Errorf("readMessage() error = %v, want the %s defect shown", err, inbound.DefectFieldLimit)
	}
	if len(v.Headers) != maxFields || v.Headers[0].Value != "v x" || v.Subject != "" {
		t.Errorf("readMessage(): %d headers, first %q, Subject %q; want %d unfolded, later fields dropped",
			len(v.Headers), v.Headers[0].Value, v.Subject, maxFields)
	}
}

func BenchmarkReadMessage_hostile(b *testing.B) {
	for _, tt := range hostileMessages {
		b.Run(strings.ReplaceAll(tt.name, " ", "_"), func(b *testing.B) {
			lineartest.Bench(b, 1000, tt.gen, func(in []byte) int { return len(in) }, func(in []byte) { readMessage(in) })
		})
	}
}
