package webview

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyTemplates copies testdata/templates into a fresh folder the test may
// change.
func copyTemplates(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "templates")
	if err := os.CopyFS(dir, os.DirFS("testdata/templates")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func newTestPreview(t *testing.T, opts PreviewOptions) *httptest.Server {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = copyTemplates(t)
	}
	p, err := NewPreview(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv
}

type pageCase struct {
	path        string
	status      int
	contentType string
	wants       []string
	unwanted    []string
	header      map[string]string
}

func runPageCases(t *testing.T, srv *httptest.Server, tests []pageCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := get(t, srv, tt.path)
			if resp.StatusCode != tt.status {
				t.Fatalf("GET %s: status %d, want %d; body %q", tt.path, resp.StatusCode, tt.status, body)
			}
			if tt.contentType != "" {
				if got := resp.Header.Get("Content-Type"); got != tt.contentType {
					t.Errorf("GET %s: Content-Type %q, want %q", tt.path, got, tt.contentType)
				}
			}
			mustContain(t, "GET "+tt.path, body, tt.wants...)
			for _, u := range tt.unwanted {
				if strings.Contains(body, u) {
					t.Errorf("GET %s: body contains %q", tt.path, u)
				}
			}
			for k, v := range tt.header {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("GET %s: %s = %q, want %q", tt.path, k, got, v)
				}
			}
		})
	}
}

func TestPreview_pages(t *testing.T) {
	srv := newTestPreview(t, PreviewOptions{})
	const html = "text/html; charset=utf-8"
	runPageCases(t, srv, []pageCase{
		{path: "/", status: 200, contentType: html,
			wants: []string{
				`href="/t/vehicle-check"`, `href="/t/billing/invoice"`, `href="/t/broken"`, `href="/t/notjson"`,
				`href="/t/vehicle-check?locale=fr"`, `href="/t/vehicle-check?data=vehicle-check.late.json"`,
				">late</a>", ">fr</a>", "4 template(s)",
			},
			header: map[string]string{"Content-Security-Policy": pageCSP, "X-Content-Type-Options": "nosniff"}},
		{path: "/t/vehicle-check", status: 200, contentType: html,
			wants: []string{
				`<iframe id="frame-desktop" sandbox=""`, `<iframe id="frame-phone" sandbox=""`,
				`src="/part/html/vehicle-check?data=vehicle-check.json"`,
				"[a74e22bb] Vehicle AB-123-CD: inspection booked",
				`<span class="tag" title="subject tag">[a74e22bb]</span>`,
				"Hello Ana,", "Tyres: worn &lt;b&gt;front&lt;/b&gt;", // the text part, escaped in the page
				"9007199254740993", "<th>Reply-To</th>", "app&#43;a74e22bb-4c1d-4f0e-9d53-6a1c2f0b9e10@example.test",
				`href="/part/eml/vehicle-check?data=vehicle-check.json" download`,
				`<option value="fr">fr</option>`, `<option value="vehicle-check.late.json">`,
				`data-tab="text"`, `id="text-part"`,
			},
			unwanted: []string{`id="errors"`}},
		{path: "/t/vehicle-check?locale=fr&data=vehicle-check.late.json", status: 200, contentType: html,
			wants: []string{"Bonjour Bo,", "Véhicule ZZ-999-ZZ : contrôle réservé", `<option value="fr" selected>`}},
		{path: "/part/text/vehicle-check", status: 200, contentType: "text/plain; charset=utf-8",
			wants: []string{"Hello Ana,", "https://fleet.example.test/orders/9007199254740993"}},
		{path: "/part/text/vehicle-check?locale=fr", status: 200, wants: []string{"Bonjour Ana,"}},
		{path: "/part/json/vehicle-check?data=vehicle-check.late.json", status: 200, contentType: "application/json",
			wants: []string{`"ZZ-999-ZZ"`, `"items": []`}},
		{path: "/part/json/vehicle-check", status: 200, wants: []string{`"id": 9007199254740993`}},
		{path: "/part/html/vehicle-check", status: 200, contentType: html,
			wants:  []string{"AB-123-CD", "worn &lt;b&gt;front&lt;/b&gt;"},
			header: map[string]string{"Content-Security-Policy": partCSP}},
		{path: "/part/raw/vehicle-check", status: 200, contentType: "text/plain; charset=utf-8",
			wants: []string{"Message-ID: <app+a74e22bb-4c1d-4f0e-9d53-6a1c2f0b9e10.", "Content-Type: multipart/alternative"}},
		{path: "/part/eml/vehicle-check", status: 200, contentType: "message/rfc822",
			wants:  []string{"\r\nMIME-Version: 1.0\r\n"},
			header: map[string]string{"Content-Disposition": `attachment; filename=vehicle-check.eml`}},
		{path: "/part/eml/billing/invoice", status: 200,
			header: map[string]string{"Content-Disposition": `attachment; filename=billing-invoice.eml`}},
		{path: "/part/nope/vehicle-check", status: 404},
		{path: "/t/missing", status: 404},
		{path: "/t/vehicle-check?locale=de", status: 404},
		{path: "/t/vehicle-check?data=broken.json", status: 404},
	})
}

func TestPreview_badInput(t *testing.T) {
	srv := newTestPreview(t, PreviewOptions{})
	runPageCases(t, srv, []pageCase{
		// A broken template still lists (with its problems counted) and
		// shows its errors with file:line:col instead of a blank page.
		{path: "/", status: 200, wants: []string{`href="/t/broken"`, `class="badge"`}},
		{path: "/t/notjson", status: 200, wants: []string{`<span class="badge" title="problems found by check">2</span>`}},
		{path: "/t/broken", status: 200,
			wants: []string{`id="errors"`, "broken.md:6:1:", "[a74e22bb]", `data-tab="text"`,
				`data-default="template"`, `<li id="L6" class="bad"><code>{{#items}}</code><span class="note">6:1: `}},
		{path: "/part/text/broken", status: 422, wants: []string{"broken.md:6:1:"}},
		// A data file that is not JSON says so, and where.
		{path: "/t/notjson", status: 200, wants: []string{"data file notjson.json:2:3: invalid JSON"}},
		// The template's own script and event handler are gone.
		{path: "/part/html/billing/invoice", status: 200, wants: []string{"INV-7"},
			unwanted: []string{"<script", "onerror", "template script"}},
	})
}

func TestPreview_pathsRefused(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "templates")
	if err := os.CopyFS(dir, os.DirFS("testdata/templates")); err != nil {
		t.Fatal(err)
	}
	secret := "SECRET-OUTSIDE-THE-FOLDER"
	for name, body := range map[string]string{"secret.md": "Hello " + secret, "secret.json": `{"s":"` + secret + `"}`} {
		if err := os.WriteFile(filepath.Join(base, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(base, "secret.md"), filepath.Join(dir, "escape.md")); err != nil {
		t.Skipf("no symlinks: %v", err)
	}
	if err := os.Symlink("../secret.json", filepath.Join(dir, "vehicle-check.escape.json")); err != nil {
		t.Fatal(err)
	}
	srv := newTestPreview(t, PreviewOptions{Dir: dir})
	for _, path := range []string{
		"/t/..%2fsecret",
		"/t/%2e%2e/secret",
		"/part/text/..%2fsecret",
		"/part/text/%2fetc%2fpasswd",
		"/t/vehicle-check?data=../secret.json",
		"/t/vehicle-check?data=/etc/passwd",
		"/part/json/vehicle-check?data=..%2fsecret.json",
		"/part/json/vehicle-check?data=" + filepath.Join(base, "secret.json"),
		"/part/text/vehicle-check?locale=../../secret",
		"/part/text/escape",
		"/t/escape",
		"/part/json/vehicle-check?data=vehicle-check.escape.json",
		"/t/vehicle-check?data=vehicle-check.escape.json",
	} {
		t.Run(path, func(t *testing.T) {
			resp, body := get(t, srv, path)
			if strings.Contains(body, secret) {
				t.Fatalf("GET %s: body shows a file outside the folder: %q", path, body)
			}
			switch resp.StatusCode {
			case http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity:
			case http.StatusOK:
				// Only the page of a listed symlink may show, with its error.
				if !strings.Contains(body, `id="errors"`) {
					t.Errorf("GET %s: status 200 without an error shown", path)
				}
			case http.StatusMovedPermanently, http.StatusTemporaryRedirect:
				if loc := resp.Header.Get("Location"); strings.Contains(loc, "secret") && !strings.HasPrefix(loc, "/secret") {
					t.Errorf("GET %s: redirected to %s", path, loc)
				}
			default:
				t.Errorf("GET %s: status %d, want 400 or 404", path, resp.StatusCode)
			}
		})
	}
}

func TestPreview_reloadsOnChange(t *testing.T) {
	dir := copyTemplates(t)
	layout := filepath.Join(t.TempDir(), "layout.html")
	if err := os.WriteFile(layout, []byte(`<html><body><h1>{{.Subject}}</h1>{{.Body}}</body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	brand := filepath.Join(t.TempDir(), "brand.yaml")
	if err := os.WriteFile(brand, []byte("name: Brand One\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := newTestPreview(t, PreviewOptions{Dir: dir, Layout: layout, Brand: brand})
	es := openEvents(t, srv)
	edits := []struct {
		name string
		edit func() error
		path string // a page that shows the edit
		want string
	}{
		{"template", func() error {
			return appendFile(filepath.Join(dir, "vehicle-check.md"), "\nEdited on disk.\n")
		}, "/part/text/vehicle-check", "Edited on disk."},
		{"data", func() error {
			return os.WriteFile(filepath.Join(dir, "vehicle-check.json"),
				[]byte(`{"partner":{"first_name":"Cy"},"vehicle":{"plate_number":"P"},"inspection":{"date":"d"},"order":{"id":1},"items":[]}`), 0o644)
		}, "/part/text/vehicle-check", "Hello Cy,"},
		{"new template", func() error {
			return os.WriteFile(filepath.Join(dir, "added.md"), []byte("New one."), 0o644)
		}, "/", `href="/t/added"`},
		{"layout", func() error {
			return os.WriteFile(layout, []byte(`<html><body><h1>LAYOUT2 {{.Subject}}</h1>{{.Body}}</body></html>`), 0o644)
		}, "/part/html/vehicle-check", "LAYOUT2"},
		{"brand", func() error {
			return os.WriteFile(brand, []byte("name: Brand Two\nunsubscribe: https://x.example/u\n"), 0o644)
		}, "/part/text/vehicle-check", "-- \nBrand Two\n"},
	}
	for _, ed := range edits {
		t.Run(ed.name, func(t *testing.T) {
			if err := ed.edit(); err != nil {
				t.Fatal(err)
			}
			es.want(t, "reload")
			_, body := get(t, srv, ed.path)
			mustContain(t, "GET "+ed.path+" after the reload", body, ed.want)
		})
	}
}

func appendFile(name, s string) error {
	f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(s); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
