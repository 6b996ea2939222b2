package mailer

import (
	"bytes"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAppendField(t *testing.T) {
	tests := []struct {
		name, field, value string
		want               string
	}{
		{"short", "Subject", "hello world", "Subject: hello world\r\n"},
		{"empty", "Subject", "", "Subject: \r\n"},
		{
			"folds before a space",
			"To", strings.Repeat("abcdefghi ", 9) + "end",
			"To: abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi\r\n abcdefghi abcdefghi end\r\n",
		},
		{
			"never inside a run of spaces",
			"X-A", strings.Repeat("a", 70) + "  " + strings.Repeat("b", 10) + " c",
			"X-A: " + strings.Repeat("a", 70) + "  " + strings.Repeat("b", 10) + "\r\n c\r\n",
		},
		{"first word stays on the name line", "Message-ID", "<" + strings.Repeat("m", 80) + ">", "Message-ID: <" + strings.Repeat("m", 80) + ">\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := appendField(nil, tc.field, tc.value)
			if err != nil {
				t.Fatalf("appendField(%q, %q) = %v", tc.field, tc.value, err)
			}
			if string(got) != tc.want {
				t.Errorf("appendField(%q, %q) =\n%q\nwant\n%q", tc.field, tc.value, got, tc.want)
			}
		})
	}
}

func TestAppendField_errors(t *testing.T) {
	tests := []struct{ name, field, value, want string }{
		{"unfoldable", "X-A", strings.Repeat("x", 1000), "998"},
		{"8-bit", "X-A", "caf\xc3\xa9", "ASCII"},
		{"CR", "X-A", "a\rb", "carriage return"},
		{"LF", "X-A", "a\nb", "line feed"},
		{"NUL", "X-A", "a\x00b", "NUL"},
		{"escape", "X-A", "a\x1b[0mb", "control"},
		{"DEL", "X-A", "a\x7f", "control"},
		{"name with colon", "X-A:b", "v", "header name"},
		{"name with LF", "X-A\nBcc", "v", "header name"},
		{"empty name", "", "v", "empty header name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := appendField(nil, tc.field, tc.value)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("appendField(%q, %q) = %q, %v, want an error containing %q", tc.field, tc.value, got, err, tc.want)
			}
		})
	}
}

func TestEncodeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Vehicle check", "Vehicle check"},
		{"[a74e22bb] Contrôle AB-12", "[a74e22bb] =?utf-8?q?Contr=C3=B4le?= AB-12"},
		{"été à Paris", "=?utf-8?q?=C3=A9t=C3=A9_=C3=A0?= Paris"},
		{"trailing ", "=?utf-8?q?trailing_?="},
		{"=?utf-8?q?x?=", "=?utf-8?q?=3D=3Futf-8=3Fq=3Fx=3F=3D?="},
	}
	for _, tc := range tests {
		if got := encodeText(tc.in); got != tc.want {
			t.Errorf("encodeText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// headerSeeds are the fuzz seeds: the subjects of the golden cases and
// some awkward ones.
func headerSeeds(f *testing.F) {
	for _, tc := range goldenCases() {
		f.Add(tc.parts.Subject)
	}
	for _, s := range []string{"", " ", "a  b", "é", "😀x", "=?", "?=", "_", "a\tb", strings.Repeat("x", 200), "Re: [r1] done"} {
		f.Add(s)
	}
	// The display names of the golden files.
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		msg, err := mail.ReadMessage(bytes.NewReader(data))
		if err != nil {
			continue
		}
		if list, err := msg.Header.AddressList("To"); err == nil {
			for _, a := range list {
				f.Add(a.Name)
			}
		}
	}
}

// FuzzEncodeText checks that any subject that passes checkHeaderText is
// written in folded lines of at most 78 octets and decodes back exactly
// through net/mail and mime.WordDecoder.
func FuzzEncodeText(f *testing.F) {
	headerSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		if checkHeaderText("s", s) != nil {
			return
		}
		b, err := appendField(nil, "Subject", encodeText(s))
		if err != nil {
			t.Fatalf("appendField(encodeText(%q)) = %v", s, err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
			if len(line) > foldWidth {
				t.Errorf("line of %d octets: %q", len(line), line)
			}
			if strings.TrimSpace(line) == "" {
				t.Errorf("whitespace-only line in %q", b)
			}
		}
		msg, err := mail.ReadMessage(bytes.NewReader(append(b, "\r\n"...)))
		if err != nil {
			t.Fatalf("ReadMessage(%q) = %v", b, err)
		}
		got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			t.Fatalf("DecodeHeader(%q) = %v", msg.Header.Get("Subject"), err)
		}
		if got != s {
			t.Errorf("round trip of %q = %q (wire %q)", s, got, b)
		}
	})
}

// FuzzFormatAddress checks that a display name and address accepted by
// parseAddress come back unchanged through net/mail.
func FuzzFormatAddress(f *testing.F) {
	headerSeeds(f)
	f.Fuzz(func(t *testing.T, name string) {
		in := (&mail.Address{Name: name, Address: "p.q+r@example.net"}).String()
		a, err := parseAddress("To", in)
		if err != nil {
			return
		}
		b, err := appendField(nil, "To", formatAddress(a))
		if err != nil {
			t.Fatalf("appendField(%q) = %v", formatAddress(a), err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(append(b, "\r\n"...)))
		if err != nil {
			t.Fatalf("ReadMessage(%q) = %v", b, err)
		}
		list, err := msg.Header.AddressList("To")
		if err != nil {
			t.Fatalf("AddressList(%q) = %v", b, err)
		}
		if len(list) != 1 || list[0].Name != a.Name || list[0].Address != a.Addr {
			t.Errorf("round trip of %q = %+v (wire %q)", a.Name, list, b)
		}
	})
}

// FuzzFileParam checks that an attachment name comes back unchanged from
// its folded Content-Disposition through mime.ParseMediaType.
func FuzzFileParam(f *testing.F) {
	headerSeeds(f)
	f.Fuzz(func(t *testing.T, name string) {
		if name == "" || checkHeaderText("name", name) != nil || strings.ContainsAny(name, `/\`) {
			return
		}
		v, err := foldedValue("Content-Disposition", "attachment; "+fileParam("filename", name))
		if err != nil {
			t.Fatalf("foldedValue(%q) = %v", name, err)
		}
		for _, line := range strings.Split(v, "\r\n") {
			if len(line) > maxLine {
				t.Fatalf("line of %d octets", len(line))
			}
		}
		_, params, err := mime.ParseMediaType(strings.ReplaceAll(v, "\r\n", ""))
		if err != nil {
			t.Fatalf("ParseMediaType(%q) = %v", v, err)
		}
		if params["filename"] != name {
			t.Errorf("filename round trip of %q = %q (wire %q)", name, params["filename"], v)
		}
	})
}

// FuzzParseAddress checks that any address parseAddress accepts is safe
// on an SMTP command line and in a header, and comes back unchanged
// through net/mail.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{
		"a@example.net", "Émilie <e@example.net>", `"a@b> ORCPT=c"@d`, "a@b\r\nRCPT TO:<x>",
		`"Dupont, E" <e.d+tag@mail.example.org>`, "=?utf-8?q?=C3=89?= <x@y.z>", "a@[127.0.0.1]", "<a@b.c>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseAddress("To", s)
		if err != nil {
			return
		}
		if strings.ContainsAny(a.Addr, "<> \t\r\n\x00\"") || checkAddrSpec(a.Addr) != nil {
			t.Fatalf("parseAddress(%q) accepted addr-spec %q", s, a.Addr)
		}
		b, err := appendField(nil, "To", formatAddress(a))
		if err != nil {
			t.Fatalf("appendField(%q) = %v", formatAddress(a), err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(append(b, "\r\n"...)))
		if err != nil {
			t.Fatalf("ReadMessage(%q) = %v", b, err)
		}
		list, err := msg.Header.AddressList("To")
		if err != nil || len(list) != 1 || list[0].Name != a.Name || list[0].Address != a.Addr {
			t.Errorf("round trip of %q: %+v, %v (wire %q)", s, list, err, b)
		}
	})
}
