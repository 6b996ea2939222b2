package inbound

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"strings"
	"testing"
)

func TestParse_empty(t *testing.T) {
	for _, in := range []string{"", " \r\n\t\n", "\xef\xbb\xbf\r\n"} {
		if m, err := Parse(strings.NewReader(in)); !errors.Is(err, ErrEmpty) {
			t.Errorf("Parse(%q) = %v, %v, want ErrEmpty", in, m, err)
		}
	}
}

// repeatReader yields n bytes of a repeated pattern without holding them.
type repeatReader struct {
	pattern []byte
	n, off  int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	i := 0
	for i < len(p) && r.off < r.n {
		p[i] = r.pattern[r.off%int64(len(r.pattern))]
		i++
		r.off++
	}
	return i, nil
}

func TestParse_tooLarge(t *testing.T) {
	const size = 50 << 20
	head := "From: a@example.com\r\nSubject: big\r\n\r\n"
	r := io.MultiReader(strings.NewReader(head), &repeatReader{pattern: []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd\r\n"), n: size})
	m, err := Parse(r)
	var se *SizeError
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &se) || se.Limit != DefaultMaxSize {
		t.Fatalf("Parse(50 MB) = %v, %v, want *SizeError{%d}", m, err, DefaultMaxSize)
	}
	// A smaller limit through Options.
	_, err = ParseWith(strings.NewReader(head+strings.Repeat("x", 2000)), &Options{MaxSize: 1000})
	if !errors.As(err, &se) || se.Limit != 1000 {
		t.Errorf("ParseWith(MaxSize 1000) error = %v, want *SizeError{1000}", err)
	}
}

func TestParse_manyParts(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: a@example.com\nContent-Type: multipart/mixed; boundary=X\n\n")
	for i := 0; i < 10000; i++ {
		b.WriteString("--X\nContent-Type: text/plain\n\npart\n")
	}
	b.WriteString("--X--\n")
	m, err := Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	m.Walk(func(*Part) error { n++; return nil })
	if n > DefaultMaxParts {
		t.Errorf("parsed %d parts, want at most %d", n, DefaultMaxParts)
	}
	if !hasDefect(m.Content, DefectPartLimit) {
		t.Errorf("root defects = %q, want %q", m.Content.Defects, DefectPartLimit)
	}
	if len(m.Content.Parts) != DefaultMaxParts-1 {
		t.Errorf("root has %d parts, want %d", len(m.Content.Parts), DefaultMaxParts-1)
	}
}

func TestParse_deepNesting(t *testing.T) {
	for _, depth := range []int{25, 5000} {
		var b strings.Builder
		b.WriteString("From: a@example.com\n")
		for i := 0; i < depth; i++ {
			b.WriteString("Content-Type: multipart/mixed; boundary=b" + itoa(i%10) + strings.Repeat("x", i/10) + "\n\n--b" + itoa(i%10) + strings.Repeat("x", i/10) + "\n")
		}
		b.WriteString("Content-Type: text/plain\n\ndeep\n")
		m, err := Parse(strings.NewReader(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		maxDepth := 0
		var walk func(p *Part, d int)
		walk = func(p *Part, d int) {
			maxDepth = max(maxDepth, d)
			for _, c := range p.Parts {
				walk(c, d+1)
			}
		}
		walk(m.Content, 0)
		if maxDepth > DefaultMaxDepth {
			t.Errorf("depth %d: parsed %d levels, want at most %d", depth, maxDepth, DefaultMaxDepth)
		}
		found := false
		for _, d := range m.Defects {
			found = found || d == DefectDepthLimit
		}
		if !found {
			t.Errorf("depth %d: defects = %q, want %q", depth, m.Defects, DefectDepthLimit)
		}
	}
}

func TestParse_garbage(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 50; i++ {
		b := make([]byte, rng.Intn(4096)+1)
		rng.Read(b)
		m, err := Parse(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrEmpty) {
				t.Errorf("Parse(garbage %d) error = %v", i, err)
			}
			continue
		}
		if _, err := m.MarshalJSON(); err != nil {
			t.Errorf("MarshalJSON(garbage %d) error = %v", i, err)
		}
	}
}

func TestParse_lenient(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		subject string
		text    string // of the preferred text part
		defects []Defect
	}{
		{"truncated header", "From: a@example.com\r\nSubject: hel", "hel", "", nil},
		{"no separator", "Subject: hi\nthis is the body\n", "hi", "this is the body\n", []Defect{DefectMissingHeaderBodySeparator}},
		{"CR line endings", "Subject: cr\rContent-Type: text/plain\r\rbody\rline\r", "cr", "body\nline\n", nil},
		{"mixed line endings", "Subject: mixed\r\nX-A: 1\nContent-Type: text/plain\r\n\nbody\r\nline\n", "mixed", "body\nline\n", nil},
		{"UTF-8 byte order mark", "\xef\xbb\xbfSubject: bom\r\n\r\nbody\r\n", "bom", "body\n", nil},
		{"blank lines before the header", "\r\n\n\r\nSubject: blank\r\n\r\nbody\r\n", "blank", "body\n", nil},
		{"mbox From line", "From someone@example.com Tue Mar  3 09:00:00 2026\nSubject: mbox\n\nbody\n", "mbox", "body\n", nil},
		{"RFC 2047 ISO-8859-1", "Subject: =?ISO-8859-1?Q?R=E9ponse_=E0_vous?=\n\nx", "Réponse à vous", "x", nil},
		{"RFC 2047 split words", "Subject: =?UTF-8?B?w6k=?= =?UTF-8?Q?t=C3=A9?=\n\nx", "été", "x", nil},
		{"8-bit Latin-1 header", "Subject: caf\xe9\n\nx", "café", "x", nil},
		{"8-bit UTF-8 header", "Subject: café\n\nx", "café", "x", nil},
		{"unknown encoded word charset", "Subject: =?x-klingon?Q?abc?=\n\nx", "=?x-klingon?Q?abc?=", "x", nil},
		{"ISO-8859-1 body", "Subject: s\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nd=E9j=E0 vu=\n, merci\n", "s", "déjà vu, merci\n", nil},
		{"base64 UTF-8 body", "Subject: s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nw6lj\nb2xl\n", "s", "école", nil},
		{"bad base64", "Subject: s\nContent-Transfer-Encoding: base64\n\nw6lj*b2xl!", "s", "école", []Defect{DefectBadBase64}},
		{"bad quoted-printable", "Subject: s\nContent-Transfer-Encoding: quoted-printable\n\na=ZZb=4", "s", "a=ZZb=4", []Defect{DefectBadQuotedPrintable}},
		{"unknown charset", "Subject: s\nContent-Type: text/plain; charset=x-klingon\n\nqapla\xe9", "s", "qaplaé", []Defect{DefectUnknownCharset}},
		{"Shift_JIS", "Subject: s\nContent-Type: text/plain; charset=Shift_JIS\n\n\x93\xfa\x96\x7b", "s", "日本", nil},
		{"windows-1252 alias", "Subject: s\nContent-Type: text/plain; charset=cp1252\n\n\x80", "s", "€", nil},
		{"unclosed multipart", "Subject: s\nContent-Type: multipart/mixed; boundary=B\n\n--B\n\nfirst\n", "s", "first", []Defect{DefectCloseBoundaryNotFound}},
		{"no boundary", "Subject: s\nContent-Type: multipart/mixed\n\nloose\n", "s", "", []Defect{DefectNoBoundary, DefectMultipartInvariant}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Parse() error = %v", err)
			}
			if got := m.Subject(); got != tt.subject {
				t.Errorf("Subject() = %q, want %q", got, tt.subject)
			}
			text := ""
			if p := m.BodyPart("text/plain"); p != nil {
				text, _ = p.Text()
			}
			if text != tt.text {
				t.Errorf("text = %q, want %q", text, tt.text)
			}
			var got []Defect
			m.Walk(func(p *Part) error { got = append(got, p.Defects...); return nil })
			if strings.Join(defectStrings(got), ",") != strings.Join(defectStrings(tt.defects), ",") {
				t.Errorf("defects = %q, want %q", got, tt.defects)
			}
		})
	}
}

func defectStrings(ds []Defect) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = string(d)
	}
	return out
}

func TestPart_Text_unknownCharset(t *testing.T) {
	p := &Part{Body: []byte("caf\xe9"), Charset: "x-klingon"}
	s, err := p.Text()
	if !errors.Is(err, ErrUnknownCharset) || s != "café" {
		t.Errorf("Text() = %q, %v, want %q, ErrUnknownCharset", s, err, "café")
	}
}

func TestParseParams(t *testing.T) {
	tests := []struct {
		in, mt string
		params map[string]string
	}{
		{`text/plain; charset="utf-8"`, "text/plain", map[string]string{"charset": "utf-8"}},
		{`Multipart/Mixed; boundary="a;b"; x=1`, "multipart/mixed", map[string]string{"boundary": "a;b", "x": "1"}},
		{`attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`, "attachment", map[string]string{"filename": "résumé.pdf"}},
		{`attachment; filename*0="long"; filename*1="name.txt"`, "attachment", map[string]string{"filename": "longname.txt"}},
		{`attachment; filename*0*=iso-8859-1''caf%E9; filename*1=".txt"`, "attachment", map[string]string{"filename": "café.txt"}},
		{`attachment; filename="=?UTF-8?B?w6l0w6kucG5n?="`, "attachment", map[string]string{"filename": "été.png"}},
		{`text/plain; ; junk; charset=us-ascii;`, "text/plain", map[string]string{"charset": "us-ascii"}},
		{`text/plain; name="a \"q\" b"`, "text/plain", map[string]string{"name": `a "q" b`}},
	}
	for _, tt := range tests {
		mt, params := parseParams(tt.in)
		if mt != tt.mt || len(params) != len(tt.params) {
			t.Errorf("parseParams(%q) = %q, %q, want %q, %q", tt.in, mt, params, tt.mt, tt.params)
			continue
		}
		for k, v := range tt.params {
			if params[k] != v {
				t.Errorf("parseParams(%q)[%q] = %q, want %q", tt.in, k, params[k], v)
			}
		}
	}
}
