package reply

import (
	"strings"

	"github.com/mailtrail/mailtrail/inbound"
)

// Reply is what a partner said in a message, read the way the seed
// article reads it: structured data when there is some, the text they
// wrote, and the files they sent.
type Reply struct {
	// Text is what the sender wrote, from the text/plain parts
	// (concatenated when there are several), else from the HTML parts
	// turned into text ([HTMLText]), with quoted history removed
	// ([StripQuote]) and the signature removed ([StripSignature], with the
	// From field as the sender).
	Text string
	// Signature is the signature taken off Text; empty when none.
	Signature string
	// TextType is the media type Text was read from: "text/plain",
	// "text/html", or empty when the message has neither.
	TextType string
	// Data is the structured content: the application/json part when
	// there is one and it holds a JSON object; else Text read as JSON or
	// YAML (a YAML stream: its first document, so that a "---" line
	// separates data from free text) when that gives a mapping whose keys
	// look like field names (at most four words, no sentence punctuation)
	// and the text is at most 16 KiB, 300 lines and 400 ":", "," and "?"
	// (JSON text has no such bound); else nil. A lone "key: value" whose
	// value is a sentence of five words or more ("Checked: the car is
	// fine.") is prose, not data; a short one ("Checked: all fine") reads
	// as a mapping, as the seed article's YAML reading has it.
	// Use [Reply.Get] to read it with keys matched case-insensitively.
	Data map[string]any
	// DataType is where Data came from: "application/json" (the part),
	// "text" (read from Text), or empty.
	DataType string
	// Attachments are the images, videos, PDF documents and vendor files
	// (application/vnd.*) of the message, in order.
	Attachments []inbound.Attachment
}

// maxDataText and maxDataLines bound the text read as YAML: a reply with
// structured data is short, and the YAML decoder's duplicate-key check is
// quadratic in the number of keys, so the bound keeps hostile input cheap.
const (
	maxDataText  = 16 << 10
	maxDataLines = 300
	maxDataKeys  = 400 // colons, commas and question marks
)

// Parse reads what the sender of m said. It never fails: a message
// with no text gives an empty Text, one without structured data a nil
// Data. Enclosed messages (forwards, bounced originals) are not read.
func Parse(m *inbound.Message) *Reply {
	r := &Reply{}
	if m == nil || m.Content == nil {
		return r
	}
	var plain, htm []string
	var jsonParts []*inbound.Part
	m.Content.Walk(func(p *inbound.Part) error {
		if p.IsMessage() {
			return inbound.SkipParts
		}
		if len(p.Parts) > 0 {
			return nil
		}
		if p.ContentType == "application/json" || strings.HasSuffix(p.ContentType, "+json") {
			jsonParts = append(jsonParts, p)
			return nil
		}
		if p.IsAttachment() {
			return nil
		}
		switch p.ContentType {
		case "text/plain":
			s, _ := p.Text()
			plain = append(plain, s)
		case "text/html":
			s, _ := p.Text()
			htm = append(htm, HTMLText(s))
		}
		return nil
	})
	switch {
	case len(plain) > 0:
		r.TextType = "text/plain"
		r.Text = strings.Join(plain, "\n")
	case len(htm) > 0:
		r.TextType = "text/html"
		r.Text = strings.Join(htm, "\n")
	}
	r.Text = StripQuote(r.Text)
	r.Text, r.Signature = StripSignature(r.Text, m.Header.Get("From"))
	for _, p := range jsonParts {
		if d := jsonObject(p.Body); d != nil {
			r.Data, r.DataType = d, "application/json"
			break
		}
	}
	if r.Data == nil && len(r.Text) <= maxDataText && strings.Count(r.Text, "\n") < maxDataLines {
		if d := textData(r.Text); d != nil {
			r.Data, r.DataType = d, "text"
		}
	}
	for _, a := range m.Attachments() {
		if isReplyAttachment(a.ContentType) {
			r.Attachments = append(r.Attachments, a)
		}
	}
	return r
}

// isReplyAttachment reports whether a part of this type is a file the
// partner sent: an image, a video, a PDF or a vendor type.
func isReplyAttachment(ct string) bool {
	return strings.HasPrefix(ct, "image/") || strings.HasPrefix(ct, "video/") ||
		ct == "application/pdf" || strings.HasPrefix(ct, "application/vnd.")
}
