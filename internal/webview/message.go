package webview

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
)

// Limits on what readMessage walks, so that a hostile message in the sink
// cannot make the viewer spin.
const (
	maxDepth  = 8
	maxParts  = 100
	maxFields = 1000
)

// mailView is what the page shows of a raw message: its header fields in
// wire order (encoded words decoded) and its first text, HTML and JSON parts.
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

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, fmt.Errorf("webview: charset %q: %w", charset, err)
	}
	return enc.NewDecoder().Reader(r), nil
}

// readMessage reads a raw RFC 5322 message (RFC 2045-2047 MIME). It is
// lenient: what it cannot decode it shows raw, and it returns what it found
// together with the first error.
func readMessage(raw []byte) (*mailView, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	fields, hdr, err := readHeader(br)
	v := &mailView{}
	for _, f := range fields {
		v.Headers = append(v.Headers, field{Name: f.Name, Value: decodeWords(f.Value)})
	}
	v.Subject = decodeWords(hdr.Get("Subject"))
	if err != nil {
		return v, err
	}
	count := 0
	err = v.walk(hdr, br, 0, &count)
	return v, err
}

// readHeader reads a header block, keeping the order of the fields, and
// unfolds continuation lines (RFC 5322 section 2.2.3) into one growing
// buffer per field: concatenating strings made a field folded over many
// lines cost time quadratic in its length. At most maxFields fields are
// kept; the lines of the others are read and dropped.
func readHeader(br *bufio.Reader) ([]field, textproto.MIMEHeader, error) {
	var fields []field
	hdr := make(textproto.MIMEHeader)
	var name string // of the field being read; "" when none
	var value []byte
	flush := func() {
		if name == "" {
			return
		}
		v := strings.TrimSpace(string(value))
		fields = append(fields, field{Name: name, Value: v})
		key := textproto.CanonicalMIMEHeaderKey(name)
		hdr[key] = append(hdr[key], v)
		name = ""
	}
	for {
		line, err := br.ReadString('\n')
		trimmed := strings.TrimRight(line, "\r\n")
		if trimmed == "" {
			flush()
			if err != nil && !errors.Is(err, io.EOF) {
				return fields, hdr, fmt.Errorf("webview: header: %w", err)
			}
			return fields, hdr, nil
		}
		if trimmed[0] == ' ' || trimmed[0] == '\t' {
			if name != "" {
				value = append(value, ' ')
				value = append(value, strings.TrimSpace(trimmed)...)
			}
		} else if n, v, ok := strings.Cut(trimmed, ":"); ok {
			flush()
			if len(fields) < maxFields {
				name = strings.TrimSpace(n)
				value = append(value[:0], strings.TrimSpace(v)...)
			}
		}
		if err != nil {
			flush()
			if errors.Is(err, io.EOF) {
				return fields, hdr, nil
			}
			return fields, hdr, fmt.Errorf("webview: header: %w", err)
		}
	}
}

func decodeWords(s string) string {
	d, err := wordDecoder.DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}

// walk visits one MIME entity (RFC 2046): a multipart's children in order, or
// a leaf whose body it decodes and keeps when it is the first of its type.
func (v *mailView) walk(hdr textproto.MIMEHeader, body io.Reader, depth int, count *int) error {
	*count++
	if depth > maxDepth || *count > maxParts {
		return errors.New("webview: message nests too deep or has too many parts")
	}
	ctype := hdr.Get("Content-Type")
	if ctype == "" {
		ctype = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mediaType, params = "text/plain", nil
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("webview: %s: %w", mediaType, err)
			}
			if err := v.walk(p.Header, p, depth+1, count); err != nil {
				return err
			}
		}
	}
	disp, dparams, _ := mime.ParseMediaType(hdr.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	attached := disp == "attachment"
	data, err := decodeBody(hdr.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return err
	}
	switch {
	case mediaType == "application/json" && !v.HasJSON:
		v.JSON, v.HasJSON = data, true
	case mediaType == "text/plain" && !attached && !v.HasText:
		v.Text, v.HasText = toUTF8(params["charset"], data), true
	case mediaType == "text/html" && !attached && !v.HasHTML:
		v.HTML, v.HasHTML = toUTF8(params["charset"], data), true
	default:
		if name == "" {
			name = mediaType
		}
		v.Attachments = append(v.Attachments, decodeWords(name))
		return nil
	}
	if attached {
		v.Attachments = append(v.Attachments, decodeWords(name))
	}
	return nil
}

func decodeBody(cte string, body io.Reader) ([]byte, error) {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &stripSpace{r: body})
	default:
		r = body
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return data, fmt.Errorf("webview: decode %s body: %w", cte, err)
	}
	return data, nil
}

// toUTF8 converts text in a declared charset to UTF-8, leaving it as is when
// the charset is unknown.
func toUTF8(charset string, data []byte) string {
	cs := strings.ToLower(charset)
	if cs == "" || cs == "utf-8" || cs == "us-ascii" {
		return string(data)
	}
	enc, err := htmlindex.Get(cs)
	if err != nil {
		return string(data)
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return string(data)
	}
	return string(out)
}

// stripSpace drops CR, LF, space and tab, which base64 bodies are folded with.
type stripSpace struct{ r io.Reader }

func (s *stripSpace) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		j := 0
		for _, c := range p[:n] {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// Subject returns the Subject field of a raw message, RFC 2047 encoded
// words decoded.
func Subject(raw []byte) (string, error) {
	_, hdr, err := readHeader(bufio.NewReader(bytes.NewReader(raw)))
	return decodeWords(hdr.Get("Subject")), err
}
