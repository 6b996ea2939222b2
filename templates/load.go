package templates

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// ErrInvalidLocale reports a locale that is not a language tag such as
// "fr" or "pt-BR".
var ErrInvalidLocale = errors.New("templates: invalid locale")

// ValidLocale reports whether s looks like a BCP 47 language tag: a 2–3
// letter language, then subtags of 1–8 letters or digits separated by "-"
// or "_" (e.g. "fr", "pt-BR", "zh_Hant_TW").
func ValidLocale(s string) bool {
	if s == "" || len(s) > 35 {
		return false
	}
	for i, sub := range strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' }) {
		if len(sub) < 1 || len(sub) > 8 {
			return false
		}
		for _, c := range []byte(sub) {
			letter := c|0x20 >= 'a' && c|0x20 <= 'z'
			if !letter && !(i > 0 && c >= '0' && c <= '9') {
				return false
			}
		}
		if i == 0 && (len(sub) < 2 || len(sub) > 3) {
			return false
		}
	}
	return !strings.HasPrefix(s, "-") && !strings.HasSuffix(s, "-") &&
		!strings.Contains(s, "--") && !strings.HasPrefix(s, "_") && !strings.HasSuffix(s, "_")
}

// candidates lists the files tried for name and locale, most specific
// first: "pt-BR" tries name.pt-BR.md, name.pt.md, then name.md.
func candidates(name, locale string) []string {
	var out []string
	for l := locale; l != ""; {
		out = append(out, name+"."+l+".md")
		i := strings.LastIndexAny(l, "-_")
		if i < 0 {
			break
		}
		l = l[:i]
	}
	return append(out, name+".md")
}

// Load reads and parses the template name from fsys. name may end in ".md";
// it is a slash-separated path inside fsys. For a locale such as "fr" it
// tries name.fr.md first and falls back to name.md, so a locale without a
// variant uses the base template; an invalid locale string is an error
// (ErrInvalidLocale), and so is a well-formed one whose language or
// subtags are not registered (BCP 47, as golang.org/x/text/language knows
// them: "fe" is a typo, not a language), so that a mistyped locale does
// not quietly send the base template. A missing template wraps
// fs.ErrNotExist. Parse problems come back as an [ErrorList].
func Load(fsys fs.FS, name, locale string) (*Template, error) {
	name = strings.TrimSuffix(name, ".md")
	if locale != "" && !ValidLocale(locale) {
		return nil, fmt.Errorf("%w %q for template %q", ErrInvalidLocale, locale, name)
	}
	if locale != "" {
		if _, err := language.Parse(locale); err != nil {
			return nil, fmt.Errorf("%w %q for template %q: not a known language tag", ErrInvalidLocale, locale, name)
		}
	}
	if !fs.ValidPath(name + ".md") {
		return nil, fmt.Errorf("templates: invalid template name %q: %w", name, fs.ErrInvalid)
	}
	for _, file := range candidates(name, locale) {
		src, err := fs.ReadFile(fsys, file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("templates: load %s: %w", file, err)
		}
		t, err := Parse(file, src)
		if err != nil {
			return nil, err
		}
		t.Name = name
		t.Locale = ""
		if file != name+".md" {
			t.Locale = strings.TrimSuffix(strings.TrimPrefix(file, name+"."), ".md")
		}
		return t, nil
	}
	return nil, fmt.Errorf("templates: load %s: %w", name+".md", fs.ErrNotExist)
}

// Set loads templates from an fs.FS on first use and keeps them. It is safe
// for concurrent use. A Set never notices files changing; make a new one.
type Set struct {
	fsys fs.FS
	mu   sync.RWMutex
	m    map[setKey]*Template
}

type setKey struct{ name, locale string }

// NewSet returns a Set reading from fsys.
func NewSet(fsys fs.FS) *Set {
	return &Set{fsys: fsys, m: make(map[setKey]*Template)}
}

// Get returns the template for name and locale as [Load] would, parsing it
// only the first time. Failures are not cached.
func (s *Set) Get(name, locale string) (*Template, error) {
	k := setKey{strings.TrimSuffix(name, ".md"), locale}
	s.mu.RLock()
	t := s.m[k]
	s.mu.RUnlock()
	if t != nil {
		return t, nil
	}
	t, err := Load(s.fsys, name, locale)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if old := s.m[k]; old != nil {
		t = old
	} else {
		s.m[k] = t
	}
	s.mu.Unlock()
	return t, nil
}
