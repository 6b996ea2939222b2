package mailer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenTransport(t *testing.T) {
	tests := []struct {
		url     string
		wantDir string // "" for SMTP
		wantErr bool
	}{
		{"file:./mail", "./mail", false},
		{"file:mail", "mail", false},
		{"file:///var/mail", "/var/mail", false},
		{"FILE:mail", "mail", false},
		{"file://localhost/var/mail", "/var/mail", false},
		{"file://host.example/var/mail", "", true},
		{"file:", "", true},
		{"smtp+insecure://127.0.0.1:25", "", false},
		{"ftp://mail.example.com", "", true},
	}
	for _, tt := range tests {
		tr, err := OpenTransport(tt.url, nil)
		if (err != nil) != tt.wantErr {
			t.Errorf("OpenTransport(%q) error = %v, want error %v", tt.url, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		ft, isFile := tr.(*FileTransport)
		switch {
		case tt.wantDir != "" && (!isFile || ft.Dir() != tt.wantDir):
			t.Errorf("OpenTransport(%q) = %T %v, want a FileTransport into %s", tt.url, tr, tr, tt.wantDir)
		case tt.wantDir == "" && isFile:
			t.Errorf("OpenTransport(%q) = a FileTransport, want SMTP", tt.url)
		}
		tr.Close()
	}
}

// A file transport that cannot write its folder says which folder; a
// folder that cannot be made is a permanent failure, not one to retry.
func TestFileTransport_Transmit_errors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tr := NewFileTransport(filepath.Join(file, "mail"), nil) // a folder inside a file
	_, err := tr.Transmit(context.Background(), &Envelope{From: "a@x.test", To: []string{"b@x.test"}, Data: []byte("Subject: x\r\n\r\nx\r\n")})
	var se *SendError
	if !errors.As(err, &se) || se.Op != OpData {
		t.Fatalf("Transmit = %v, want a *SendError at data", err)
	}
	if !errors.Is(err, ErrPermanent) {
		t.Errorf("Transmit = %v, want ErrPermanent: a file in the way stays there", err)
	}
	if want := filepath.Join(file, "mail"); !strings.Contains(err.Error(), want) {
		t.Errorf("Transmit = %v, want the folder %s named", err, want)
	}
}
