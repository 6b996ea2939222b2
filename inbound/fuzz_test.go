package inbound

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
)

// fuzzSeeds returns the messages in testdata (and the CPython corpus when
// present) as seeds.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, h := range hostileShapes {
		seeds = append(seeds, h.gen(fuzzHostileSize()))
	}
	for _, pat := range []string{
		filepath.Join("testdata", "replies", "*.eml"),
		filepath.Join("testdata", "fuzz-seeds", "*"),
		filepath.Join(corpora, "cpython-email", "data", "msg_*.txt"),
		filepath.Join(corpora, "talon", "fixtures", "standard_replies", "*.eml"),
	} {
		files, _ := filepath.Glob(pat)
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil {
				seeds = append(seeds, b)
			}
		}
	}
	return seeds
}

// fuzzHostileSize is the size of the hostile seeds: small in go test,
// a million lines (a few MB) when .ci/fuzz.sh sets MAILTRAIL_FUZZ_LARGE.
func fuzzHostileSize() int {
	if os.Getenv("MAILTRAIL_FUZZ_LARGE") != "" {
		return 1_000_000
	}
	return 100
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=a\n\n--a\n--a\n\n--a--"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseWith(bytes.NewReader(data), &Options{MaxParts: 50, MaxDepth: 8})
		if err != nil {
			if !errors.Is(err, ErrEmpty) {
				t.Fatalf("Parse() error = %v", err)
			}
			return
		}
		n := 0
		m.Walk(func(p *Part) error {
			n++
			if len(p.Parts) == 0 && p.Body == nil {
				t.Errorf("leaf %s without Body", p.ContentType)
			}
			return nil
		})
		if n > 50 {
			t.Errorf("%d parts, limit 50", n)
		}
		b, err := json.Marshal(m)
		if err != nil || !json.Valid(b) {
			t.Fatalf("MarshalJSON() error = %v", err)
		}
	})
}

// FuzzTrace traces arbitrary messages: no panic, no match without a
// resource, only the documented errors, and the kind that Classify gives.
func FuzzTrace(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	app, err := identity.ParseApp(testApp)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseWith(bytes.NewReader(data), &Options{MaxParts: 50, MaxDepth: 8})
		if err != nil {
			return
		}
		res, err := Trace(m, app)
		if err == nil && (res == nil || res.Resource == "") {
			t.Fatalf("Trace() = %+v, nil: a match without a resource", res)
		}
		if res == nil {
			t.Fatalf("Trace() = nil, %v, want a Result", err)
		}
		if k := Classify(m); res.Kind != k {
			t.Fatalf("Trace().Kind = %v, Classify() = %v: one classifier gives one answer", res.Kind, k)
		}
		var te *identity.TokenError
		if err != nil && !errors.Is(err, identity.ErrNotFound) && !errors.As(err, &te) {
			t.Fatalf("Trace() error = %v", err)
		}
	})
}
