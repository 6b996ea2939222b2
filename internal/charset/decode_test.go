package charset

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mailtrail/mailtrail/internal/lineartest"
	"golang.org/x/text/encoding/charmap"
)

// decodeWhole is Decode as it was written before DecodeTo, converting the
// whole body at once: the reference DecodeTo must match.
func decodeWhole(b []byte, name string) (string, bool) {
	latin := func(b []byte) string {
		out, err := charmap.Windows1252.NewDecoder().Bytes(b)
		if err != nil {
			return strings.ToValidUTF8(string(b), "\uFFFD")
		}
		return string(out)
	}
	enc, ascii, ok := Lookup(name)
	switch {
	case ascii:
		if utf8.Valid(b) {
			return string(b), true
		}
		if n := strings.ToLower(name); strings.HasPrefix(n, "utf") || strings.HasPrefix(n, "unicode") {
			return strings.ToValidUTF8(string(b), "\uFFFD"), true
		}
		return latin(b), true
	case ok:
		out, err := enc.NewDecoder().Bytes(b)
		if err != nil {
			return strings.ToValidUTF8(string(b), "\uFFFD"), true
		}
		return string(out), true
	}
	if utf8.Valid(b) {
		return string(b), false
	}
	return latin(b), false
}

var decodeCharsets = []string{"", "utf-8", "us-ascii", "unicode-1-1-utf-8", "iso-8859-1", "windows-1252", "iso-8859-2",
	"koi8-r", "shift_jis", "euc-jp", "iso-2022-jp", "euc-kr", "gb2312", "gbk", "gb18030", "big5", "utf-16", "utf-16be",
	"utf-16le", "cp1251", "x-unknown"}

// smallWrites passes at most 7 bytes per Write, to split runes.
type smallWrites struct{ w io.Writer }

func (s smallWrites) Write(p []byte) (int, error) {
	for i := 0; i < len(p); i += 7 {
		if _, err := s.w.Write(p[i:min(i+7, len(p))]); err != nil {
			return i, err
		}
	}
	return len(p), nil
}

func checkDecode(t *testing.T, b []byte, name string) {
	want, wantKnown := decodeWhole(b, name)
	if got, known := Decode(b, name); got != want || known != wantKnown {
		t.Errorf("Decode(%q, %q) = %q, %v; want %q, %v", b, name, got, known, want, wantKnown)
	}
	var buf bytes.Buffer
	if known, err := DecodeTo(&buf, b, name); buf.String() != want || known != wantKnown || err != nil {
		t.Errorf("DecodeTo(%q, %q) wrote %q, %v, %v; want %q, %v", b, name, buf.String(), known, err, want, wantKnown)
	}
}

func TestDecodeTo_matchesWhole(t *testing.T) {
	inputs := []string{"", "plain", "Caf\xe9 \x80 \x81 \x8d", "ok \xff\xfe run \xc3", "\x1b$B$3$s\x1b(B x \x1b$B\xff\xfe\x1b(B",
		"\xb0\xa1 \xff\xff", "\xff\xfeU\x00T\x00", "\x00", "\xe2\x82\xac\xe2\x82", "日本語", "\x82\xb1\x82\xf1"}
	for _, in := range inputs {
		for _, cs := range decodeCharsets {
			checkDecode(t, []byte(in), cs)
		}
	}
}

func FuzzDecodeTo(f *testing.F) {
	for i, cs := range decodeCharsets {
		f.Add([]byte("Caf\xe9 \x1b$B$3\x1b(B \xb0\xa1\xff \xe2\x82"), uint8(i))
		_ = cs
	}
	f.Fuzz(func(t *testing.T, b []byte, cs uint8) {
		checkDecode(t, b, decodeCharsets[int(cs)%len(decodeCharsets)])
	})
}

// TestDecodeTo_allocs: a large UTF-8 body goes to the writer as it is, and
// Decode makes one string of it.
func TestDecodeTo_allocs(t *testing.T) {
	b := bytes.Repeat([]byte("Le véhicule a été contrôlé.\r\n"), 1<<14)
	if n := testing.AllocsPerRun(5, func() { DecodeTo(io.Discard, b, "utf-8") }); n > 0 {
		t.Errorf("DecodeTo of valid UTF-8: %.0f allocations, want 0", n)
	}
	if n := testing.AllocsPerRun(5, func() { DecodeTo(smallWrites{io.Discard}, b, "iso-8859-15") }); n > 8 {
		t.Errorf("DecodeTo through a decoder: %.0f allocations, want ≤ 8 (its buffers)", n)
	}
	Decode(b, "utf-8")
	if n := lineartest.Allocated(func() { Decode(b, "utf-8") }); n > uint64(len(b))+1024 {
		t.Errorf("Decode of %d bytes of UTF-8 allocated %d bytes, want one copy", len(b), n)
	}
}
