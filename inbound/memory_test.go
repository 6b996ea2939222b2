package inbound

import (
	"bytes"
	"encoding/base64"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// largeReplies are replies of about size bytes: a long text answer (8-bit
// or quoted-printable), or a short one with a large attachment.
func largeReplies(size int) map[string][]byte {
	head := "From: Partner <p@garage.example>\r\nTo: fleet+r1@example.com\r\nSubject: Re: [r1] check\r\n" +
		"Message-ID: <big@garage.example>\r\nMIME-Version: 1.0\r\n"
	line := "Le véhicule AB-123-CD a été contrôlé, tout est en ordre, rien à signaler ici.\r\n"
	text := strings.Repeat(line, size/len(line))
	var qp bytes.Buffer
	w := quotedprintable.NewWriter(&qp)
	w.Write([]byte(text[:len(text)*7/10])) // é and à take 3 bytes each
	w.Close()
	att := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, size*3/16))
	var b64 strings.Builder
	for i := 0; i < len(att); i += 76 {
		b64.WriteString(att[i:min(i+76, len(att))] + "\r\n")
	}
	return map[string][]byte{
		"text 8bit":             []byte(head + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text),
		"text quoted-printable": []byte(head + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp.String()),
		"attachment base64": []byte(head + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the photo.\r\n" +
			"--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=p.png\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64.String() + "--b--\r\n"),
	}
}

// TestParse_memory parses 20 MB replies read from a file, as inspect and
// trace do, and holds the bytes allocated (an upper bound of the peak
// memory the parse adds) to 3× the message: the message itself, and its
// bodies decoded.
func TestParse_memory(t *testing.T) {
	if testing.Short() {
		t.Skip("20 MB messages; -short skips it")
	}
	dir := t.TempDir()
	for name, raw := range largeReplies(20 << 20) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".eml")
			if err := os.WriteFile(path, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			var m *Message
			alloc := lineartest.Allocated(func() {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if m, err = Parse(f); err != nil {
					t.Fatal(err)
				}
			})
			ratio := float64(alloc) / float64(len(raw))
			t.Logf("%s: %d bytes, allocated %.2f× the message", name, len(raw), ratio)
			if ratio > 3 {
				t.Errorf("Parse(%d-byte %s reply) allocated %d bytes: %.2f× the message, want ≤ 3×", len(raw), name, alloc, ratio)
			}
			if n := len(m.Content.Parts); name == "attachment base64" && n != 2 {
				t.Errorf("%d parts, want 2", n)
			}
		})
	}
}

// BenchmarkParse_memory reports the bytes allocated per byte of message
// ("alloc/B") for the 20 MB replies of TestParse_memory.
func BenchmarkParse_memory(b *testing.B) {
	for name, raw := range largeReplies(20 << 20) {
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "m.eml")
			os.WriteFile(path, raw, 0o644)
			b.SetBytes(int64(len(raw)))
			var total uint64
			for b.Loop() {
				total += lineartest.Allocated(func() {
					f, _ := os.Open(path)
					defer f.Close()
					if _, err := Parse(f); err != nil {
						b.Fatal(err)
					}
				})
			}
			b.ReportMetric(float64(total)/float64(b.N)/float64(len(raw)), "alloc/B")
		})
	}
}
