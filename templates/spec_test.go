package templates

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// specDir is the Mustache spec (mustache/spec, JSON form) in the shared
// corpora folder that CI clones beside the repository.
const specDir = "../../shared/corpora/mustache-spec/specs"

// specSkips are the deliberate deviations: in mailtrail data is always text
// and escaping belongs to the output, so {{{x}}} and {{&x}} mean {{x}}.
var specSkips = map[string]string{
	"interpolation/Triple Mustache":                      "{{{x}}} is escaped like {{x}} on purpose",
	"interpolation/Ampersand":                            "{{&x}} is escaped like {{x}} on purpose",
	"interpolation/Implicit Iterators - Triple Mustache": "{{{.}}} is escaped like {{.}} on purpose",
	"interpolation/Implicit Iterators - Ampersand":       "{{&.}} is escaped like {{.}} on purpose",
	"sections/Implicit Iterator - Triple mustache":       "{{{.}}} is escaped like {{.}} on purpose",
	"sections/Implicit Iterator - Ampersand":             "{{&.}} is escaped like {{.}} on purpose",
}

// htmlHandler renders an expansion as the spec expects: values HTML-escaped
// (& < > " only; the spec does not test '), missing names empty.
type htmlHandler struct{ b strings.Builder }

var specEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func (h *htmlHandler) Text(n *Text) error { h.b.WriteString(n.Text); return nil }
func (h *htmlHandler) Var(n *Var, v any, found bool) error {
	s, _ := FormatValue(v)
	h.b.WriteString(specEscaper.Replace(s))
	return nil
}
func (h *htmlHandler) Section(*Section, int) error { return nil }

func TestMustacheSpec(t *testing.T) {
	if _, err := os.Stat(specDir); err != nil {
		t.Skipf("Mustache spec not found at %s (CI clones ../shared beside the repository): %v", specDir, err)
	}
	for _, file := range []string{"interpolation", "sections", "inverted", "comments"} {
		raw, err := os.ReadFile(filepath.Join(specDir, file+".json"))
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var spec struct {
			Tests []struct {
				Name, Desc, Template, Expected string
				Data                           any
			}
		}
		if err := dec.Decode(&spec); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, tc := range spec.Tests {
			t.Run(file+"/"+tc.Name, func(t *testing.T) {
				if why, ok := specSkips[file+"/"+tc.Name]; ok {
					t.Skip("deliberate deviation: " + why)
				}
				tpl, err := Parse("spec.md", []byte(tc.Template))
				if err != nil {
					t.Fatalf("Parse(%q): %v", tc.Template, err)
				}
				var h htmlHandler
				if err := Execute(tpl.Body, tc.Data, &h); err != nil {
					t.Fatalf("Execute: %v", err)
				}
				if got := h.b.String(); got != tc.Expected {
					t.Errorf("%s\ntemplate %q\ngot  %q\nwant %q", tc.Desc, tc.Template, got, tc.Expected)
				}
			})
		}
	}
}
