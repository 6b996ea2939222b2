package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/mailtrail/mailtrail/internal/bytesize"
	"github.com/mailtrail/mailtrail/templates"
)

// Brand is how messages look like the company's own: the name and logo in
// the header, the colour of links, buttons and the header bar, and the
// footer's postal address, text and unsubscribe link. It is data, usually
// read from a brand.yaml beside the templates with [LoadBrand]. The zero
// value (or a nil *Brand) is the neutral house style.
type Brand struct {
	// Name is the company's name: the logo's alt text, the header when
	// there is no logo, the first footer line.
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	// Logo is the https URL of the logo image shown in the header,
	// 36 pixels high (give a file twice that for sharp screens).
	Logo string `json:"logo,omitempty" yaml:"logo,omitempty"`
	// Color is the brand colour, "#rrggbb" or "#rgb": links, buttons and
	// the bar above the header. Empty means a neutral blue.
	Color string `json:"color,omitempty" yaml:"color,omitempty"`
	// Address is the postal address for the footer; line breaks are kept.
	Address string `json:"address,omitempty" yaml:"address,omitempty"`
	// Footer is the footer's text by locale ("fr", "pt-BR"); the key ""
	// applies to every locale without an entry of its own. A locale without
	// text gets the built-in footer in its language (en, fr, de, es).
	Footer Footer `json:"footer,omitempty" yaml:"footer,omitempty"`
	// Unsubscribe is an https URL that unsubscribes the recipient with a
	// POST (RFC 8058 one-click): the mailer writes List-Unsubscribe and
	// List-Unsubscribe-Post, and the footer links to it.
	Unsubscribe string `json:"unsubscribe,omitempty" yaml:"unsubscribe,omitempty"`
}

// Footer is a footer text by locale; the key "" is for every locale.
type Footer map[string]string

// ErrBadBrand is wrapped by the errors of [ParseBrand] and [Brand.Check].
var ErrBadBrand = errors.New("render: bad brand")

var colorRe = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// Check reports the first invalid field of b, with ErrBadBrand. A nil
// Brand is valid.
func (b *Brand) Check() error {
	if b == nil {
		return nil
	}
	for _, f := range b.fields() {
		if msg := f.check(); msg != "" {
			return &templates.Error{File: "brand", Line: 1, Col: 1, Msg: f.key + ": " + msg, Err: ErrBadBrand}
		}
	}
	return nil
}

// brandField is one field of a brand with its checker.
type brandField struct {
	key   string
	value *string
	check func() string
}

func (b *Brand) fields() []brandField {
	text := func(v *string, multiline bool) func() string {
		return func() string { return checkBrandText(*v, multiline) }
	}
	return []brandField{
		{"name", &b.Name, text(&b.Name, false)},
		{"logo", &b.Logo, func() string { return checkHTTPS(b.Logo) }},
		{"color", &b.Color, func() string {
			if b.Color != "" && !colorRe.MatchString(b.Color) {
				return "want a colour such as #0b69a3 or #06c, not " + quoteShort(b.Color)
			}
			return ""
		}},
		{"address", &b.Address, text(&b.Address, true)},
		{"unsubscribe", &b.Unsubscribe, func() string { return checkHTTPS(b.Unsubscribe) }},
		{"footer", nil, func() string {
			for k, v := range b.Footer {
				if k != "" && !templates.ValidLocale(k) {
					return "locale " + quoteShort(k) + " is not a language tag such as fr or pt-BR"
				}
				if msg := checkBrandText(v, true); msg != "" {
					return msg
				}
			}
			return ""
		}},
	}
}

// maxBrandText bounds one text field of a brand.
const maxBrandText = 2000

func checkBrandText(s string, multiline bool) string {
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	if len(s) > maxBrandText {
		return "longer than 2000 bytes"
	}
	for _, r := range s {
		if r == '\n' && multiline || r == '\t' {
			continue
		}
		if r < 0x20 || r == 0x7f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			if r == '\n' {
				return "one line expected"
			}
			return "control character " + quoteShort(string(r))
		}
	}
	return ""
}

func checkHTTPS(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || strings.ContainsAny(s, " \t\r\n\"<>") {
		return "want an https URL such as https://example.com/…, not " + quoteShort(s)
	}
	return ""
}

func quoteShort(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// footerText returns the brand's footer for locale: its own text for the
// locale (pt-BR, then pt), else its text for every locale. A base template
// ("" locale) is English.
func (b *Brand) footerText(locale string) (string, bool) {
	if b == nil || len(b.Footer) == 0 {
		return "", false
	}
	if locale == "" {
		locale = "en"
	}
	for _, l := range localeChain(locale) {
		if s, ok := b.Footer[l]; ok {
			return s, true
		}
	}
	s, ok := b.Footer[""]
	return s, ok
}

// localeChain lists locale and its shorter forms: pt-BR, pt.
func localeChain(locale string) []string {
	var out []string
	for l := locale; l != ""; {
		out = append(out, l)
		i := strings.LastIndexAny(l, "-_")
		if i < 0 {
			break
		}
		l = l[:i]
	}
	return out
}

// MaxBrandSize is the largest brand file accepted, in bytes.
const MaxBrandSize = 64 << 10

// LoadBrand reads and parses the brand file at path (YAML or JSON); see
// [ParseBrand].
func LoadBrand(path string) (*Brand, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("render: brand: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxBrandSize+1))
	if err != nil {
		return nil, fmt.Errorf("render: brand %s: %w", path, err)
	}
	return ParseBrand(path, b)
}

// ParseBrand parses a brand from YAML or JSON (JSON is read as the YAML it
// is) and checks it. file names it in errors, which are *templates.Error
// values at the line of the problem, wrapping ErrBadBrand: an unknown key,
// a logo or unsubscribe URL that is not https, a colour that is not #rrggbb.
func ParseBrand(file string, src []byte) (*Brand, error) {
	doc, err := parseBrandDoc(file, src)
	if err != nil {
		return nil, err
	}
	b := &Brand{}
	if len(doc.Content) == 0 {
		return b, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, brandError(file, root.Line, root.Column, "want a mapping of name, logo, color, address, footer, unsubscribe")
	}
	fields := map[string]*brandField{}
	list := b.fields()
	for i := range list {
		fields[list[i].key] = &list[i]
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		f := fields[k.Value]
		if f == nil {
			return nil, brandError(file, k.Line, k.Column, "unknown key %s (known: name, logo, color, address, footer, unsubscribe)", quoteShort(k.Value))
		}
		if seen[k.Value] {
			return nil, brandError(file, k.Line, k.Column, "%s given twice", k.Value)
		}
		seen[k.Value] = true
		if f.value == nil { // footer: a text, or locale → text
			if err := b.parseFooter(file, v); err != nil {
				return nil, err
			}
			continue
		}
		if v.Kind != yaml.ScalarNode {
			return nil, brandError(file, v.Line, v.Column, "%s: want a text", k.Value)
		}
		if v.Tag != "!!null" {
			*f.value = v.Value
		}
		if msg := f.check(); msg != "" {
			return nil, brandError(file, v.Line, v.Column, "%s: %s", k.Value, msg)
		}
	}
	if b.Color != "" {
		b.Color = normalizeColor(b.Color)
	}
	return b, nil
}

// brandError is a *templates.Error at line:col of file (1:1 when the
// line is unknown), wrapping ErrBadBrand.
func brandError(file string, line, col int, format string, args ...any) error {
	if line < 1 {
		line, col = 1, 1
	}
	return &templates.Error{File: file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...), Err: ErrBadBrand}
}

// parseBrandDoc checks the size of src and parses it as YAML; a JSON
// document is checked by the JSON parser first, which says better where
// its syntax errors are.
func parseBrandDoc(file string, src []byte) (*yaml.Node, error) {
	if len(src) > MaxBrandSize {
		return nil, brandError(file, 1, 1, "brand file over the %s limit", bytesize.String(MaxBrandSize))
	}
	src = bytes.TrimPrefix(src, []byte("\uFEFF"))
	if t := bytes.TrimSpace(src); len(t) > 0 && t[0] == '{' {
		var v any
		if err := json.Unmarshal(src, &v); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				line := 1 + bytes.Count(src[:se.Offset], []byte("\n"))
				col := int(se.Offset) - bytes.LastIndexByte(src[:se.Offset], '\n') - 1
				return nil, brandError(file, line, col, "%s", strings.TrimPrefix(se.Error(), "json: "))
			}
			return nil, brandError(file, 1, 1, "%s", strings.TrimPrefix(err.Error(), "json: "))
		}
		// JSON strings hold no raw tab, so a tab is indentation, which
		// YAML refuses.
		src = bytes.ReplaceAll(src, []byte("\t"), []byte(" "))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line := 1
		if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		msg := yamlLineRe.ReplaceAllString(err.Error(), "")
		return nil, brandError(file, line, 1, "%s", strings.TrimPrefix(msg, "yaml: "))
	}
	return &doc, nil
}

// parseFooter reads the footer's value v: a text, or a mapping of locale
// to text.
func (b *Brand) parseFooter(file string, v *yaml.Node) error {
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Tag != "!!null" {
			b.Footer = Footer{"": v.Value}
		}
	case yaml.MappingNode:
		b.Footer = Footer{}
		for j := 0; j+1 < len(v.Content); j += 2 {
			lk, lv := v.Content[j], v.Content[j+1]
			if lv.Kind != yaml.ScalarNode {
				return brandError(file, lv.Line, lv.Column, "footer.%s: want a text", lk.Value)
			}
			if !templates.ValidLocale(lk.Value) {
				return brandError(file, lk.Line, lk.Column, "footer: locale %s is not a language tag such as fr or pt-BR", quoteShort(lk.Value))
			}
			b.Footer[lk.Value] = lv.Value
			if msg := checkBrandText(lv.Value, true); msg != "" {
				return brandError(file, lv.Line, lv.Column, "footer.%s: %s", lk.Value, msg)
			}
		}
	default:
		return brandError(file, v.Line, v.Column, "footer: want a text, or a mapping of locale to text")
	}
	return nil
}

var yamlLineRe = regexp.MustCompile(`line (\d+): `)
