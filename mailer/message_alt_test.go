package mailer

import (
	"bytes"
	"fmt"
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

// sameAsGoMail checks that buildAlternative gives what go-mail's path
// gives for parts: the same bytes, or the same error.
func sameAsGoMail(t *testing.T, parts *render.Parts, boundary func(int) string) {
	t.Helper()
	got, err1 := buildAlternative(parts, boundary)
	want, err2 := buildBodyGoMail(parts, JSONAlternative, nil, boundary)
	if (err1 == nil) != (err2 == nil) {
		t.Fatalf("buildAlternative error %v, go-mail path %v", err1, err2)
	}
	if err1 != nil {
		if err1.Error() != err2.Error() {
			t.Fatalf("buildAlternative error %q, go-mail path %q", err1, err2)
		}
		return
	}
	if got.contentType != want.contentType {
		t.Errorf("Content-Type %q, go-mail path %q", got.contentType, want.contentType)
	}
	if !bytes.Equal(got.body, want.body) {
		i := 0
		for i < len(got.body) && i < len(want.body) && got.body[i] == want.body[i] {
			i++
		}
		t.Fatalf("body differs from the go-mail path at octet %d\n got …%q\nwant …%q", i, got.body[max(0, i-80):min(len(got.body), i+80)], want.body[max(0, i-80):min(len(want.body), i+80)])
	}
}

func fixedBoundary(int) string { return "=_b1" }

// TestBuildAlternative_sameAsGoMail proves the shortcut: for the golden
// messages' parts, every workload record, the QP edge cases and parts that
// go to base64, the body is byte for byte what go-mail writes.
func TestBuildAlternative_sameAsGoMail(t *testing.T) {
	cases := map[string]*render.Parts{}
	for _, tc := range goldenCases() {
		cases["golden "+tc.name] = tc.parts
	}
	for name, s := range qpCases() {
		cases["qp "+name] = &render.Parts{Text: s, HTML: "<p>" + s + "</p>", JSON: []byte(`{"s":"` + s + `"}`)}
	}
	cases["base64 text"] = &render.Parts{Text: strings.Repeat("Данные\r\nпример\n", 20), HTML: strings.Repeat("é", 90), JSON: []byte("{\n}")}
	cases["empty"] = &render.Parts{}
	cases["boundary in content"] = &render.Parts{Text: "a\n--=_b1\nb", HTML: "x", JSON: []byte("{}")}
	cases["boundary in json"] = &render.Parts{Text: "a", HTML: "x", JSON: []byte(`{"a":"--=_b1"}`)}

	tpl, ropts := benchWorkload(t)
	m := benchMailer(t, ropts)
	for i, rec := range benchRecords(t) {
		parts, err := m.renderer.Render(tpl, rec.Data)
		if err != nil {
			t.Fatal(err)
		}
		cases["workload "+string(rune('A'+i/26))+string(rune('a'+i%26))] = parts
	}
	for name, parts := range cases {
		t.Run(name, func(t *testing.T) {
			sameAsGoMail(t, parts, fixedBoundary)
			sameAsGoMail(t, parts, func(int) string { return "=_0123456789abcdef0123456789abcdef" })
		})
	}
	t.Run("bad boundary", func(t *testing.T) {
		sameAsGoMail(t, sampleParts, func(int) string { return "bad\"boundary" })
	})
}

// FuzzBuildAlternative checks the shortcut against go-mail on any parts.
func FuzzBuildAlternative(f *testing.F) {
	for _, tc := range goldenCases() {
		f.Add(tc.parts.Text, tc.parts.HTML, tc.parts.JSON)
	}
	f.Add("a\r\xc3\nb", "--=_b1", []byte("\r"))
	f.Fuzz(func(t *testing.T, text, html string, js []byte) {
		sameAsGoMail(t, &render.Parts{Text: text, HTML: html, JSON: js}, fixedBoundary)
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
