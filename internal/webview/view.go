package webview

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"net/url"
	"strings"
	"sync"
)

// partURLs fills in the URLs of a message's parts, made by at.
func (m *messageView) partURLs(at func(part string) string) {
	m.TextURL, m.JSONURL, m.HTMLURL = at("text"), at("json"), at("html")
	m.RawURL, m.EMLURL = at("raw"), at("eml")
}

// fromMail fills the parts, headers and source of m from a parsed message.
func (m *messageView) fromMail(v *mailView, raw []byte) {
	m.Headers = v.Headers
	m.Raw = string(raw)
	m.Text, m.HasText = v.Text, v.HasText
	m.JSON, m.HasJSON = prettyJSON(v.JSON), v.HasJSON
	if !v.HasHTML {
		m.HTMLURL = ""
	}
	for _, a := range v.Attachments {
		m.Meta = append(m.Meta, field{Name: "attachment", Value: a})
	}
}

// prettyJSON indents JSON for reading; numbers keep their spelling. Text
// that is not JSON comes back as it is.
func prettyJSON(b []byte) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return string(b)
	}
	return buf.String()
}

// escapePath escapes each element of a slash-separated path for a URL.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// equalFold compares header names.
func equalFold(a, b string) bool { return strings.EqualFold(a, b) }

// mimeAttachment is a Content-Disposition for downloading name (RFC 6266).
func mimeAttachment(name string) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": name})
}

// startWatch runs w until the returned function is called, which waits
// for it to stop.
func startWatch(w *watcher) func() {
	ctx, cancel := context.WithCancel(context.Background())
	go w.run(ctx)
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-w.done
		})
	}
}
