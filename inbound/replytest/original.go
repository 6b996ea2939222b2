package replytest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/inbound/reply"
)

// original is what the builders read from the message the application
// sent.
type original struct {
	raw         []byte
	head        string // the header block as sent, LF line ends
	from        *mail.Address
	to          []*mail.Address
	replyTo     string // the reply address; "" when none
	subject     string // decoded
	msgID       string
	refs        []string
	date        time.Time
	text        string // the text/plain part, decoded, LF line ends, trimmed
	threadIndex []byte
	threadTopic string
}

// readOriginal reads a sent message. It needs a From address; every other
// field may be missing.
func readOriginal(sent []byte) (*original, error) {
	m, err := inbound.Parse(bytes.NewReader(sent))
	if err != nil {
		return nil, fmt.Errorf("replytest: read the sent message: %w", err)
	}
	h := m.Header
	o := &original{raw: sent, subject: m.Subject(), msgID: strings.TrimSpace(h.Get("Message-Id")),
		threadTopic: inbound.DecodeHeader(h.Get("Thread-Topic"))}
	lf := strings.ReplaceAll(string(sent), "\r\n", "\n")
	o.head, _, _ = strings.Cut(lf, "\n\n")
	if o.from, err = mail.ParseAddress(inbound.DecodeHeader(h.Get("From"))); err != nil {
		return nil, fmt.Errorf("replytest: read the sent message: From %q: %w", h.Get("From"), err)
	}
	o.to, _ = mail.ParseAddressList(inbound.DecodeHeader(h.Get("To")))
	if rt, err := mail.ParseAddressList(h.Get("Reply-To")); err == nil && len(rt) > 0 {
		o.replyTo = rt[0].Address
	}
	o.refs = strings.Fields(h.Get("References"))
	o.date, err = h.Date()
	if err != nil {
		o.date = time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	}
	if ti := h.Get("Thread-Index"); ti != "" {
		o.threadIndex, _ = base64.StdEncoding.DecodeString(strings.TrimSpace(ti))
	}
	if p := m.BodyPart("text/plain"); p != nil {
		t, _ := p.Text()
		o.text = strings.TrimSpace(strings.ReplaceAll(t, "\r\n", "\n"))
	}
	if o.text == "" {
		if p := m.BodyPart("text/html"); p != nil {
			t, _ := p.Text()
			o.text = strings.TrimSpace(reply.HTMLText(t))
		}
	}
	return o, nil
}

// name is the original sender as clients show it: the display name, or
// the address.
func (o *original) name() string {
	if o.from.Name != "" {
		return o.from.Name
	}
	return o.from.Address
}

// quoted returns the original's text with each line quoted "> ", and ">"
// alone for blank lines, as clients quote.
func (o *original) quoted() string {
	lines := strings.Split(o.text, "\n")
	for i, l := range lines {
		if l == "" {
			lines[i] = ">"
		} else {
			lines[i] = "> " + l
		}
	}
	return strings.Join(lines, "\n")
}
