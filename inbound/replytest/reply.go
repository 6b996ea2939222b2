package replytest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// ErrUnsupported is returned for a combination no real client produces,
// such as a bottom-posted reply from Outlook, whose cursor sits above the
// original's header block.
var ErrUnsupported = errors.New("replytest: unsupported")

// Reply builds the reply that a partner's mail client would send to sent,
// a message the application sent (the raw RFC 5322 bytes, such as
// mailtest.Message.Data or mailer.Envelope.Data). Options choose the
// client (default Gmail), the language (default English), the shape
// (default TopPosted), the text, the partner, the date and data.
//
// The result is a complete RFC 5322 message with CRLF line ends, made as
// the client makes it: its header fields and their order, Message-ID,
// In-Reply-To and References (Outlook's with the parent's Message-ID
// only, and Thread-Topic and Thread-Index), its reply prefix ("RE :",
// "AW:"), its MIME structure, charset and transfer encoding, its
// attribution line or header block in the language, its quote of the
// original's text, and a signature (a closing and the partner's name, a
// "-- " block, or a device line such as "Sent from my iPhone"). The same
// input gives the same bytes.
//
// Read back with inbound.Parse, inbound.Trace gives the resource and
// reply.Parse gives exactly the text (after the YAML, if any) and
// the data, without quote or signature.
func Reply(sent []byte, opts ...Option) ([]byte, error) {
	c, ph, err := setup(opts)
	if err != nil {
		return nil, err
	}
	o, err := readOriginal(sent)
	if err != nil {
		return nil, err
	}
	if c.shape == BottomPosted && !c.client.quotes() {
		return nil, fmt.Errorf("%w: %s does not bottom-post", ErrUnsupported, c.client)
	}
	b := newBuilder(o, c, ph)
	return b.reply(), nil
}

// setup applies opts over the defaults.
func setup(opts []Option) (*config, *phrases, error) {
	c := &config{client: Gmail, lang: English}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	ph := known[c.lang]
	if ph == nil {
		return nil, nil, fmt.Errorf("replytest: language %q: %w (known: %v)", string(c.lang), ErrUnsupported, Languages)
	}
	if clientNames[c.client] == "" {
		return nil, nil, fmt.Errorf("replytest: %v: %w", c.client, ErrUnsupported)
	}
	return c, ph, nil
}

// quotes reports whether c quotes with ">", so that one can write below
// the quote.
func (c Client) quotes() bool {
	return c == Gmail || c == AppleMail || c == Thunderbird || c == IPhone
}

// builder holds what one message is made of.
type builder struct {
	o           *original
	c           *config
	ph          *phrases
	name, email string // the partner
	date        time.Time
	tok         string // stable per input, for ids and boundaries
}

func newBuilder(o *original, c *config, ph *phrases) *builder {
	b := &builder{o: o, c: c, ph: ph, date: c.date}
	if b.date.IsZero() {
		b.date = o.date.Add(time.Hour)
	}
	from := c.from
	if from == "" && len(o.to) > 0 {
		from = o.to[0].String()
	}
	if a, err := mail.ParseAddress(from); err == nil {
		b.name, b.email = a.Name, a.Address
	} else {
		b.name, b.email = "Jean Dupont", "jean.dupont@partner.example"
	}
	if b.name == "" {
		b.name = nameOf(b.email)
	}
	b.tok = token(o.msgID, o.subject, c.client.String(), string(c.lang), c.shape.String(), b.email, b.date.String())
	return b
}

// nameOf makes a display name from an address's local part:
// "jean.dupont@x" gives "Jean Dupont".
func nameOf(addr string) string {
	local, _, _ := strings.Cut(addr, "@")
	words := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == '+' })
	for i, w := range words {
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		words[i] = string(r)
	}
	return strings.Join(words, " ")
}

// partnerDomain is the domain of the partner's address.
func (b *builder) partnerDomain() string {
	_, d, _ := strings.Cut(b.email, "@")
	if d == "" {
		d = "partner.example"
	}
	return d
}

// text is what the partner writes: YAML data, then the text.
func (b *builder) text() string {
	t := b.ph.sample
	if b.c.textSet {
		t = strings.TrimSpace(b.c.text)
	}
	if b.c.yaml != "" {
		t = strings.TrimSpace(b.c.yaml) + "\n---\n" + t
	}
	return t
}

// answer is the text with the client's signature under it.
func (b *builder) answer() string {
	t := b.text()
	switch b.c.client {
	case Thunderbird:
		return t + "\n\n-- \n" + b.name
	case IPhone:
		return t + "\n\n" + b.ph.iphone
	case OutlookMobile:
		return t + "\n\n" + b.ph.outlookMobile + "<https://aka.ms/o0ukef>"
	case Android:
		return t + "\n\n\n" + b.ph.samsung
	}
	return t + "\n\n" + b.ph.closing + "\n" + b.name
}

// to is where the message goes, by shape.
func (b *builder) to() string {
	switch b.c.shape {
	case ToFrom, SubjectOnly:
		return addr(b.o.from.Name, b.o.from.Address)
	}
	if b.o.replyTo != "" {
		return addr(b.o.from.Name, b.o.replyTo)
	}
	return addr(b.o.from.Name, b.o.from.Address)
}

// subject is the original's with the client's reply or forward prefix.
func (b *builder) subject() string {
	re, fw := "Re: ", "Fwd: "
	if b.c.client.outlookFamily() {
		re, fw = b.ph.outlookRe, b.ph.outlookFw
	}
	if b.c.shape == Forwarded {
		return fw + b.o.subject
	}
	return re + b.o.subject
}

// threading returns In-Reply-To and References, by client and shape.
func (b *builder) threading() (inReplyTo, refs string) {
	if b.o.msgID == "" || b.c.shape == Forwarded || b.c.shape == SubjectOnly {
		return "", ""
	}
	if b.c.client.outlookFamily() {
		return b.o.msgID, b.o.msgID
	}
	return b.o.msgID, fold(append(append([]string(nil), b.o.refs...), b.o.msgID))
}

// withData wraps the body in multipart/mixed with a data.json attachment
// when JSON data was given.
func (b *builder) withData(body leaf) leaf {
	if b.c.jsonData == nil {
		return body
	}
	data, err := json.MarshalIndent(b.c.jsonData, "", "  ")
	if err != nil {
		data = []byte(fmt.Sprintf("%q", err.Error()))
	}
	att := leaf{header: []string{`Content-Type: application/json; name="data.json"`,
		`Content-Disposition: attachment; filename="data.json"`, "Content-Transfer-Encoding: base64"}, body: b64(data)}
	return nest("multipart/mixed", "mixed_"+b.tok[:16], body, att)
}
