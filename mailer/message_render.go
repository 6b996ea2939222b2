package mailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/render"
	"github.com/mailtrail/mailtrail/templates"
)

// Render renders msg into the exact message that Send would transmit:
// Send is Render followed by delivery. Nothing is sent or written. An
// empty msg.Resource gets a new id, which the Envelope carries. It is
// [Renderer.Render] with the Mailer's Config.
//
// Errors about msg itself wrap [ErrInvalidMessage].
func (m *Mailer) Render(ctx context.Context, msg *Message) (*Envelope, error) {
	return m.r.Render(ctx, msg)
}

// template returns msg.Parsed, or the template msg names, loaded once.
func (r *Renderer) template(msg *Message) (*templates.Template, error) {
	if msg.Parsed != nil {
		return msg.Parsed, nil
	}
	if msg.Template == "" {
		return nil, fmt.Errorf("%w: no template named (Message.Template)", ErrInvalidMessage)
	}
	if r.set == nil {
		return nil, fmt.Errorf("%w: template %q: Config.Render.Templates is nil", ErrInvalidMessage, msg.Template)
	}
	t, err := r.set.Get(msg.Template, msg.Locale)
	if err != nil {
		return nil, fmt.Errorf("%w: template %q: %w", ErrInvalidMessage, msg.Template, err)
	}
	return t, nil
}

// assemble checks everything msg puts in a header and writes the message:
// the one code path behind Render and Send.
func (r *Renderer) assemble(msg *Message, parts *render.Parts, stamp *identity.Stamp) (*Envelope, error) {
	bad := func(err error) (*Envelope, error) {
		return nil, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	rc, err := parseRecipients(msg)
	if err != nil {
		return bad(err)
	}
	if err := checkStamp(stamp); err != nil {
		return bad(err)
	}
	extra, err := extraFields(r.header(msg.Header))
	if err != nil {
		return bad(err)
	}
	files, err := readAttachments(msg.Attachments)
	if err != nil {
		return bad(err)
	}
	boundary := r.opts.Boundary
	if boundary == nil {
		boundary = randomBoundary
	}
	body, err := planBody(parts, r.opts.JSON, files, boundary)
	if err != nil {
		return nil, fmt.Errorf("mailer: %w", err)
	}
	contentType, signed := body.contentType, []byte(nil)
	if r.signer != nil && r.signer.cert != nil {
		if contentType, signed, err = r.signer.smime(body, boundary(2)); err != nil {
			return nil, fmt.Errorf("mailer: %w", err)
		}
	}
	h := headerBlock{b: make([]byte, 0, 1024+body.size+len(signed))}
	r.writeHeader(&h, rc, stamp, parts.Subject, extra, contentType)
	if h.err != nil {
		return bad(h.err)
	}
	data, err := r.appendBody(h.b, body, signed)
	if err != nil {
		return nil, err
	}
	return &Envelope{
		From:      r.from.Addr,
		To:        rc.envelope(),
		MessageID: stamp.MessageID,
		Resource:  stamp.Resource,
		Data:      data,
	}, nil
}

// recipients are a message's header recipients, parsed.
type recipients struct{ to, cc, bcc []address }

// parseRecipients parses msg's To, Cc and Bcc; one of them must be set.
func parseRecipients(msg *Message) (recipients, error) {
	var rc recipients
	var err error
	if rc.to, err = parseAddresses("To", msg.To); err != nil {
		return rc, err
	}
	if rc.cc, err = parseAddresses("Cc", msg.Cc); err != nil {
		return rc, err
	}
	if rc.bcc, err = parseAddresses("Bcc", msg.Bcc); err != nil {
		return rc, err
	}
	if len(rc.to)+len(rc.cc)+len(rc.bcc) == 0 {
		return rc, errors.New("no recipient (To, Cc and Bcc are empty)")
	}
	return rc, nil
}

// envelope returns the envelope recipients: one RCPT per address, so that
// an address in both To and Bcc gets one copy.
func (rc recipients) envelope() []string {
	rcpts := make([]string, 0, len(rc.to)+len(rc.cc)+len(rc.bcc))
	seen := make(map[string]bool, cap(rcpts))
	for _, list := range [][]address{rc.to, rc.cc, rc.bcc} {
		for _, a := range list {
			if k := strings.ToLower(a.Addr); !seen[k] {
				seen[k] = true
				rcpts = append(rcpts, a.Addr)
			}
		}
	}
	return rcpts
}

// writeHeader writes the header block, in the order package mailer's
// documentation gives; the first error stays in h.err.
func (r *Renderer) writeHeader(h *headerBlock, rc recipients, stamp *identity.Stamp, subject string, extra []field, contentType string) {
	now := r.now()
	h.add("Date", now.Format(time.RFC1123Z))
	h.add("From", formatAddress(r.from))
	if len(rc.to) > 0 {
		h.add("To", formatList(rc.to))
	}
	if len(rc.cc) > 0 {
		h.add("Cc", formatList(rc.cc))
	}
	h.add("Reply-To", formatAddress(address{Addr: stamp.ReplyTo}))
	// The subject is data: the header writer refuses a CR, LF or NUL.
	h.text("Subject", stamp.Subject(subject))
	h.add("Message-ID", stamp.MessageID)
	h.add("References", stamp.References)
	// Outlook threads by these, not by References (see identity.Stamp).
	h.add("Thread-Topic", stamp.ThreadTopic) // a resource id: [A-Za-z0-9_-]
	h.add("Thread-Index", stamp.ThreadIndex(now))
	h.add("MIME-Version", "1.0")
	if !r.opts.OmitAutoSubmitted {
		h.add("Auto-Submitted", "auto-generated")
	}
	// Exchange and Outlook: no out-of-office or other automatic replies.
	// Non-delivery reports stay on: they tell us an address is wrong.
	h.add("X-Auto-Response-Suppress", "OOF, AutoReply")
	if r.listID != "" {
		h.add("List-Id", r.listID)
	}
	for _, f := range extra {
		if f.uri {
			h.add(f.name, f.value)
		} else {
			h.text(f.name, f.value)
		}
	}
	h.add("Content-Type", contentType)
}

// appendBody appends the body (signed, when S/MIME signed it) to the
// header block, signs the whole with DKIM when configured, and checks the
// wire rules once more.
func (r *Renderer) appendBody(header []byte, b *body, signed []byte) ([]byte, error) {
	// The body follows the header block in the same buffer.
	buf := bytes.NewBuffer(append(header, '\r', '\n'))
	if signed != nil {
		buf.Write(signed)
	} else if err := b.write(buf); err != nil {
		return nil, fmt.Errorf("mailer: %w", err)
	}
	data := buf.Bytes()
	if r.signer != nil && r.signer.dkim != nil {
		// DKIM goes last, over the final bytes (RFC 6376 §5).
		var err error
		if data, err = r.signer.dkimSign(data); err != nil {
			return nil, fmt.Errorf("mailer: %w", err)
		}
	}
	if err := checkWire(data); err != nil {
		return nil, fmt.Errorf("mailer: internal: %w", err)
	}
	return data, nil
}

// checkStamp checks the identity values once more before they reach a
// header: package identity builds them from checked characters, and this
// keeps that promise from being the only guard.
func checkStamp(s *identity.Stamp) error {
	if err := checkAddrSpec(s.ReplyTo); err != nil {
		return fmt.Errorf("reply address %q: %w", s.ReplyTo, err)
	}
	for _, id := range []struct{ what, v string }{{"Message-ID", s.MessageID}, {"References", s.References}} {
		if !isMsgIDText(id.v) {
			return fmt.Errorf("%s %q is not a msg-id", id.what, id.v)
		}
	}
	return nil
}

// isMsgIDText reports whether s is "<" printable ASCII without spaces ">".
func isMsgIDText(s string) bool {
	if len(s) < 3 || s[0] != '<' || s[len(s)-1] != '>' {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; c <= ' ' || c > '~' || c == '<' || c == '>' {
			return false
		}
	}
	return true
}

func formatList(list []address) string {
	var b strings.Builder
	for i, a := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(formatAddress(a))
	}
	return b.String()
}
