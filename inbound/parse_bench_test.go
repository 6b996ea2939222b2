package inbound

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParse parses each reply fixture; compare its ns/op with
// BenchmarkParseFloor, which only copies the bytes, to see the parser's
// cost as a ratio rather than an absolute time.
func BenchmarkParse(b *testing.B) {
	data := replyFixtures(b)
	b.SetBytes(int64(fixturesLen(data)))
	for b.Loop() {
		for _, d := range data {
			if _, err := Parse(bytes.NewReader(d)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkParseFloor copies the same bytes as BenchmarkParse reads, and
// does nothing more: the floor of any parser.
func BenchmarkParseFloor(b *testing.B) {
	data := replyFixtures(b)
	b.SetBytes(int64(fixturesLen(data)))
	for b.Loop() {
		for _, d := range data {
			_ = append([]byte(nil), d...)
		}
	}
}

func replyFixtures(b *testing.B) [][]byte {
	files, _ := filepath.Glob(filepath.Join("testdata", "replies", "*.eml"))
	var out [][]byte
	for _, f := range files {
		d, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func fixturesLen(data [][]byte) int {
	n := 0
	for _, d := range data {
		n += len(d)
	}
	return n
}
