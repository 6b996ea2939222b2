package templates

import (
	"errors"
	"io/fs"
	"sync"
	"testing"
	"testing/fstest"
)

var testFS = fstest.MapFS{
	"welcome.md":       {Data: []byte("---\nsubject: Welcome\n---\nHello {{name}}\n")},
	"welcome.fr.md":    {Data: []byte("---\nsubject: Bienvenue\n---\nBonjour {{name}}\n")},
	"welcome.pt-BR.md": {Data: []byte("Olá {{name}}\n")},
	"mail/notice.md":   {Data: []byte("Notice\n")},
	"broken.md":        {Data: []byte("{{#a}}\n")},
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name, locale       string
		wantFile, wantLang string
	}{
		{"welcome", "", "welcome.md", ""},
		{"welcome.md", "", "welcome.md", ""},
		{"welcome", "fr", "welcome.fr.md", "fr"},
		{"welcome", "fr-CA", "welcome.fr.md", "fr"},
		{"welcome", "de", "welcome.md", ""},
		{"welcome", "pt-BR", "welcome.pt-BR.md", "pt-BR"},
		{"welcome", "pt", "welcome.md", ""},
		{"mail/notice", "fr", "mail/notice.md", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.locale, func(t *testing.T) {
			tpl, err := Load(testFS, tc.name, tc.locale)
			if err != nil {
				t.Fatalf("Load(%q, %q): %v", tc.name, tc.locale, err)
			}
			if tpl.File != tc.wantFile || tpl.Locale != tc.wantLang || tpl.Name != "welcome" && tpl.Name != "mail/notice" {
				t.Errorf("Load(%q, %q) = file %q locale %q name %q, want %q %q", tc.name, tc.locale, tpl.File, tpl.Locale, tpl.Name, tc.wantFile, tc.wantLang)
			}
		})
	}
}

func TestLoad_errors(t *testing.T) {
	tests := []struct {
		name, locale string
		want         error
	}{
		{"missing", "", fs.ErrNotExist},
		{"welcome", "not a locale", ErrInvalidLocale},
		{"welcome", "../x", ErrInvalidLocale},
		{"welcome", "f", ErrInvalidLocale},
		{"welcome", "fe", ErrInvalidLocale},    // well-formed, no such language: a typo of fr
		{"welcome", "xx-FR", ErrInvalidLocale}, // unknown language with a known region
		{"welcome", "fr-a", ErrInvalidLocale},  // a lone singleton is not BCP 47
		{"../etc/passwd", "", fs.ErrInvalid},
		{"broken", "", ErrSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.locale, func(t *testing.T) {
			_, err := Load(testFS, tc.name, tc.locale)
			if !errors.Is(err, tc.want) {
				t.Errorf("Load(%q, %q) = %v, want %v", tc.name, tc.locale, err, tc.want)
			}
		})
	}
}

func TestValidLocale(t *testing.T) {
	for s, want := range map[string]bool{
		"fr": true, "pt-BR": true, "zh_Hant_TW": true, "gsw": true, "es-419": true,
		"": false, "f": false, "french1": false, "fr-": false, "-fr": false, "fr--CA": false,
		"fr/CA": false, "12": false, "fr-toolongsubtag": false,
	} {
		if got := ValidLocale(s); got != want {
			t.Errorf("ValidLocale(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestSet_concurrent(t *testing.T) {
	s := NewSet(testFS)
	var wg sync.WaitGroup
	got := make([]*Template, 16)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tpl, err := s.Get("welcome", "fr")
			if err != nil {
				t.Error(err)
			}
			got[i] = tpl
		}()
	}
	wg.Wait()
	for _, tpl := range got[1:] {
		if tpl != got[0] {
			t.Fatal("Set.Get returned different templates for the same key")
		}
	}
	if _, err := s.Get("missing", ""); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Get(missing) = %v", err)
	}
}
