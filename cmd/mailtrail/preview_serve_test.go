package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// previewServeStart runs "preview --serve" in-process on a free loopback
// port and returns its base URL. It is stopped, and checked to stop
// cleanly, when the test ends.
func previewServeStart(t *testing.T, dir, layout string) string {
	t.Helper()
	stderr := &sinkBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: stderr, getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- previewServe(ctx, e, previewServeOptions{Addr: "127.0.0.1:0", TemplatesDir: dir, Layout: layout,
			ready: func(a string) { ready <- a }})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("preview --serve stopped: %v; stderr %s", err, stderr)
	case <-time.After(sinkWaitLimit):
		cancel()
		t.Fatal("preview --serve not ready")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("preview --serve after cancel = %v, want nil", err)
			}
			if !strings.Contains(stderr.String(), "preview: stopped") {
				t.Errorf("stderr = %q, want a stop notice", stderr)
			}
		case <-time.After(sinkWaitLimit):
			t.Error("preview --serve did not stop after cancel")
		}
	})
	return "http://" + addr
}

// previewTemplates writes a small template folder for the serve tests.
func previewTemplates(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"vehicle-check.md": "---\nsubject: Vehicle {{vehicle.plate}} checked\n---\n" +
			"Hello {{partner.name}},\n\nThe vehicle **{{vehicle.plate}}** passed its check.\n\n" +
			"{{#items}}\n- {{label}}: {{state}}\n{{/items}}\n\n[Open the file](https://fleet.example.test/v/{{vehicle.id}})\n",
		"vehicle-check.fr.md": "---\nsubject: Véhicule {{vehicle.plate}} contrôlé\n---\nBonjour {{partner.name}},\n\n" +
			"Le véhicule **{{vehicle.plate}}** est contrôlé.\n",
		"vehicle-check.json": `{"partner":{"name":"Ana"},"vehicle":{"plate":"AB-123-CD","id":42},` +
			`"items":[{"label":"Brakes","state":"ok"},{"label":"Tyres","state":"worn"}]}`,
		"vehicle-check.late.json": `{"partner":{"name":"Bo"},"vehicle":{"plate":"ZZ-999-ZZ","id":7},"items":[]}`,
		"broken.md":               "---\nsubject: Broken\n---\n{{#items}}\nno end\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPreviewServe(t *testing.T) {
	base := previewServeStart(t, previewTemplates(t), "")
	for _, tt := range []struct{ path, want string }{
		{"/", `href="/t/vehicle-check"`},
		{"/", `href="/t/broken"`},
		{"/t/vehicle-check", `<iframe id="frame-desktop" sandbox=""`},
		{"/t/broken", "broken.md:4:1"},
		{"/part/text/vehicle-check?locale=fr", "Bonjour Ana,"},
	} {
		resp, err := http.Get(base + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(tt.want)) {
			t.Errorf("GET %s: status %d, body without %q", tt.path, resp.StatusCode, tt.want)
		}
	}
}

func TestPreviewServe_refused(t *testing.T) {
	dir := previewTemplates(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"public", []string{"preview", "--serve", "0.0.0.0:0", "--templates", dir}, 2, "--allow-public"},
		{"every interface", []string{"preview", "--serve", ":0", "--templates", dir}, 2, "--allow-public"},
		{"no folder", []string{"preview", "--serve", "127.0.0.1:0", "--templates", filepath.Join(dir, "nope")}, 1, "templates folder"},
		{"no layout", []string{"preview", "--serve", "127.0.0.1:0", "--templates", dir, "--layout", filepath.Join(dir, "nope.html")}, 1, "layout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr, getenv: func(string) string { return "" }}
			if code := run(context.Background(), e, tt.args); code != tt.code {
				t.Fatalf("run(%q) = %d, want %d; stderr %q", tt.args, code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("run(%q) stderr = %q, want it to mention %q", tt.args, stderr.String(), tt.want)
			}
		})
	}
}
