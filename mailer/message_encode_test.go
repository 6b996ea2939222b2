package mailer

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/render"
)

// stdlibQP is the reference appendQP must match: mime/quotedprintable.
func stdlibQP(s string) []byte {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

// qpCases are inputs at the edges of quoted-printable: line lengths around
// 76 with plain, encoded and trailing white space characters, every kind
// of line end, the CR-encoded-LF quirk.
func qpCases() map[string]string {
	cases := map[string]string{
		"empty":              "",
		"plain":              "Dear partner,\n\nPlease check.\n",
		"equals":             "a=b==c=\n=",
		"trailing space":     "end with space \nand tab\t\nlast ",
		"only spaces":        "   \n\t\t\n ",
		"crlf":               "a\r\nb\rc\n\rd\r\r\n",
		"cr encoded lf":      "a\r\xc3\nb\r=\nc",
		"utf8":               "Contrôle du véhicule — à faire 😀\n",
		"controls":           "\x00\x01\x7f\x1b[0m\x0b\x0c",
		"long plain":         strings.Repeat("x", 300),
		"long utf8":          strings.Repeat("é", 100),
		"long words":         strings.Repeat("word ", 60) + "\n" + strings.Repeat("mot=é ", 40),
		"space at soft":      strings.Repeat("x", 74) + " \n" + strings.Repeat("y", 75) + " \n" + strings.Repeat("z", 73) + "\t",
		"encoded at soft":    strings.Repeat("x", 73) + "=" + strings.Repeat("x", 72) + "é" + strings.Repeat("x", 74) + "=",
		"space before break": strings.Repeat("a", 75) + " b",
	}
	for k := 70; k <= 80; k++ {
		for _, tail := range []string{" ", "\t", "=", "é", "\n", " \n", "\r\n", "x"} {
			cases["len"+string(rune('0'+k/10))+string(rune('0'+k%10))+" "+tail] = strings.Repeat("q", k) + tail + "r"
		}
	}
	return cases
}

func TestAppendQP_sameAsStdlib(t *testing.T) {
	for name, s := range qpCases() {
		t.Run(name, func(t *testing.T) {
			got := appendQP(nil, s)
			if want := stdlibQP(s); !bytes.Equal(got, want) {
				t.Errorf("appendQP(%q)\n got %q\nwant %q", s, got, want)
			}
		})
	}
}

// FuzzAppendQP checks appendQP against mime/quotedprintable on any input.
func FuzzAppendQP(f *testing.F) {
	for _, s := range qpCases() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := appendQP(nil, s), stdlibQP(s); !bytes.Equal(got, want) {
			t.Fatalf("appendQP(%q)\n got %q\nwant %q", s, got, want)
		}
	})
}

// buildBody plans and writes a body, for tests: the Content-Type and the
// encoded body.
func buildBody(parts *render.Parts, placement JSONPlacement, files []file, boundary func(level int) string) (contentType string, body []byte, err error) {
	b, err := planBody(parts, placement, files, boundary)
	if err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	if err := b.write(&buf); err != nil {
		return "", nil, err
	}
	return b.contentType, buf.Bytes(), nil
}

// readBack parses a body written by buildBody with the standard library's
// multipart reader and decoders and returns each leaf's Content-Type and
// decoded content, the alternative's leaves first.
func readBack(t testing.TB, contentType string, body []byte) (types []string, contents [][]byte) {
	t.Helper()
	var walk func(ct string, body io.Reader)
	walk = func(ct string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("Content-Type %q: %v", ct, err)
		}
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", mt, err)
			}
			pct := p.Header.Get("Content-Type")
			if strings.HasPrefix(pct, "multipart/") {
				walk(pct, p)
				continue
			}
			var dec io.Reader = p
			switch cte := p.Header.Get("Content-Transfer-Encoding"); cte {
			case "quoted-printable":
				dec = quotedprintable.NewReader(p)
			case "base64":
				dec = base64.NewDecoder(base64.StdEncoding, p)
			default:
				t.Fatalf("part %s: Content-Transfer-Encoding %q", pct, cte)
			}
			b, err := io.ReadAll(dec)
			if err != nil {
				t.Fatalf("part %s: %v", pct, err)
			}
			types = append(types, pct)
			contents = append(contents, b)
		}
	}
	walk(contentType, bytes.NewReader(body))
	return types, contents
}

// sameContent checks that buildBody's output reads back, through the
// standard library, as the parts and files given: JSON exactly, text with
// canonical CRLF line ends, attachments exactly.
func sameContent(t testing.TB, parts *render.Parts, placement JSONPlacement, files []file) {
	t.Helper()
	ct, body, err := buildBody(parts, placement, files, func(l int) string { return fmt.Sprintf("=_b%d", l+1) })
	if err != nil {
		t.Fatalf("buildBody: %v", err)
	}
	if err := checkWire(body); err != nil {
		t.Fatalf("buildBody: %v", err)
	}
	types, got := readBack(t, ct, body)
	var want [][]byte
	if placement == JSONAlternative {
		want = append(want, parts.JSON)
	}
	want = append(want, []byte(canonicalLines(parts.Text)), []byte(canonicalLines(parts.HTML)))
	if placement == JSONAttachment {
		want = append(want, parts.JSON)
	}
	for _, f := range files {
		want = append(want, f.data)
	}
	if len(got) != len(want) {
		t.Fatalf("read back %d parts %q, want %d", len(got), types, len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) && !(len(got[i]) == 0 && len(want[i]) == 0) {
			t.Fatalf("part %d (%s) reads back as %q, want %q", i, types[i], got[i], want[i])
		}
	}
}

// TestBuildBody_readBack proves the writer on the golden messages' parts,
// every workload record, the quoted-printable edge cases and parts that go
// to base64, with and without attachments.
func TestBuildBody_readBack(t *testing.T) {
	cases := map[string]*render.Parts{}
	for _, tc := range goldenCases() {
		cases["golden "+tc.name] = tc.parts
	}
	for name, s := range qpCases() {
		cases["qp "+name] = &render.Parts{Text: s, HTML: "<p>" + s + "</p>", JSON: []byte(`{"s":"` + s + `"}`)}
	}
	cases["base64 text"] = &render.Parts{Text: strings.Repeat("Данные\r\nпример\n", 20), HTML: strings.Repeat("é", 90), JSON: []byte("{\n}")}
	cases["empty"] = &render.Parts{}
	tpl, ropts := benchWorkload(t)
	m := benchMailer(t, ropts)
	for i, rec := range benchRecords(t) {
		parts, err := m.r.renderer.Render(tpl, rec.Data)
		if err != nil {
			t.Fatal(err)
		}
		cases["workload "+string(rune('A'+i/26))+string(rune('a'+i%26))] = parts
	}
	files := []file{
		{name: "a.pdf", contentType: "application/pdf", data: []byte("%PDF-1.4\n\x00\xff")},
		{name: "é.txt", contentType: "text/plain", data: []byte(strings.Repeat("line\r\n", 40))},
	}
	for name, parts := range cases {
		t.Run(name, func(t *testing.T) {
			sameContent(t, parts, JSONAlternative, nil)
			sameContent(t, parts, JSONAlternative, files)
			sameContent(t, parts, JSONAttachment, nil)
		})
	}
}

// TestBuildBody_boundaries covers the refusals: a boundary that is invalid,
// quoted, a prefix of the other, or found in the content.
func TestBuildBody_boundaries(t *testing.T) {
	one := []file{{name: "a.txt", contentType: "text/plain", data: []byte("x")}}
	tests := []struct {
		name     string
		parts    *render.Parts
		files    []file
		boundary func(int) string
		want     string
	}{
		{"quote", sampleParts, nil, func(int) string { return `bad"boundary` }, "invalid boundary character"},
		{"too long", sampleParts, nil, func(int) string { return strings.Repeat("b", 71) }, "boundary"},
		{"prefix", sampleParts, one, func(l int) string { return strings.Repeat("b", l+1) }, "prefix"},
		{"in text", &render.Parts{Text: "a\n--b1\nb", HTML: "x", JSON: []byte("{}")}, nil, func(int) string { return "b1" }, "occurs in the message content"},
		{"in json", &render.Parts{Text: "a", HTML: "x", JSON: []byte(`{"a":"--b1"}`)}, nil, func(int) string { return "b1" }, "occurs in the message content"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := buildBody(tc.parts, JSONAlternative, tc.files, tc.boundary)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("buildBody() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// FuzzBuildBody checks that any parts read back exactly through the
// standard library, with an attachment and without.
func FuzzBuildBody(f *testing.F) {
	for _, tc := range goldenCases() {
		f.Add(tc.parts.Text, tc.parts.HTML, tc.parts.JSON, []byte("att"))
	}
	f.Add("a\r\xc3\nb", "--=_b1", []byte("\r"), []byte{0, 0xff})
	f.Fuzz(func(t *testing.T, text, html string, js, att []byte) {
		parts := &render.Parts{Text: text, HTML: html, JSON: js}
		sameContent(t, parts, JSONAlternative, nil)
		sameContent(t, parts, JSONAlternative, []file{{name: "f.bin", contentType: "application/octet-stream", data: att}})
	})
}

// checkWireOctets is checkWire as first written, one octet at a time: the
// reference for its word-at-a-time loop.
func checkWireOctets(data []byte) error {
	line, start := 1, 0
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '\r':
			if i+1 >= len(data) || data[i+1] != '\n' {
				return fmt.Errorf("wire: bare CR at line %d", line)
			}
			if i-start > maxLine {
				return fmt.Errorf("wire: line %d is %d octets, more than %d", line, i-start, maxLine)
			}
			i++
			line++
			start = i + 1
		case c == '\n':
			return fmt.Errorf("wire: bare LF at line %d", line)
		case c == 0:
			return fmt.Errorf("wire: NUL octet at line %d", line)
		case c >= 0x80:
			return fmt.Errorf("wire: 8-bit octet 0x%02x at line %d", c, line)
		}
	}
	if start != len(data) {
		return fmt.Errorf("wire: the message does not end with CRLF")
	}
	return nil
}

func sameWireVerdict(t *testing.T, data []byte) {
	t.Helper()
	got, want := checkWire(data), checkWireOctets(data)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("checkWire(%q) = %v, octet loop %v", data, got, want)
	}
}

func TestCheckWire_sameAsOctetLoop(t *testing.T) {
	base := []byte("Subject: x\r\n\r\nHello, partner.\r\n")
	for _, tc := range goldenCases() {
		m := newTestMailer(t, tc.edit)
		env, err := assembleParts(t, m, &tc.msg, tc.parts)
		if err != nil {
			t.Fatal(err)
		}
		sameWireVerdict(t, env.Data)
		base = env.Data
	}
	// Every fault at every offset of the first 40 octets and a few later.
	for _, bad := range []byte{'\r', '\n', 0, 0x80, 0xff} {
		for i := 0; i < len(base); i += 1 + i/40*7 {
			data := bytes.Clone(base)
			data[i] = bad
			sameWireVerdict(t, data)
		}
	}
	for _, n := range []int{990, 997, 998, 999, 1000, 1007, 1008} {
		sameWireVerdict(t, []byte("a: b\r\n"+strings.Repeat("x", n)+"\r\n"))
		sameWireVerdict(t, []byte(strings.Repeat("y", n)+"\r\n"))
	}
	sameWireVerdict(t, []byte("no end"))
	sameWireVerdict(t, []byte("ends in CR\r"))
	sameWireVerdict(t, nil)
}

// FuzzCheckWire checks checkWire against the octet loop on any input.
func FuzzCheckWire(f *testing.F) {
	f.Add([]byte("a: b\r\n\r\nbody\r\n"))
	f.Add([]byte("12345678\r\n1234567\n"))
	f.Add([]byte("é\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) { sameWireVerdict(t, data) })
}
