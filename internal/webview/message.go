package webview

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/mailtrail/mailtrail/inbound"
)

// Limits on the MIME tree the viewer reads, so that a hostile message in
// the sink cannot make a page heavy. Parts beyond them are left out, with
// a defect shown.
const (
	maxDepth  = 8
	maxParts  = 100
	maxFields = 1000
)

// mailView is what the page shows of a raw message: its header fields in
// wire order (encoded words decoded) and the parts a mail client would
// show as its text, HTML and JSON bodies, read by [inbound.Parse].
type mailView struct {
	Headers     []field
	Subject     string
	Text, HTML  string
	JSON        []byte
	HasText     bool
	HasHTML     bool
	HasJSON     bool
	Attachments []string
}

// parse reads a raw message as inbound does, with the viewer's limits.
func parse(raw []byte) (*inbound.Message, error) {
	return inbound.ParseWith(bytes.NewReader(raw), &inbound.Options{
		MaxSize: int64(len(raw)) + 1, MaxParts: maxParts, MaxDepth: maxDepth, MaxFields: maxFields})
}

// readMessage reads a raw RFC 5322 message. It is lenient: it returns what
// it found, and an error naming the defects worked around (or why nothing
// could be read) for the page to show.
func readMessage(raw []byte) (*mailView, error) {
	v := &mailView{}
	m, err := parse(raw)
	if err != nil {
		return v, fmt.Errorf("webview: %w", err)
	}
	for _, f := range m.Content.Fields {
		v.Headers = append(v.Headers, field{Name: f.Name, Value: inbound.DecodeHeader(f.Value)})
	}
	v.Subject = m.Subject()
	var errs []string
	text := func(p *inbound.Part) string {
		s, err := p.Text()
		if err != nil {
			errs = append(errs, err.Error())
		}
		return s
	}
	if p := m.BodyPart("text/plain"); p != nil {
		v.Text, v.HasText = text(p), true
	}
	if p := m.BodyPart("text/html"); p != nil {
		v.HTML, v.HasHTML = text(p), true
	}
	json := m.BodyPart("application/json")
	if json != nil {
		v.JSON, v.HasJSON = json.Body, true
	}
	for _, a := range m.Attachments() {
		if a.Part == json {
			continue
		}
		name := a.Filename
		if name == "" {
			name = a.ContentType
		}
		v.Attachments = append(v.Attachments, name)
	}
	for _, d := range m.Defects {
		errs = append(errs, string(d))
	}
	if len(errs) > 0 {
		return v, fmt.Errorf("webview: message read despite: %s", strings.Join(errs, ", "))
	}
	return v, nil
}

// Subject returns the Subject field of a raw message, RFC 2047 encoded
// words decoded.
func Subject(raw []byte) (string, error) {
	m, err := parse(raw)
	if err != nil {
		return "", fmt.Errorf("webview: %w", err)
	}
	return m.Subject(), nil
}
