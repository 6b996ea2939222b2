package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// inspectLargeReplies are replies of about size bytes: a long text answer
// (8-bit or quoted-printable), or a short one with a large attachment.
func inspectLargeReplies(size int) map[string][]byte {
	head := "From: Partner <p@garage.example>\r\nTo: fleet+r1@example.com\r\nSubject: Re: [r1] check\r\n" +
		"Message-ID: <big@garage.example>\r\nMIME-Version: 1.0\r\n"
	line := "Le véhicule AB-123-CD a été contrôlé, tout est en ordre, rien à signaler ici.\r\n"
	text := strings.Repeat(line, size/len(line))
	var qp bytes.Buffer
	w := quotedprintable.NewWriter(&qp)
	w.Write([]byte(text[:len(text)*7/10]))
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

// TestTrace_memory runs trace on 20 MB replies read from a file and holds
// the bytes it allocates (an upper bound of the peak memory it adds) to
// 3× the message.
func TestTrace_memory(t *testing.T) {
	if testing.Short() {
		t.Skip("20 MB messages; -short skips it")
	}
	dir := t.TempDir()
	for name, raw := range inspectLargeReplies(20 << 20) {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".eml")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		ratio, code := inspectAllocated([]string{"trace", "--from", "fleet@example.com", path}, len(raw))
		t.Logf("trace %s: %d bytes, allocated %.2f× the message", name, len(raw), ratio)
		if code == 2 || ratio > 3 {
			t.Errorf("trace %s: exit %d, allocated %.2f× the message; want the message read, ≤ 3×", name, code, ratio)
		}
	}
}

// inspectAllocated runs the command in-process and returns the bytes
// allocated per byte of message, and the exit code.
func inspectAllocated(args []string, size int) (float64, int) {
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	var code int
	alloc := lineartest.Allocated(func() { code = run(context.Background(), e, args) })
	return float64(alloc) / float64(size), code
}

// BenchmarkInspect_memory reports the bytes inspect and trace allocate per
// byte of a 20 MB reply ("alloc/B").
func BenchmarkInspect_memory(b *testing.B) {
	dir := b.TempDir()
	for name, raw := range inspectLargeReplies(20 << 20) {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".eml")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			b.Fatal(err)
		}
		for _, cmd := range [][]string{{"inspect", path}, {"trace", "--from", "fleet@example.com", path}} {
			b.Run(cmd[0]+"/"+strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
				b.SetBytes(int64(len(raw)))
				var sum float64
				for b.Loop() {
					r, _ := inspectAllocated(cmd, len(raw))
					sum += r
				}
				b.ReportMetric(sum/float64(b.N), "alloc/B")
			})
		}
	}
}
