package inbound

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpora is where the shared conformance corpora live, beside the repo.
const corpora = "../../shared/corpora"

func corpusDir(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(corpora, name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus %s not found (clone the shared folder beside the repo): %v", dir, err)
	}
	return dir
}

// pyNode is one part of Python's parse, as recorded in mime_trees.json.
type pyNode struct {
	ContentType   string    `json:"content_type"`
	DefaultType   bool      `json:"default_type_used"`
	Charset       *string   `json:"charset"`
	Filename      *string   `json:"filename"`
	Boundary      *string   `json:"boundary"`
	HeaderNames   []string  `json:"header_names"`
	Defects       []string  `json:"defects"`
	IsMultipart   bool      `json:"is_multipart"`
	Parts         []*pyNode `json:"parts"`
	DecodedLen    *int      `json:"decoded_len"`
	DecodedSHA256 *string   `json:"decoded_sha256"`
}

// pyDefects maps Python's defect class names to ours.
var pyDefects = map[string]Defect{
	"StartBoundaryNotFoundDefect":       DefectStartBoundaryNotFound,
	"CloseBoundaryNotFoundDefect":       DefectCloseBoundaryNotFound,
	"NoBoundaryInMultipartDefect":       DefectNoBoundary,
	"MultipartInvariantViolationDefect": DefectMultipartInvariant,
	"MissingHeaderBodySeparatorDefect":  DefectMissingHeaderBodySeparator,
}

// cpythonDeviations lists where this package's tree differs from Python's
// on purpose, by content type: the sub-tree of such a part is not compared.
var cpythonDeviations = map[string]string{
	// Python reads each block of header fields of a delivery-status body
	// as a sub-message (with empty bodies); we keep it as one text leaf,
	// which is what the ASGI shape and the bounce tracer want.
	"message/delivery-status": "kept as a leaf, not split into header blocks",
}

func TestParse_cpythonCorpus(t *testing.T) {
	dir := corpusDir(t, "cpython-email")
	raw, err := os.ReadFile(filepath.Join(dir, "expected", "mime_trees.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Messages map[string]*pyNode `json:"messages"`
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(want.Messages))
	for n := range want.Messages {
		names = append(names, n)
	}
	sort.Strings(names)
	files, _ := filepath.Glob(filepath.Join(dir, "data", "msg_*.txt"))
	if len(files) != len(names) {
		t.Errorf("%d files, %d expectations", len(files), len(names))
	}
	for _, name := range names {
		t.Run(strings.TrimSuffix(name, ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "data", name))
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("Parse() error = %v", err)
			}
			comparePy(t, "root", m.Content, want.Messages[name], false)
		})
	}
}

func comparePy(t *testing.T, path string, got *Part, want *pyNode, defective bool) {
	t.Helper()
	if got.ContentType != want.ContentType {
		t.Errorf("%s: content type = %q, want %q", path, got.ContentType, want.ContentType)
		return
	}
	if got.DefaultType != want.DefaultType {
		t.Errorf("%s: default type = %v, want %v", path, got.DefaultType, want.DefaultType)
	}
	if w := deref(want.Charset); got.Charset != w {
		t.Errorf("%s: charset = %q, want %q", path, got.Charset, w)
	}
	if w := deref(want.Filename); got.Filename != w {
		t.Errorf("%s: filename = %q, want %q", path, got.Filename, w)
	}
	if w := deref(want.Boundary); got.Boundary != w {
		t.Errorf("%s: boundary = %q, want %q", path, got.Boundary, w)
	}
	var names []string
	for _, f := range got.Fields {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != strings.Join(want.HeaderNames, ",") {
		t.Errorf("%s: header names = %q, want %q", path, names, want.HeaderNames)
	}
	var wantDefects []Defect
	for _, d := range want.Defects {
		if our, ok := pyDefects[d]; ok {
			wantDefects = append(wantDefects, our)
		} else {
			t.Errorf("%s: unmapped Python defect %s", path, d)
		}
	}
	if !sameDefects(got.Defects, wantDefects) {
		t.Errorf("%s: defects = %q, want %q", path, got.Defects, wantDefects)
	}
	defective = defective || len(want.Defects) > 0
	if reason, ok := cpythonDeviations[got.ContentType]; ok {
		t.Logf("%s: %s: not compared below (%s)", path, got.ContentType, reason)
		return
	}
	if want.IsMultipart != (len(got.Parts) > 0) {
		t.Errorf("%s: has parts = %v, want %v", path, len(got.Parts) > 0, want.IsMultipart)
		return
	}
	if len(got.Parts) != len(want.Parts) {
		t.Errorf("%s: %d parts, want %d", path, len(got.Parts), len(want.Parts))
		return
	}
	for i := range got.Parts {
		comparePy(t, path+"/"+itoa(i), got.Parts[i], want.Parts[i], defective)
	}
	if len(got.Parts) == 0 && want.DecodedSHA256 != nil && !defective {
		sum := sha256.Sum256(got.Body)
		if h := hex.EncodeToString(sum[:]); h != *want.DecodedSHA256 {
			t.Errorf("%s: body (%d bytes) sha256 = %s, want %d bytes %s\n%q", path, len(got.Body), h[:12], *want.DecodedLen, (*want.DecodedSHA256)[:12], got.Body)
		}
	}
}

// sameDefects compares ignoring the defects Python has no counterpart for.
func sameDefects(got, want []Defect) bool {
	var g []Defect
	for _, d := range got {
		switch d {
		case DefectStartBoundaryNotFound, DefectCloseBoundaryNotFound, DefectNoBoundary,
			DefectMultipartInvariant, DefectMissingHeaderBodySeparator:
			g = append(g, d)
		}
	}
	if len(g) != len(want) {
		return false
	}
	for i := range g {
		if g[i] != want[i] {
			return false
		}
	}
	return true
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func itoa(i int) string { return string(rune('0' + i%10)) }
