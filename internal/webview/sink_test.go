package webview

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// newTestSink serves a mailbox holding testdata/alternative.eml.
func newTestSink(t *testing.T) (*httptest.Server, *Mailbox, string) {
	t.Helper()
	mb, err := OpenMailbox(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mb.Close() })
	raw, err := os.ReadFile("testdata/alternative.eml")
	if err != nil {
		t.Fatal(err)
	}
	name, err := mb.Save(raw, time.Date(2026, 11, 21, 5, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSink(SinkOptions{Mailbox: mb})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, mb, name
}

func TestSink_pages(t *testing.T) {
	srv, _, name := newTestSink(t)
	msg := "/m/" + name
	tests := []struct {
		path        string
		status      int
		contentType string
		wants       []string
		header      map[string]string
	}{
		{"/", 200, "text/html; charset=utf-8",
			[]string{"[a74e22bb] Véhicule AB-123-CD", `href="/m/` + name + `"`, "1 message(s)"},
			map[string]string{"Content-Security-Policy": pageCSP}},
		{msg, 200, "text/html; charset=utf-8",
			[]string{
				`<iframe id="frame-desktop" sandbox=""`, `<iframe id="frame-phone" sandbox=""`,
				`src="` + msg + `/html"`, "Bonjour, véhicule AB-123-CD.", "9007199254740993",
				"<th>Reply-To</th>", "Content-Transfer-Encoding: base64", `href="` + msg + `/eml" download`,
			}, nil},
		{msg + "/html", 200, "text/html; charset=utf-8", []string{"<b>véhicule</b>"},
			map[string]string{"Content-Security-Policy": partCSP, "X-Content-Type-Options": "nosniff"}},
		{msg + "/text", 200, "text/plain; charset=utf-8", []string{"Bonjour, véhicule AB-123-CD."}, nil},
		{msg + "/json", 200, "application/json", []string{`{"plate":"AB-123-CD","n":9007199254740993}`}, nil},
		{msg + "/raw", 200, "text/plain; charset=utf-8", []string{"Message-ID: <a74e22bb-4c1d.x1y2@example.test>\r\n"}, nil},
		{msg + "/eml", 200, "message/rfc822", []string{"MIME-Version: 1.0\r\n"},
			map[string]string{"Content-Disposition": `attachment; filename="` + name + `"`}},
		{msg + "/nope", 404, "", nil, nil},
		{"/m/missing.eml", 404, "", nil, nil},
		{"/static/style.css", 200, "text/css; charset=utf-8", []string{".frames"}, nil},
		{"/static/app.js", 200, "text/javascript; charset=utf-8", []string{"EventSource"}, nil},
	}
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
			for k, v := range tt.header {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("GET %s: %s = %q, want %q", tt.path, k, got, v)
				}
			}
		})
	}
}

func TestSink_pathsRefused(t *testing.T) {
	srv, mb, _ := newTestSink(t)
	// A message outside the folder, reachable only by escaping it.
	outside := mb.Dir() + "/../outside.eml"
	if err := os.WriteFile(outside, []byte("Subject: outside\r\n\r\nsecret\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, mb.Dir()+"/link.eml"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"/m/..%2foutside.eml",
		"/m/..%2foutside.eml/raw",
		"/m/%2e%2e%2foutside.eml/eml",
		"/m/../outside.eml",
		"/m/%2fetc%2fpasswd",
		"/m/.hidden.eml",
		"/m/link.eml/raw",
		"/m/link.eml",
	} {
		t.Run(path, func(t *testing.T) {
			resp, body := get(t, srv, path)
			redirect := resp.StatusCode == http.StatusMovedPermanently || resp.StatusCode == http.StatusTemporaryRedirect
			if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusNotFound && !redirect {
				t.Errorf("GET %s: status %d, want 400 or 404 (or the mux's redirect out of /m/)", path, resp.StatusCode)
			}
			if redirect {
				if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, "/m/") {
					t.Errorf("GET %s: redirected to %s, inside /m/", path, loc)
				}
			}
			if strings.Contains(body, "secret") {
				t.Errorf("GET %s: body shows the file outside the folder: %q", path, body)
			}
		})
	}
}

func TestSink_reloadsOnNewMessage(t *testing.T) {
	srv, mb, _ := newTestSink(t)
	es := openEvents(t, srv)
	if _, err := mb.Save([]byte("Message-ID: <n@x>\r\nSubject: new\r\n\r\nhi\r\n"), time.Now()); err != nil {
		t.Fatal(err)
	}
	es.want(t, "reload")
	_, body := get(t, srv, "/")
	mustContain(t, "list after a new message", body, ">new</a>", "2 message(s)")
	if i, j := strings.Index(body, ">new</a>"), strings.Index(body, "Véhicule"); i > j {
		t.Errorf("list shows the new message after the old one, want newest first")
	}
}
