package mailer

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/textproto"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mailtrail/mailtrail/templates"
)

// Message is one message to render and send: which template, for whom,
// about which resource, with which data.
//
// A Message is only read by [Mailer.Render] and [Mailer.Send] (an attachment's
// Reader is consumed), so one value may be reused as a starting point for
// several sends.
type Message struct {
	// Template names the template in [RenderConfig].Templates, without the ".md"
	// extension, e.g. "vehicle-check".
	Template string
	// Locale picks a variant ("fr": vehicle-check.fr.md) before the base
	// template. Empty means the base template.
	Locale string
	// Parsed, when set, is used instead of loading Template: for templates
	// kept elsewhere (a database, a backoffice editor) and parsed with
	// [templates.Parse].
	Parsed *templates.Template

	// To, Cc and Bcc hold one mailbox per entry, "a@x.test" or
	// "Name <a@x.test>". At least one recipient is required. Bcc
	// recipients appear only on the SMTP envelope, never in a header.
	To, Cc, Bcc []string

	// Resource is the id of the resource the message is about
	// ([A-Za-z0-9_-]). Empty means a new id (identity.New); the id used is
	// returned in the [Receipt] and the [Envelope].
	Resource string

	// Data fills the template's placeholders and is the JSON part.
	Data any

	// Attachments are added after the body, in order.
	Attachments []Attachment

	// Header holds extra header fields. Only these names are accepted:
	// names starting with "X-" (except X-Auto-Response-Suppress, which the
	// mailer writes), and Comments, Keywords, Importance, Priority,
	// Sensitivity, Organization, List-Unsubscribe, List-Unsubscribe-Post,
	// List-Help, List-Owner, List-Archive, List-Subscribe, List-Post.
	// Values may not contain CR, LF or NUL; non-ASCII values are
	// RFC 2047-encoded, except in List-* fields, which hold URIs and must
	// be ASCII. Fields are written in name order, spelled as given.
	Header map[string]string
}

// Attachment is a file sent beside the body, in a multipart/mixed.
// Exactly one of Data, Reader and Path gives its content.
type Attachment struct {
	// Filename is the name shown to the reader, any UTF-8 without CR, LF,
	// NUL or path separators; empty means the base name of Path.
	Filename string
	// ContentType is the media type; empty means the type registered for
	// the file name's extension, else application/octet-stream.
	ContentType string

	Data   []byte    // the content
	Reader io.Reader // read to its end when the message is rendered
	Path   string    // a file read when the message is rendered
}

// Envelope is one rendered message: the SMTP envelope and the exact bytes
// of the message, as [Mailer.Send] transmits them.
type Envelope struct {
	From      string   // MAIL FROM: the application's address
	To        []string // RCPT TO: every To, Cc and Bcc address
	MessageID string   // the Message-ID field, with angle brackets
	Resource  string   // the resource id the message carries
	Data      []byte   // the message: CRLF line endings, 7-bit
}

// headerAllowed lists the extra fields a Message may set, canonical case.
var headerAllowed = map[string]bool{
	"Comments": true, "Keywords": true, "Importance": true, "Priority": true,
	"Sensitivity": true, "Organization": true,
	"List-Unsubscribe": true, "List-Unsubscribe-Post": true, "List-Help": true,
	"List-Owner": true, "List-Archive": true, "List-Subscribe": true, "List-Post": true,
}

// field is one extra header field, its name checked, its value raw.
type field struct {
	name, value string
	uri         bool // a List-* field: URIs, written as given (ASCII only)
}

// extraFields checks h's names against the allow-list and returns its
// fields in name order; their values are checked as they are written.
func extraFields(h map[string]string) ([]field, error) {
	out := make([]field, 0, len(h))
	for name, value := range h {
		if err := checkFieldName(name); err != nil {
			return nil, err
		}
		canon := textproto.CanonicalMIMEHeaderKey(name)
		if !headerAllowed[canon] && (!strings.HasPrefix(canon, "X-") || canon == "X-Auto-Response-Suppress") {
			return nil, fmt.Errorf("header %q is not allowed (allowed: X-*, %s)", name, strings.Join(allowedNames(), ", "))
		}
		out = append(out, field{name, value, strings.HasPrefix(canon, "List-")})
	}
	canon := textproto.CanonicalMIMEHeaderKey
	sort.Slice(out, func(i, j int) bool { return canon(out[i].name) < canon(out[j].name) })
	for i := 1; i < len(out); i++ {
		if canon(out[i].name) == canon(out[i-1].name) {
			return nil, fmt.Errorf("header %s given twice (names are case-insensitive)", canon(out[i].name))
		}
	}
	return out, nil
}

func allowedNames() []string {
	names := make([]string, 0, len(headerAllowed))
	for n := range headerAllowed {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// checkFieldName checks a header field name (RFC 5322 §3.6.8).
func checkFieldName(name string) error {
	if name == "" {
		return fmt.Errorf("empty header name")
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 || c == ':' {
			return fmt.Errorf("header name %q: octet 0x%02x not allowed", name, c)
		}
	}
	return nil
}

// file is an attachment read into memory and checked.
type file struct {
	name, contentType string
	data              []byte
}

// readAttachments reads and checks every attachment, so that a missing
// file or a bad name fails before anything is sent or written.
func readAttachments(atts []Attachment) ([]file, error) {
	out := make([]file, 0, len(atts))
	for i, a := range atts {
		f, err := readAttachment(a)
		if err != nil {
			name := a.Filename
			if name == "" {
				name = a.Path
			}
			return nil, fmt.Errorf("attachment %d (%q): %w", i, name, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// readAttachment checks a's source, file name and content type, and
// reads its content.
func readAttachment(a Attachment) (file, error) {
	sources := 0
	if a.Data != nil {
		sources++
	}
	if a.Reader != nil {
		sources++
	}
	if a.Path != "" {
		sources++
	}
	if sources != 1 {
		return file{}, fmt.Errorf("want exactly one of Data, Reader and Path, have %d", sources)
	}
	f := file{name: a.Filename, contentType: a.ContentType, data: a.Data}
	if f.name == "" && a.Path != "" {
		f.name = filepath.Base(a.Path)
	}
	if f.name == "" {
		return file{}, fmt.Errorf("no file name")
	}
	if err := checkHeaderText("file name", f.name); err != nil {
		return file{}, err
	}
	if strings.ContainsAny(f.name, `/\`) {
		return file{}, fmt.Errorf("file name %q contains a path separator", f.name)
	}
	var err error
	if f.contentType, err = attachmentType(a.ContentType, f.name); err != nil {
		return file{}, err
	}
	switch {
	case a.Reader != nil:
		if f.data, err = io.ReadAll(a.Reader); err != nil {
			return file{}, fmt.Errorf("read: %w", err)
		}
	case a.Path != "":
		if f.data, err = os.ReadFile(a.Path); err != nil {
			return file{}, err
		}
	}
	return f, nil
}

// attachmentType returns the checked Content-Type of an attachment named
// name: ct, or when ct is empty the type of the name's extension
// (application/octet-stream when unknown), without a name parameter.
func attachmentType(ct, name string) (string, error) {
	given := ct
	if ct == "" {
		ct = mime.TypeByExtension(filepath.Ext(name))
		if ct == "" {
			ct = "application/octet-stream"
		}
	}
	if err := checkHeaderText("content type", ct); err != nil {
		return "", err
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", fmt.Errorf("content type %q: %w", ct, err)
	}
	if strings.HasPrefix(mt, "multipart/") || strings.HasPrefix(mt, "message/") {
		return "", fmt.Errorf("content type %q cannot be an attachment of this kind", mt)
	}
	delete(params, "name") // written from the file name
	if ct = mime.FormatMediaType(mt, params); ct == "" {
		return "", fmt.Errorf("content type %q cannot be written", given)
	}
	return ct, nil
}

// fileParam formats the parameter name=value for a file name: a quoted
// string when the name is short printable ASCII, otherwise the RFC 2231
// extended form in UTF-8 with percent-escaped octets, split into numbered sections
// (name*0*=, name*1*=, …) that each fit a folded line. Sections are
// separated by "; " so that the header can fold between them.
func fileParam(param, name string) string {
	plain := len(name) <= 60
	for i := 0; i < len(name) && plain; i++ {
		if c := name[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '%' {
			plain = false
		}
	}
	if plain && !strings.Contains(name, "=?") {
		return param + `="` + name + `"`
	}
	var enc []string
	var cur bytes.Buffer
	cur.WriteString("utf-8''")
	const room = 60
	for _, r := range name {
		var one bytes.Buffer
		for _, c := range []byte(string(r)) {
			if isAttrChar(c) {
				one.WriteByte(c)
			} else {
				fmt.Fprintf(&one, "%%%02X", c)
			}
		}
		if cur.Len()+one.Len() > room {
			enc = append(enc, cur.String())
			cur.Reset()
		}
		cur.Write(one.Bytes())
	}
	enc = append(enc, cur.String())
	if len(enc) == 1 {
		return param + "*=" + enc[0]
	}
	parts := make([]string, len(enc))
	for i, e := range enc {
		parts[i] = fmt.Sprintf("%s*%d*=%s", param, i, e)
	}
	return strings.Join(parts, "; ")
}

// isAttrChar reports whether c may appear unescaped in an RFC 2231
// extended value: attribute-char, less "'", "*", "%" (RFC 2231 §7).
func isAttrChar(c byte) bool {
	if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
