package webview

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
)

//go:embed pages/*.html
var pageFiles embed.FS

//go:embed static
var staticFiles embed.FS

// page is what the page templates show: the list in the side bar and either
// an overview (Msg nil) or one message.
type page struct {
	App      string // "preview" or "sink"
	Title    string
	Where    string // the folder shown
	NavLabel string // heading of the list
	Nav      []navItem
	Empty    string // shown when the list is empty
	Hint     string // shown on the overview when the list is not empty
	Error    string // a problem with the whole folder
	Msg      *messageView
}

// navItem is one entry of the side bar: a template or a received message.
type navItem struct {
	Title    string
	URL      string
	Current  bool
	Sub      string
	Resource string
	Problems int
	Notes    []string // the first problems, shown on the overview
	Chips    []chip
}

// chip is a small link under a nav item: a locale or a data file.
type chip struct {
	Label, Title, URL string
	Current           bool
}

// option is one choice of a select box.
type option struct {
	Value, Label string
	Current      bool
}

// field is a name and a value: a header, or a line of metadata.
type field struct{ Name, Value string }

// messageView is one message as the page shows it.
type messageView struct {
	Subject        string // with its tag
	Tag            string
	Resource       string
	ResourceSource string
	Meta           []field
	PageURL        string // the page itself, without query
	Locales, Data  []option
	Errors         []string // what kept parts from rendering
	Problems       []string // what check found
	HTMLURL        string   // empty when there is no HTML part
	TextURL        string
	JSONURL        string
	RawURL         string
	EMLURL         string
	Text           string
	HasText        bool
	JSON           string
	HasJSON        bool
	Headers        []field
	Raw            string
	SourceFile     string    // the template file, in the preview
	Source         []srcLine // its lines
}

// srcLine is one line of a template file, with the problems found on it.
type srcLine struct {
	N     int
	Text  string
	Notes []string
}

// pages holds the parsed page templates, one set per page.
type pages struct {
	list, message *template.Template
}

func parsePages() (*pages, error) {
	base, err := template.ParseFS(pageFiles, "pages/base.html")
	if err != nil {
		return nil, fmt.Errorf("webview: pages: %w", err)
	}
	one := func(file string) (*template.Template, error) {
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(pageFiles, file)
		}
		if err != nil {
			return nil, fmt.Errorf("webview: pages: %w", err)
		}
		return t, nil
	}
	var p pages
	if p.list, err = one("pages/list.html"); err != nil {
		return nil, err
	}
	if p.message, err = one("pages/message.html"); err != nil {
		return nil, err
	}
	return &p, nil
}

// pageCSP is the Content-Security-Policy of the pages themselves: only this
// server's own script, style, frames and event stream.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// partCSP is the Content-Security-Policy of a rendered HTML part: sandboxed
// again (in case it is opened outside its iframe), no script of any kind,
// inline styles and images as a mail client would show them.
const partCSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data: https: http:; " +
	"font-src data: https:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'"

// show executes t with p and writes the page with its security headers. The
// page is rendered to memory first, so a template error is a clean 500.
func show(w http.ResponseWriter, log *slog.Logger, t *template.Template, status int, p *page) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", p); err != nil {
		log.Error("webview: page", "err", err)
		http.Error(w, "webview: page could not be shown", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Cache-Control", "no-store")
	setCommonHeaders(h)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func setCommonHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// writeBody writes a part or a file with the given content type.
func writeBody(w http.ResponseWriter, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	setCommonHeaders(h)
	w.Write(body)
}

// writeHTMLPart serves a rendered HTML part for the sandboxed iframe.
func writeHTMLPart(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Security-Policy", partCSP)
	writeBody(w, "text/html; charset=utf-8", body)
}

// staticHandler serves the embedded CSS and JavaScript under /static/.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFiles, "static") // a valid name: never fails
	fileServer := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setCommonHeaders(w.Header())
		w.Header().Set("Cache-Control", "no-cache")
		fileServer.ServeHTTP(w, r)
	})
}

// httpError shows a short plain-text error.
func httpError(w http.ResponseWriter, status int, msg string) {
	setCommonHeaders(w.Header())
	http.Error(w, msg, status)
}
