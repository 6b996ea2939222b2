package mailtest

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// TestReaders_linear proves by bytes allocated, not by time, that the
// server's readers of the fuzz targets (the DATA filter, the thread
// check) grow linearly with hostile input.
func TestReaders_linear(t *testing.T) {
	filter := []struct {
		name string
		gen  func(n int) string
	}{
		{"commands", func(n int) string { return strings.Repeat("RCPT TO:<b@x.test>\r\n", n/4) }},
		{"data lines", func(n int) string { return "DATA\r\n" + strings.Repeat("a\r\n", n) + ".\r\n" }},
		{"long line", func(n int) string { return strings.Repeat("a", 8*n) }},
	}
	for _, tt := range filter {
		t.Run("dataFilter "+tt.name, func(t *testing.T) {
			lineartest.Check(t, 2000, tt.gen, func(in string) {
				fl := &dataFilter{match: func() *fault { return nil }}
				buf := make([]byte, 512)
				r := strings.NewReader(in)
				for {
					if _, err := fl.read(r, buf); err == io.EOF {
						return
					}
					if fl.mode == modeReply {
						fl.wrote([]byte("354 go ahead\r\n"))
					}
				}
			})
		})
	}
	threads := []struct {
		name string
		gen  func(n int) []byte
	}{
		{"long References", func(n int) []byte {
			return []byte("References:" + strings.Repeat(" <fleet+WO-42.a@example.com>", n/4) + "\r\nSubject: [WO-42] x\r\n\r\nx")
		}},
		{"folded Thread-Index", func(n int) []byte {
			return []byte("Thread-Index: AQ" + strings.Repeat("\r\n AQ", n) + "\r\nSubject: x\r\n\r\n")
		}},
		{"many fields", func(n int) []byte { return []byte(strings.Repeat("In-Reply-To: <a@b>\r\n", n/4) + "\r\n") }},
	}
	for _, tt := range threads {
		t.Run("Threads "+tt.name, func(t *testing.T) {
			lineartest.Check(t, 2000, tt.gen, func(raw []byte) {
				Threads([]Message{{Data: raw}, {Data: bytes.Clone(raw)}})
			})
		})
	}
}
