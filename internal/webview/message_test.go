package webview

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadMessage_alternative(t *testing.T) {
	raw, err := os.ReadFile("testdata/alternative.eml")
	if err != nil {
		t.Fatal(err)
	}
	v, err := readMessage(raw)
	if err != nil {
		t.Fatalf("readMessage() error = %v", err)
	}
	checks := []struct{ what, got, want string }{
		{"Subject", v.Subject, "[a74e22bb] Véhicule AB-123-CD"},
		{"Text", v.Text, "Bonjour, véhicule AB-123-CD."},
		{"HTML", v.HTML, "<p>Bonjour, <b>véhicule</b></p><script>alert(1)</script>"},
		{"JSON", string(v.JSON), `{"plate":"AB-123-CD","n":9007199254740993}`},
		{"Headers[3]", v.Headers[3].Name + ": " + v.Headers[3].Value, "Subject: [a74e22bb] Véhicule AB-123-CD"},
		{"Content-Type", v.Headers[7].Value, `multipart/alternative; boundary="b1"`},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("readMessage(): %s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if !v.HasText || !v.HasHTML || !v.HasJSON || len(v.Attachments) != 0 {
		t.Errorf("readMessage(): HasText %v HasHTML %v HasJSON %v Attachments %q; want all parts, no attachment",
			v.HasText, v.HasHTML, v.HasJSON, v.Attachments)
	}
}

func TestReadMessage_bad(t *testing.T) {
	tests := []struct {
		name, raw string
		wantErr   bool
	}{
		{"empty", "", true},
		{"no body", "Subject: x", false},
		{"multipart without parts", "Content-Type: multipart/mixed; boundary=zz\r\n\r\nno parts here", true},
		{"bad base64", "Content-Transfer-Encoding: base64\r\n\r\n!!!!", true},
		{"deep", "Content-Type: multipart/mixed; boundary=a\r\n\r\n" + strings.Repeat("--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n", 20), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readMessage([]byte(tt.raw))
			if (err != nil) != tt.wantErr {
				t.Errorf("readMessage(%q) error = %v, want error %v", tt.raw, err, tt.wantErr)
			}
		})
	}
}

func FuzzReadMessage(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("Subject: =?x?q?a?=\r\n\r\n"))
	n := 100
	if os.Getenv("MAILTRAIL_FUZZ_LARGE") != "" {
		n = 1_000_000 // a few MB, set by .ci/fuzz.sh
	}
	for _, h := range hostileMessages {
		f.Add(h.gen(n))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, _ := readMessage(raw)
		if v == nil {
			t.Fatal("readMessage returned no view")
		}
	})
}
