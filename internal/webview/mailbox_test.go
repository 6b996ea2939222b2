package webview

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFileSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<a74e22bb.x1@example.test>", "a74e22bb.x1@example.test"},
		{"  <a/b\\c:d*e?f\"g<h>|i@x>  ", "a_b_c_d_e_f_g_h__i@x"},
		{"<../../etc/passwd>", "_.._etc_passwd"},
		{"", "no-message-id"},
		{"<>", "no-message-id"},
		{"<...>", "no-message-id"},
		{"<é@x>", "__@x"},
		{"<a\x00b\r\nc@x>", "a_b__c@x"},
		{"<" + strings.Repeat("z", 300) + ">", strings.Repeat("z", maxIDInName)},
	}
	for _, tt := range tests {
		if got := fileSafe(tt.in); got != tt.want {
			t.Errorf("fileSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMailbox_Save_List_Read(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new") // created by OpenMailbox
	mb, err := OpenMailbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	at := time.Date(2026, 11, 21, 4, 58, 46, 123456789, time.UTC)
	msgs := [][]byte{
		[]byte("Message-ID: <first/id@x.test>\r\nSubject: one\r\n\r\nbody\r\n"),
		[]byte("Subject: no id\r\n\r\nbody\r\n"),
		[]byte("Message-ID: <first/id@x.test>\r\nSubject: same time, same id\r\n\r\nbody\r\n"),
	}
	times := []time.Time{at, at.Add(time.Second), at}
	var names []string
	for i, raw := range msgs {
		name, err := mb.Save(raw, times[i])
		if err != nil {
			t.Fatalf("Save(#%d) = %v", i, err)
		}
		names = append(names, name)
	}
	wantNames := []string{
		"20261121T045846.123456789Z_first_id@x.test.eml",
		"20261121T045847.123456789Z_no-message-id.eml",
		"20261121T045846.123456789Z_first_id@x.test_2.eml",
	}
	for i := range names {
		if names[i] != wantNames[i] {
			t.Errorf("Save(#%d) = %q, want %q", i, names[i], wantNames[i])
		}
		got, err := mb.Read(names[i])
		if err != nil || !bytes.Equal(got, msgs[i]) {
			t.Errorf("Read(%q) = %q, %v; want %q", names[i], got, err, msgs[i])
		}
	}
	list, err := mb.List()
	if err != nil {
		t.Fatal(err)
	}
	wantList := []string{wantNames[1], wantNames[2], wantNames[0]} // newest first
	if strings.Join(list, ",") != strings.Join(wantList, ",") {
		t.Errorf("List() = %q, want %q", list, wantList)
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("folder holds %d entries, want 3", len(entries))
	}
}

func TestMailbox_Read_refused(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "box")
	mb, err := OpenMailbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	secret := filepath.Join(base, "secret.eml")
	if err := os.WriteFile(secret, []byte("Subject: secret\r\n\r\nsecret\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "link-out.eml")); err != nil {
		t.Skipf("symlinks not available: %v", err)
	}
	if err := os.Symlink("../secret.eml", filepath.Join(dir, "rel-out.eml")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		badName bool
	}{
		{"../secret.eml", true},
		{secret, true},
		{"/etc/passwd", true},
		{"sub/x.eml", true},
		{`..\secret.eml`, true},
		{".tmp-1.eml", true},
		{"x.txt", true},
		{".eml", true},
		{"link-out.eml", false},
		{"rel-out.eml", false},
		{"missing.eml", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mb.Read(tt.name)
			if err == nil {
				t.Fatalf("Read(%q) = %q, want an error", tt.name, got)
			}
			if errors.Is(err, ErrBadName) != tt.badName {
				t.Errorf("Read(%q) = %v; errors.Is(ErrBadName) = %v, want %v", tt.name, err, !tt.badName, tt.badName)
			}
		})
	}
}

func FuzzFileSafe(f *testing.F) {
	for _, s := range []string{"<a74e22bb.x1@example.test>", "<../../etc/passwd>", "", "<\x00\r\n>", "<é/\\:*?\"|>", "<...>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		got := fileSafe(id)
		if got == "" || len(got) > maxIDInName {
			t.Fatalf("fileSafe(%q) = %q: empty or over %d bytes", id, got, maxIDInName)
		}
		name := "20261121T045846.123456789Z_" + got + ".eml"
		if !validMessageName(name) {
			t.Fatalf("fileSafe(%q) = %q: %q is not a valid message name", id, got, name)
		}
	})
}

// TestMailbox_Save_concurrent saves one message from many goroutines at the
// same instant: every message gets its own file.
func TestMailbox_Save_concurrent(t *testing.T) {
	mb, err := OpenMailbox(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	at := time.Date(2026, 11, 21, 5, 0, 0, 0, time.UTC)
	const n = 20
	names := make(chan string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name, err := mb.Save([]byte(fmt.Sprintf("Message-ID: <same@x>\r\n\r\nmessage %d\r\n", i)), at)
			if err != nil {
				t.Error(err)
			}
			names <- name
		}()
	}
	wg.Wait()
	close(names)
	seen := make(map[string]bool)
	for name := range names {
		seen[name] = true
	}
	list, err := mb.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n || len(list) != n {
		t.Errorf("%d Saves gave %d names and %d files, want %d of each", n, len(seen), len(list), n)
	}
}
