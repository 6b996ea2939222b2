package inbound

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/charset"
	"github.com/mailtrail/mailtrail/internal/jsonout"
)

// streamSeeds are bodies in the shapes that the streamed JSON must write
// as encoding/json does: charsets, invalid UTF-8, every line break, HTML
// and control characters, and non-text bodies.
var streamSeeds = []string{
	"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nV=E9hicule <ok> & \"x\" \\ \t\r\nlone\rCR=01=7F=80\r\n",
	"Content-Type: text/plain; charset=utf-8\r\n\r\nok \xe2\x80\xa8 \xe2\x80\xa9 \xff\xfe bad \xc3 \xe2\x82\x00\x1b\x08\x0c\r\n",
	"Content-Type: text/plain\r\n\r\nCaf\xe9 \x80 \x81\r\r\n",
	"Content-Type: text/plain; charset=shift_jis\r\n\r\n\x82\xb1\x82\xf1\r\n",
	"Content-Type: text/plain; charset=x-unknown\r\n\r\nH\xe9llo\r\n",
	"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b\r\nContent-Type: application/json\r\n\r\n{\"a\": \"<b>\"}\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nx\r\n--b--\r\n",
}

// checkStream checks that the JSON of m written with its bodies streamed
// is the JSON encoding/json writes from m.ASGI(), indented and compact,
// and that each text is its body decoded and its line breaks made LF.
func checkStream(t *testing.T, m *Message) {
	t.Helper()
	m.Walk(func(p *Part) error {
		s, _ := charset.Decode(p.Body, p.Charset)
		want := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		if got, _ := p.Text(); got != want {
			t.Errorf("Text() = %q, want %q", got, want)
		}
		return nil
	})
	var want, got bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m.ASGI()); err != nil {
		t.Fatal(err)
	}
	if err := jsonout.NewWriter(&got, "  ").Encode(m.ASGIStream()); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("streamed JSON =\n%s\nwant\n%s", got.String(), want.String())
	}
	a, err1 := json.Marshal(m.ASGI())
	b, err2 := json.Marshal(m.ASGIStream())
	if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
		t.Errorf("json.Marshal(ASGIStream()) = %s, %v; want %s, %v", b, err2, a, err1)
	}
}

func TestASGIStream_matchesASGI(t *testing.T) {
	for _, seed := range streamSeeds {
		m, err := Parse(strings.NewReader("From: a@example.com\r\nSubject: s\r\n" + seed))
		if err != nil {
			t.Fatal(err)
		}
		checkStream(t, m)
	}
}

func FuzzASGIStream(f *testing.F) {
	for _, s := range streamSeeds {
		f.Add([]byte("Subject: s\r\n" + s))
	}
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := ParseBytes(t.Context(), raw, &Options{MaxParts: 50})
		if err != nil {
			return
		}
		checkStream(t, m)
	})
}
