package render

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/templates"
)

func TestParseBrand(t *testing.T) {
	tests := []struct {
		name, src string
		want      *Brand
		err       string // the error's text, "" for none
	}{
		{"yaml", "name: Acme\nlogo: https://x.example/l.png\ncolor: '#06C'\naddress: |\n  1 Main St\n  Springfield\nfooter: Thanks.\nunsubscribe: https://x.example/u\n",
			&Brand{Name: "Acme", Logo: "https://x.example/l.png", Color: "#0066cc", Address: "1 Main St\nSpringfield\n", Footer: Footer{"": "Thanks."}, Unsubscribe: "https://x.example/u"}, ""},
		{"footer per locale", "footer:\n  en: Hi\n  pt-BR: Olá\n", &Brand{Footer: Footer{"en": "Hi", "pt-BR": "Olá"}}, ""},
		{"json with tabs", "{\n\t\"name\": \"Acme\",\n\t\"color\": \"#C2410C\"\n}\n", &Brand{Name: "Acme", Color: "#c2410c"}, ""},
		{"empty", "", &Brand{}, ""},
		{"null value", "logo:\n", &Brand{}, ""},
		{"unknown key", "name: A\ncolour: red\n", nil, `b.yaml:2:1: unknown key "colour" (known: name, logo, color, address, footer, unsubscribe)`},
		{"http logo", "logo: http://x.example/l.png\n", nil, `b.yaml:1:7: logo: want an https URL such as https://example.com/…, not "http://x.example/l.png"`},
		{"bad colour", "\ncolor: red\n", nil, `b.yaml:2:8: color: want a colour such as #0b69a3 or #06c, not "red"`},
		{"mailto unsubscribe", "unsubscribe: mailto:u@x.example\n", nil, `b.yaml:1:14: unsubscribe: want an https URL`},
		{"bad locale", "footer:\n  english: Hi\n", nil, `b.yaml:2:3: footer: locale "english" is not a language tag`},
		{"name on two lines", "name: \"A\\nB\"\n", nil, `b.yaml:1:7: name: one line expected`},
		{"list value", "name: [a, b]\n", nil, `b.yaml:1:7: name: want a text`},
		{"twice", "name: A\nname: B\n", nil, `b.yaml:`},
		{"syntax", "name: A\n  logo: x: y\n", nil, `b.yaml:2:1: `},
		{"not a mapping", "- a\n", nil, `b.yaml:1:1: want a mapping`},
		{"json syntax", "{\"name\": \"A\",\n\"logo\" \"x\"}\n", nil, `b.yaml:2:8: invalid character`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseBrand("b.yaml", []byte(tc.src))
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("ParseBrand() error = %v, want prefix %q", err, tc.err)
				}
				var te *templates.Error
				if !errors.Is(err, ErrBadBrand) || !errors.As(err, &te) {
					t.Errorf("ParseBrand() error %v is not a *templates.Error wrapping ErrBadBrand", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseBrand() = %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseBrand() = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestBrand_Check(t *testing.T) {
	for _, tc := range []struct {
		b    *Brand
		want string
	}{
		{nil, ""},
		{&Brand{Name: "A", Color: "#abc"}, ""},
		{&Brand{Logo: "javascript:alert(1)"}, "logo: want an https URL"},
		{&Brand{Name: "A\x00"}, "name: control character"},
		{&Brand{Footer: Footer{"x-y-z-1234567890": "a"}}, "footer: locale"},
	} {
		err := tc.b.Check()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v.Check() = %v, want %q", tc.b, err, tc.want)
		}
	}
	if _, err := New(&Options{Brand: &Brand{Color: "blue"}}); !errors.Is(err, ErrBadBrand) {
		t.Errorf("New with a bad brand = %v, want ErrBadBrand", err)
	}
}

func TestFooterFor(t *testing.T) {
	b := &Brand{Footer: Footer{"en": "EN", "pt": "PT"}}
	for _, tc := range []struct {
		b            *Brand
		locale, want string
	}{
		{b, "", "EN"},
		{b, "en-GB", "EN"},
		{b, "pt-BR", "PT"},
		{b, "fr", builtinFooter["fr"].text}, // no text of the brand's: built-in French
		{b, "it", builtinFooter["en"].text}, // not built in: English
		{&Brand{Footer: Footer{"": "ALL"}}, "de", "ALL"},
		{nil, "es", builtinFooter["es"].text},
		{nil, "de_AT", builtinFooter["de"].text},
	} {
		if got := footerFor(tc.b, tc.locale); got != tc.want {
			t.Errorf("footerFor(%v, %q) = %q, want %q", tc.b, tc.locale, got, tc.want)
		}
	}
}

func TestColors_readable(t *testing.T) {
	for _, c := range []string{"#c2410c", "#0b69a3", "#000000", "#ffffff", "#ffe600", "#1d4ed8", "#16a34a"} {
		if got := contrast(onColor(c), c); got < 3 {
			t.Errorf("button text %s on %s: contrast %.2f, want at least 3", onColor(c), c, got)
		}
		if got := contrast(darkVariant(c), darkCard); got < 4.5 {
			t.Errorf("dark-mode link %s: contrast %.2f on the dark card, want 4.5", darkVariant(c), got)
		}
		if got := contrast(readableOn(c, "#ffffff"), "#ffffff"); got < 4.5 {
			t.Errorf("link %s: contrast %.2f on white, want 4.5", readableOn(c, "#ffffff"), got)
		}
	}
}

func ExampleParseBrand() {
	b, err := ParseBrand("brand.yaml", []byte(`
name: Acme Fleet
color: "#C2410C"
footer:
  fr: Vous recevez ce message car vous travaillez avec Acme Fleet.
unsubscribe: https://acme.example/unsubscribe
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.Name, b.Color, b.Footer["fr"])
	_, err = ParseBrand("brand.yaml", []byte("name: Acme\nlogo: http://acme.example/logo.png\n"))
	fmt.Println(err)
	// Output:
	// Acme Fleet #c2410c Vous recevez ce message car vous travaillez avec Acme Fleet.
	// brand.yaml:2:7: logo: want an https URL such as https://example.com/…, not "http://acme.example/logo.png"
}

func FuzzParseBrand(f *testing.F) {
	for _, s := range []string{
		"name: Acme\nlogo: https://x.example/l.png\ncolor: '#06C'\nfooter:\n  fr: Bonjour\n",
		"{\"name\": \"A\", \"unsubscribe\": \"https://x.example/u\"}",
		"footer: [1, 2]\n", "&a x: *a\n", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		b, err := ParseBrand("f.yaml", src)
		if err != nil {
			var te *templates.Error
			if !errors.As(err, &te) || te.Line < 1 {
				t.Fatalf("ParseBrand error %v has no position", err)
			}
			return
		}
		if err := b.Check(); err != nil {
			t.Fatalf("ParseBrand accepted a brand that Check refuses: %v", err)
		}
	})
}
