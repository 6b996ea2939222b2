package inbound

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// ASGI returns the message in the shape of the ASGI email draft, as maps
// and slices ready for encoding/json:
//
//	{
//	  "from": "sender@example.com",          // envelope or From header; null when none
//	  "to": ["app+id@example.com"],           // envelope or To and Cc
//	  "headers": {"subject": "Re: …", …},      // names lower-cased, values RFC 2047-decoded
//	  "defects": ["…"],                       // only when there are any
//	  "content": {                            // the MIME tree
//	    "content-type": "multipart/alternative",
//	    "parts": [
//	      {"content-type": "text/plain", "charset": "utf-8",
//	       "headers": {…}, "body": "Hello"},
//	      {"content-type": "image/png", "filename": "a.png",
//	       "headers": {…}, "body": "iVBORw0…", "body-encoding": "base64"}
//	    ]
//	  }
//	}
//
// A header field that appears more than once (Received, say) has its
// values joined with "\n", in order: a line break cannot occur in an
// unfolded value, so nothing is lost and every value stays a string, as
// the draft has it. The draft's body is bytes, which JSON lacks: a text
// body (text/*, JSON, XML, delivery reports) is given as its text decoded
// to UTF-8; any other body is base64 (RFC 4648) with "body-encoding":
// "base64" beside it. An enclosed message (message/rfc822) has "parts"
// holding the enclosed message's content object. Content objects below
// the root carry their own "headers"; "charset", "filename",
// "disposition" and "defects" appear when set.
func (m *Message) ASGI() map[string]any { return m.asgi(false) }

// ASGIStream is [Message.ASGI] for writing large messages: each "body" is
// a value that decodes the body as it is encoded, not a string decoded in
// advance. encoding/json encodes it as the same string (it implements
// json.Marshaler); the CLI's JSON writer streams it, decoding and
// escaping a piece at a time, so that a body of tens of megabytes is not
// held a second time, decoded, beside the message.
func (m *Message) ASGIStream() map[string]any { return m.asgi(true) }

func (m *Message) asgi(stream bool) map[string]any {
	out := map[string]any{
		"from":    nil,
		"to":      append([]string{}, m.To...),
		"headers": asgiHeaders(m.Content.Fields),
		"content": asgiContent(m.Content, true, stream),
	}
	if m.From != "" {
		out["from"] = m.From
	}
	if len(m.Defects) > 0 {
		out["defects"] = m.Defects
	}
	return out
}

// MarshalJSON encodes [Message.ASGI], keys in the order of the draft:
// from, to, headers, (defects,) content.
func (m *Message) MarshalJSON() ([]byte, error) {
	a := m.ASGI()
	return json.Marshal(ASGIMessage{From: a["from"], To: a["to"], Headers: a["headers"], Defects: a["defects"], Content: a["content"]})
}

// ASGIMessage holds the top-level keys of [Message.ASGI] in their order,
// for encoding; embed it to add keys after them.
type ASGIMessage struct {
	From    any `json:"from"`
	To      any `json:"to"`
	Headers any `json:"headers"`
	Defects any `json:"defects,omitempty"`
	Content any `json:"content"`
}

func asgiHeaders(fields []Field) map[string]string {
	// Repeated fields are joined once at the end: joining as they come
	// copied the value so far for every repetition.
	vals := make(map[string][]string, len(fields))
	for _, f := range fields {
		k := strings.ToLower(f.Name)
		vals[k] = append(vals[k], DecodeHeader(f.Value))
	}
	h := make(map[string]string, len(vals))
	for k, vs := range vals {
		h[k] = strings.Join(vs, "\n")
	}
	return h
}

func asgiContent(p *Part, root, stream bool) map[string]any {
	c := map[string]any{"content-type": p.ContentType}
	if !root {
		c["headers"] = asgiHeaders(p.Fields)
	}
	if p.Charset != "" {
		c["charset"] = p.Charset
	}
	if p.Filename != "" {
		c["filename"] = p.Filename
	}
	if p.Disposition != "" {
		c["disposition"] = p.Disposition
	}
	if len(p.Defects) > 0 {
		c["defects"] = p.Defects
	}
	if len(p.Parts) > 0 {
		parts := make([]any, len(p.Parts))
		for i, sub := range p.Parts {
			parts[i] = asgiContent(sub, false, stream)
		}
		c["parts"] = parts
		return c
	}
	body := asgiBody{p: p, base64: !isTextual(p.ContentType)}
	if body.base64 {
		c["body-encoding"] = "base64"
	}
	if stream {
		c["body"] = body
	} else {
		c["body"] = body.String()
	}
	return c
}

// asgiBody is a leaf's body as the ASGI shape gives it: a text body
// decoded to UTF-8 ([Part.Text]), any other base64-encoded.
type asgiBody struct {
	p      *Part
	base64 bool
}

// WriteJSONString writes the body, unquoted, to w a piece at a time.
func (b asgiBody) WriteJSONString(w io.Writer) error {
	if b.base64 {
		enc := base64.NewEncoder(base64.StdEncoding, w)
		if _, err := enc.Write(b.p.Body); err != nil {
			return err
		}
		return enc.Close()
	}
	if err := b.p.writeText(w); err != nil && !errors.Is(err, ErrUnknownCharset) {
		return err
	}
	return nil
}

// String returns the body whole.
func (b asgiBody) String() string {
	if b.base64 {
		return base64.StdEncoding.EncodeToString(b.p.Body)
	}
	s, _ := b.p.Text()
	return s
}

// MarshalJSON encodes the body as a JSON string. HTML characters are left
// as they are; an encoder that escapes them escapes them here too.
func (b asgiBody) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b.String()); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// isTextual reports whether a body of this type is text to a reader.
func isTextual(ct string) bool {
	if strings.HasPrefix(ct, "text/") {
		return true
	}
	switch ct {
	case "application/json", "application/xml", "application/yaml", "application/x-yaml",
		"application/javascript", "application/ld+json",
		"message/delivery-status", "message/disposition-notification", "message/feedback-report",
		"message/global-delivery-status", "message/global-disposition-notification", "message/global-headers":
		return true
	}
	return strings.HasSuffix(ct, "+json") || strings.HasSuffix(ct, "+xml")
}
