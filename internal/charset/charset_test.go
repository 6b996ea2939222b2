package charset

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeHeader(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"plain", "Vehicle check", "Vehicle check"},
		{"Q UTF-8", "=?UTF-8?Q?R=C3=A9p._:_[a74e22bb]?=", "Rép. : [a74e22bb]"},
		{"B UTF-8", "=?UTF-8?B?UmU6IFthNzRlMjJiYl0=?=", "Re: [a74e22bb]"},
		{"adjacent words join", "=?UTF-8?Q?Re:_[a74e?= =?UTF-8?Q?22bb]_x?=", "Re: [a74e22bb] x"},
		{"latin1", "=?ISO-8859-1?Q?R=E9p?=", "Rép"},
		{"cp1252 quirk", "=?cp1252?Q?=84x=93?=", "„x“"},
		{"text around words", "AW: =?UTF-8?Q?Contr=C3=B4le?= [42]", "AW: Contrôle [42]"},
		{"unknown charset kept", "=?x-unknown?Q?R=E9p?= : [a74e22bb]", "=?x-unknown?Q?R=E9p?= : [a74e22bb]"},
		{"broken word kept, others decoded", "=?UTF-8?Q?Re:?= =?UTF-8?B?###?= =?UTF-8?Q?=C3=A9?= [a]", "Re: =?UTF-8?B?###?= é [a]"},
		{"raw UTF-8 (RFC 6532)", "Réponse", "Réponse"},
		{"raw 8-bit is windows-1252", "R\xe9ponse", "Réponse"},
		{"not a word", "a =? b ?= c", "a =? b ?= c"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := DecodeHeader(tt.in); got != tt.want {
				t.Errorf("DecodeHeader(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	for _, tt := range []struct {
		name, charset string
		in            []byte
		want          string
		known         bool
	}{
		{"no charset, UTF-8", "", []byte("café"), "café", true},
		{"no charset, 8-bit", "", []byte("caf\xe9"), "café", true},
		{"us-ascii mislabelled", "us-ascii", []byte("caf\xe9"), "café", true},
		{"invalid UTF-8", "utf-8", []byte("caf\xff"), "caf\uFFFD", true},
		{"iso-8859-15", "ISO-8859-15", []byte("\xa4"), "€", true},
		{"quoted label", `"koi8-r"`, []byte("\xc1"), "а", true},
		{"underscore label", "iso_8859-2", []byte("\xb1"), "ą", true},
		{"shift_jis", "shift_jis", []byte("\x82\xa0"), "あ", true},
		{"unknown, UTF-8", "x-unknown", []byte("café"), "café", false},
		{"unknown, 8-bit", "x-unknown", []byte("caf\xe9"), "café", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, known := Decode(tt.in, tt.charset)
			if got != tt.want || known != tt.known {
				t.Errorf("Decode(%q, %q) = %q, %v; want %q, %v", tt.in, tt.charset, got, known, tt.want, tt.known)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	for _, tt := range []struct {
		name      string
		ascii, ok bool
	}{
		{"", true, true}, {"US-ASCII", true, true}, {"utf8", true, true},
		{"latin1", false, true}, {"windows-1251", false, true}, {"x-cp1250", false, true},
		{"GB2312", false, true}, {"x-unknown", false, false},
	} {
		_, ascii, ok := Lookup(tt.name)
		if ascii != tt.ascii || ok != tt.ok {
			t.Errorf("Lookup(%q) = _, %v, %v; want %v, %v", tt.name, ascii, ok, tt.ascii, tt.ok)
		}
	}
}

// FuzzDecodeHeader checks that any header value decodes to valid UTF-8
// without panicking, and that one without encoded words or 8-bit bytes
// comes back unchanged.
func FuzzDecodeHeader(f *testing.F) {
	for _, s := range []string{"Vehicle check", "=?UTF-8?Q?R=C3=A9p._:_[a74e22bb]?=", "=?UTF-8?Q?a?= =?UTF-8?B?###?=",
		"=?x?Q?[?=", "R\xe9ponse", "=?UTF-8?B?UmU6IFthNzRlMjJiYl0=?= x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := DecodeHeader(s)
		if !utf8.ValidString(got) {
			t.Errorf("DecodeHeader(%q) = %q, not valid UTF-8", s, got)
		}
		if utf8.ValidString(s) && !strings.Contains(s, "=?") && got != s {
			t.Errorf("DecodeHeader(%q) = %q, want it unchanged", s, got)
		}
	})
}
