package mailer

import (
	"bytes"
	"errors"
	"fmt"
	"mime/multipart"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/mailtrail/mailtrail/render"
)

// mimeBody is the MIME structure of a message: its top-level Content-Type
// field value and the encoded body after the header block.
type mimeBody struct {
	contentType string
	body        []byte
}

// buildBody returns the body of a message with the caller's boundaries:
// a message without attachments and with its JSON in the alternative is
// written by [buildAlternative], every other one by [buildBodyGoMail].
// Both give the same bytes for the same input.
func buildBody(parts *render.Parts, placement JSONPlacement, files []file, boundary func(level int) string) (*mimeBody, error) {
	if len(files) == 0 && placement == JSONAlternative {
		return buildAlternative(parts, boundary)
	}
	return buildBodyGoMail(parts, placement, files, boundary)
}

// buildBodyGoMail assembles the alternatives and attachments with go-mail
// and returns the body with the caller's boundaries.
//
// go-mail writes the multipart tree, picks each part's headers and encodes
// the parts. Three things it does not do the way a reproducible message
// needs, and which are done here instead:
//   - boundaries: go-mail's WithBoundary gives every multipart level the
//     same boundary, which breaks a multipart/alternative nested in a
//     multipart/mixed; otherwise they are random. Its random boundaries
//     (60 hex digits) are replaced here by the caller's, quoted.
//   - the header block: go-mail sorts generic fields by name, leaves long
//     words unfolded and adds fields we do not want (User-Agent); only its
//     top-level Content-Type is kept and the header block is written by
//     [Mailer] (header.go).
//   - attachment names: go-mail puts RFC 2047 words inside a quoted
//     parameter; here the Content-Type and Content-Disposition of each
//     attachment are preset, with RFC 2231 parameters.
func buildBodyGoMail(parts *render.Parts, placement JSONPlacement, files []file, boundary func(level int) string) (*mimeBody, error) {
	gm := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithCharset(gomail.CharsetUTF8))
	if placement == JSONAlternative {
		gm.AddAlternativeString("application/json", string(parts.JSON),
			gomail.WithPartEncoding(chooseEncoding(parts.JSON, true)))
	}
	text := parts.Text
	enc := chooseEncoding([]byte(text), false)
	if enc == gomail.EncodingB64 {
		text = canonicalLines(text)
	}
	gm.AddAlternativeString(gomail.TypeTextPlain, text, gomail.WithPartEncoding(enc))
	html := parts.HTML
	enc = chooseEncoding([]byte(html), false)
	if enc == gomail.EncodingB64 {
		html = canonicalLines(html)
	}
	gm.AddAlternativeString(gomail.TypeTextHTML, html, gomail.WithPartEncoding(enc))

	if placement == JSONAttachment {
		files = append([]file{{name: "data.json", contentType: "application/json", data: parts.JSON}}, files...)
	}
	for _, f := range files {
		if err := gm.AttachReader(f.name, bytes.NewReader(f.data)); err != nil {
			return nil, fmt.Errorf("attachment %q: %w", f.name, err)
		}
		all := gm.GetAttachments()
		h := all[len(all)-1].Header
		ct, err := foldedValue("Content-Type", f.contentType+"; "+fileParam("name", f.name))
		if err != nil {
			return nil, fmt.Errorf("attachment %q: %w", f.name, err)
		}
		cd, err := foldedValue("Content-Disposition", "attachment; "+fileParam("filename", f.name))
		if err != nil {
			return nil, fmt.Errorf("attachment %q: %w", f.name, err)
		}
		h.Set("Content-Type", ct)
		h.Set("Content-Disposition", cd)
		h.Set("Content-Transfer-Encoding", string(gomail.EncodingB64))
	}

	var buf bytes.Buffer
	if _, err := gm.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("assemble: %w", err)
	}
	return rebound(buf.Bytes(), len(files) > 0, boundary)
}

// rebound cuts go-mail's output after its top-level Content-Type field and
// replaces its random boundaries with next(0) for the outermost multipart
// and next(1) for the alternative nested in a mixed.
func rebound(out []byte, mixed bool, next func(level int) string) (*mimeBody, error) {
	const ctPrefix = "Content-Type: multipart/"
	i := bytes.Index(out, []byte(ctPrefix))
	if i < 0 {
		return nil, errors.New("assemble: internal: no multipart Content-Type in go-mail output")
	}
	end := bytes.Index(out[i:], []byte("\r\n\r\n"))
	if end < 0 {
		return nil, errors.New("assemble: internal: no end of header in go-mail output")
	}
	top := string(out[i+len("Content-Type: ") : i+end])
	body := out[i+end+4:]

	kinds := []string{"alternative"}
	if mixed {
		kinds = []string{"mixed", "alternative"}
	}
	if !strings.HasPrefix(top, "multipart/"+kinds[0]+";") {
		return nil, fmt.Errorf("assemble: internal: go-mail wrote %q", top)
	}
	var random []string
	random = append(random, boundaryParam(top))
	if mixed {
		j := bytes.Index(body, []byte("Content-Type: multipart/alternative;"))
		if j < 0 {
			return nil, errors.New("assemble: internal: no nested multipart/alternative in go-mail output")
		}
		k := bytes.Index(body[j:], []byte("\r\n\r\n"))
		if k < 0 {
			return nil, errors.New("assemble: internal: no end of nested header in go-mail output")
		}
		random = append(random, boundaryParam(string(body[j:j+k])))
	}
	ours := make([]string, len(random))
	for n := range random {
		if random[n] == "" {
			return nil, errors.New("assemble: internal: no boundary in go-mail output")
		}
		ours[n] = next(n)
		if err := checkBoundary(ours[n]); err != nil {
			return nil, err
		}
		// The content may not hold a delimiter line of ours (RFC 2046 §5.1.1).
		if bytes.Contains(body, []byte("--"+ours[n])) {
			return nil, fmt.Errorf("assemble: boundary %q occurs in the message content", ours[n])
		}
		for m := range n {
			if strings.HasPrefix(ours[n], ours[m]) || strings.HasPrefix(ours[m], ours[n]) {
				return nil, fmt.Errorf("assemble: boundaries %q and %q: one is a prefix of the other", ours[m], ours[n])
			}
		}
	}
	for n := range random {
		body = bytes.ReplaceAll(body, []byte("boundary="+random[n]), []byte(`boundary="`+ours[n]+`"`))
		body = bytes.ReplaceAll(body, []byte(random[n]), []byte(ours[n]))
	}
	return &mimeBody{
		contentType: "multipart/" + kinds[0] + `; boundary="` + ours[0] + `"`,
		body:        body,
	}, nil
}

// boundaryParam returns the unquoted boundary parameter go-mail wrote in a
// Content-Type value ("multipart/x;\r\n boundary=HEX").
func boundaryParam(ct string) string {
	_, after, ok := strings.Cut(ct, "boundary=")
	if !ok {
		return ""
	}
	if k := strings.IndexAny(after, "\r\n;"); k >= 0 {
		after = after[:k]
	}
	return after
}

// checkBoundary checks a boundary from [Config].Boundary (RFC 2046 §5.1.1).
func checkBoundary(b string) error {
	if err := multipart.NewWriter(nil).SetBoundary(b); err != nil {
		return fmt.Errorf("assemble: boundary %q: %w", b, err)
	}
	if strings.Contains(b, `"`) {
		return fmt.Errorf("assemble: boundary %q contains a quote", b)
	}
	return nil
}

// chooseEncoding picks the shorter of quoted-printable and base64 for a
// part. binary content (the JSON part, which is not text/* and so has no
// canonical line ends) that holds CR or LF is always base64, since Go's
// quoted-printable writer turns every line end into CRLF and the bytes
// would not come back exactly.
func chooseEncoding(b []byte, binary bool) gomail.Encoding {
	if binary && bytes.ContainsAny(b, "\r\n") {
		return gomail.EncodingB64
	}
	escaped := 0
	for _, c := range b {
		if (c < ' ' && c != '\t' && c != '\r' && c != '\n') || c == '=' || c > '~' {
			escaped++
		}
	}
	// quoted-printable grows by 2 octets per escaped octet, base64 by 1/3.
	if escaped*6 > len(b) {
		return gomail.EncodingB64
	}
	return gomail.EncodingQP
}

// canonicalLines turns every line end of text (LF, CR or CRLF) into CRLF,
// the canonical form for text/* encoded in base64 (RFC 2045 §6.8).
func canonicalLines(text string) string {
	if !strings.ContainsAny(text, "\r\n") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + len(text)/32)
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '\r':
			b.WriteString("\r\n")
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
		case '\n':
			b.WriteString("\r\n")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// foldedValue returns value folded as the field name would fold it, without
// the name: for headers written by others (go-mail's part headers).
func foldedValue(name, value string) (string, error) {
	b, err := appendField(nil, name, value)
	if err != nil {
		return "", err
	}
	return string(b[len(name)+2 : len(b)-2]), nil
}
