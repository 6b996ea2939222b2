package mbox

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 21, 5, 0, 0, 0, time.UTC)

func writeAll(t testing.TB, msgs ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, m := range msgs {
		if err := w.WriteMessage("app@example.test", t0, []byte(m)); err != nil {
			t.Fatalf("WriteMessage: %v", err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	return buf.Bytes()
}

func readAll(t testing.TB, b []byte) []*Message {
	t.Helper()
	r := NewReader(bytes.NewReader(b))
	var out []*Message
	for {
		m, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, m)
	}
}

func TestWriter_WriteMessage(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want string
	}{
		{"plain", "Subject: x\r\n\r\nhello\r\n", "From app@example.test Sat Nov 21 05:00:00 2026\nSubject: x\n\nhello\n\n"},
		{"from line quoted", "Subject: x\r\n\r\nFrom here\r\n", "From app@example.test Sat Nov 21 05:00:00 2026\nSubject: x\n\n>From here\n\n"},
		{"quoted from line quoted again", "S: x\r\n\r\n>From here\r\n>>From there\r\n", "From app@example.test Sat Nov 21 05:00:00 2026\nS: x\n\n>>From here\n>>>From there\n\n"},
		{"not a from line", "S: x\r\n\r\nFrom: a\r\n>From\r\n", "From app@example.test Sat Nov 21 05:00:00 2026\nS: x\n\nFrom: a\n>From\n\n"},
		{"no final newline", "S: x\r\n\r\nend", "From app@example.test Sat Nov 21 05:00:00 2026\nS: x\n\nend\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(writeAll(t, tt.msg)); got != tt.want {
				t.Errorf("WriteMessage(%q) wrote\n%q\nwant\n%q", tt.msg, got, tt.want)
			}
		})
	}
}

func TestWriter_senderFallback(t *testing.T) {
	for _, sender := range []string{"", "a b@c", "a\r\n@c"} {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		w.WriteMessage(sender, t0, []byte("S: x\r\n"))
		w.Flush()
		if !strings.HasPrefix(buf.String(), "From MAILER-DAEMON ") {
			t.Errorf("WriteMessage(sender %q) separator = %q, want MAILER-DAEMON", sender, buf.String())
		}
	}
}

func TestReader_roundTrip(t *testing.T) {
	msgs := []string{
		"Subject: one\r\n\r\nbody\r\n",
		"Subject: two\r\n\r\nFrom the start\r\n>From quoted\r\n\r\nFrom after blank\r\n\r\n\r\n",
		"Subject: three\r\n\r\n\r\n",
		"Subject: four\r\n\r\nlast\r\n",
	}
	got := readAll(t, writeAll(t, msgs...))
	if len(got) != len(msgs) {
		t.Fatalf("read %d messages, want %d", len(got), len(msgs))
	}
	for i, m := range got {
		if string(m.Data) != msgs[i] {
			t.Errorf("message %d = %q, want %q", i, m.Data, msgs[i])
		}
		if string(m.Sender) != "app@example.test" {
			t.Errorf("message %d sender = %q", i, m.Sender)
		}
	}
}

func TestReader_notMbox(t *testing.T) {
	_, err := NewReader(strings.NewReader("Subject: x\n\nbody\n")).Next()
	if !errors.Is(err, ErrFormat) {
		t.Fatalf("Next() error = %v, want ErrFormat", err)
	}
	_, err = NewReader(strings.NewReader("")).Next()
	if err != io.EOF {
		t.Fatalf("Next() on empty = %v, want io.EOF", err)
	}
}

func TestReader_testdata(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "three.mbox"))
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, b)
	if len(got) != 3 {
		t.Fatalf("read %d messages from three.mbox, want 3", len(got))
	}
	if !bytes.Contains(got[1].Data, []byte("\r\nFrom the garage\r\n")) {
		t.Errorf("message 2 = %q, want the unquoted From line", got[1].Data)
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add("Subject: one\r\n\r\nbody\r\n", "Subject: two\r\n\r\nFrom x\r\n")
	f.Add("S: x\r\n\r\n>>From y\r\n\r\n\r\nFrom z\r\n", "")
	if b, err := os.ReadFile(filepath.Join("testdata", "three.mbox")); err == nil {
		f.Add(string(b), "S: x\r\n")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		// Write accepts anything; the round trip is exact for CRLF text
		// that ends in CRLF, which is what RFC 5322 messages are.
		norm := func(s string) string {
			s = strings.ReplaceAll(s, "\r", "")
			if s == "" {
				return ""
			}
			if !strings.HasSuffix(s, "\n") {
				s += "\n"
			}
			return strings.ReplaceAll(s, "\n", "\r\n")
		}
		a, b = norm(a), norm(b)
		var msgs []string
		for _, m := range []string{a, b} {
			if m != "" {
				msgs = append(msgs, m)
			}
		}
		got := readAll(t, writeAll(t, msgs...))
		if len(got) != len(msgs) {
			t.Fatalf("read %d messages, want %d", len(got), len(msgs))
		}
		for i := range msgs {
			if string(got[i].Data) != msgs[i] {
				t.Fatalf("message %d = %q, want %q", i, got[i].Data, msgs[i])
			}
		}
		// Reading arbitrary bytes never panics.
		r := NewReader(strings.NewReader(a + b))
		for {
			if _, err := r.Next(); err != nil {
				break
			}
		}
	})
}
