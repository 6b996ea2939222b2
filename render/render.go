package render

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"

	"github.com/mailtrail/mailtrail/internal/bytesize"
	"github.com/mailtrail/mailtrail/templates"
)

// Parts are the rendered alternatives of one message.
type Parts struct {
	Subject string // plain text, data verbatim, no identity tag
	// Preheader is the front matter's preview text, plain, data verbatim
	// (line breaks as spaces); "" when the template has none.
	Preheader string
	Text      string // text/plain body, LF line endings
	HTML      string // text/html body, inside the layout
	JSON      []byte // application/json body: the data, exactly

	// Warnings lists, in lenient mode, the placeholders that had no value
	// (or an object or list where text was expected) and were rendered empty.
	Warnings []*templates.Error
}

// Default limits, used when the Options fields are zero.
const (
	DefaultMaxValueSize  = 1 << 20
	DefaultMaxOutputSize = 10 << 20
)

// ErrUnsafeSubject reports a value that would put CR, LF or NUL into the
// subject line; it is wrapped in a *templates.Error.
var ErrUnsafeSubject = errors.New("render: unsafe subject")

// Options configures a Renderer. A nil *Options uses the defaults.
type Options struct {
	// Layout is the trusted HTML layout, executed with a LayoutData. nil
	// means DefaultLayout.
	Layout *htmltemplate.Template
	// Brand is the company's look given to the layout (name, logo, colour,
	// address, footer, unsubscribe link) and the text part's footer lines;
	// nil means the neutral house style and no text footer.
	Brand *Brand
	// InlineCSS maps an element name of the body ("p", "a", "h1", …) to a
	// style attribute added to each such element after sanitizing. nil
	// means the styles the layout's own <style> rules give those elements
	// (see ParseLayout); an empty non-nil map means none.
	InlineCSS map[string]string
	// Lenient renders a placeholder with no value as empty and reports it in
	// Parts.Warnings instead of failing.
	Lenient bool
	// MaxValueSize is the largest value accepted, in bytes; zero means
	// DefaultMaxValueSize.
	MaxValueSize int
	// MaxOutputSize bounds the expanded template (text plus values) of one
	// message, in bytes; zero means DefaultMaxOutputSize.
	MaxOutputSize int
	// MaxShapes is how many skeletons are cached per template (one per
	// distinct set of section counts); zero means 64. Shapes beyond it, and
	// skeletons over 256 KiB, are rendered without caching.
	MaxShapes int
}

// Renderer renders templates with data. It is safe for concurrent use and
// caches per-template work; keep one for the life of the application.
type Renderer struct {
	opts    Options
	brand   Brand              // opts.Brand, colour normalized
	layout  *layout            // for templates without a locale
	locales map[string]*layout // per template locale (guarded by mu)
	css     map[string]string  // escaped style attribute values
	cssText string             // all style text, kept clear of sentinels
	mu      sync.RWMutex
	cache   map[*templates.Template]*prepared
}

// maxTemplates bounds the Renderer's per-template cache; when full it is
// emptied (templates re-parsed from a database each time would otherwise
// accumulate).
const maxTemplates = 1024

// New returns a Renderer. It executes the layout once to check it.
func New(opts *Options) (*Renderer, error) {
	r := &Renderer{cache: make(map[*templates.Template]*prepared)}
	if opts != nil {
		r.opts = *opts
	}
	if r.opts.MaxValueSize <= 0 {
		r.opts.MaxValueSize = DefaultMaxValueSize
	}
	if r.opts.MaxOutputSize <= 0 {
		r.opts.MaxOutputSize = DefaultMaxOutputSize
	}
	if r.opts.MaxShapes <= 0 {
		r.opts.MaxShapes = 64
	}
	if err := r.opts.Brand.Check(); err != nil {
		return nil, err
	}
	if r.opts.Brand != nil {
		r.brand = *r.opts.Brand
		if r.brand.Color != "" {
			r.brand.Color = normalizeColor(r.brand.Color)
		}
	}
	lt := r.opts.Layout
	if lt == nil {
		lt = DefaultLayout()
	}
	l, err := newLayout(lt, r.layoutData(""), textFooter(r.opts.Brand, ""))
	if err != nil {
		return nil, err
	}
	r.layout = l
	r.css = l.css
	if r.opts.InlineCSS != nil {
		r.css = make(map[string]string, len(r.opts.InlineCSS))
		for el, style := range r.opts.InlineCSS {
			r.css[strings.ToLower(el)] = escapeAttr(style)
		}
	}
	var all strings.Builder
	for el, style := range r.css {
		all.WriteString(el + " " + style + "\n")
	}
	r.cssText = all.String()
	return r, nil
}

func (r *Renderer) layoutData(locale string) LayoutData {
	b := &r.brand
	color := b.Color
	if color == "" {
		color = defaultColor
	}
	_, unsubscribe := builtinFor(locale)
	var address []string
	if a := strings.TrimSpace(b.Address); a != "" {
		address = strings.Split(a, "\n")
	}
	return LayoutData{
		Lang: locale, Brand: b.Name, LogoURL: b.Logo, Address: address,
		Footer: footerFor(b, locale), Unsubscribe: b.Unsubscribe, UnsubscribeText: unsubscribe,
		Color: color, OnColor: onColor(color), LinkColor: readableOn(color, "#ffffff"),
		DarkLinkColor: darkVariant(color), DarkBody: darkBody, DarkCard: darkCard,
	}
}

// color is the colour of buttons.
func (r *Renderer) color() string { return r.layout.base.Color }

// maxLocales bounds the per-locale layouts a Renderer keeps.
const maxLocales = 64

// layoutFor returns the layout prepared for a template of locale, so that
// the layout can name the message's language (<html lang="fr">).
func (r *Renderer) layoutFor(locale string) (*layout, error) {
	if locale == "" {
		return r.layout, nil
	}
	r.mu.RLock()
	l := r.locales[locale]
	r.mu.RUnlock()
	if l != nil {
		return l, nil
	}
	l, err := newLayout(r.layout.t, r.layoutData(locale), textFooter(r.opts.Brand, locale))
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.locales == nil || len(r.locales) >= maxLocales {
		r.locales = make(map[string]*layout)
	}
	r.locales[locale] = l
	r.mu.Unlock()
	return l, nil
}

// Render renders t with data. data is usually a map[string]any decoded with
// json.Decoder.UseNumber; other values are normalized as
// templates.Normalize describes. Errors about the template or a value are
// *templates.Error values naming file:line:col.
func (r *Renderer) Render(t *templates.Template, data any) (*Parts, error) {
	return r.render(t, data, true, r.opts.Lenient)
}

func (r *Renderer) render(t *templates.Template, data any, cached, lenient bool) (*Parts, error) {
	if t == nil {
		return nil, errors.New("render: nil template")
	}
	p := r.prepare(t)
	js, data, err := p.encodeData(data)
	if err != nil {
		return nil, err
	}
	parts := &Parts{JSON: js}
	if parts.Subject, err = r.subject(p, data, lenient, &parts.Warnings); err != nil {
		return nil, err
	}
	if parts.Preheader, err = r.preheader(p, data, lenient, &parts.Warnings); err != nil {
		return nil, err
	}
	if err := r.renderBody(p, data, cached, lenient, parts); err != nil {
		return nil, err
	}
	if len(parts.HTML)+len(parts.Text) > 4*r.opts.MaxOutputSize {
		return nil, fmt.Errorf("render: %s: output over the %s limit: %w", t.File, bytesize.String(4*r.opts.MaxOutputSize), templates.ErrTooLarge)
	}
	if len(parts.Warnings) == 0 {
		parts.Warnings = nil
	}
	return parts, nil
}

// encodeData returns the JSON part of data and data as plain values.
// Encoding the JSON part also proves data plain (see templates.Normalize);
// only data that is not gets normalized.
func (p *prepared) encodeData(data any) ([]byte, any, error) {
	js, err := encodeJSON(data, int(p.jsonHint.Load()))
	if errors.Is(err, errNotPlain) {
		if data, err = templates.Normalize(data); err != nil {
			return nil, nil, fmt.Errorf("render: %w", err)
		}
		js, err = encodeJSON(data, int(p.jsonHint.Load()))
	}
	if err != nil {
		return nil, nil, err
	}
	p.jsonHint.Store(int64(len(js)))
	return js, data, nil
}

// renderBody executes the template's body for data and fills parts.Text
// and parts.HTML, in the layout of the template's locale, from the cached
// skeleton of its shape or, when cached is false, from a fresh one.
func (r *Renderer) renderBody(p *prepared, data any, cached, lenient bool, parts *Parts) error {
	t := p.t
	c := getCollector(r, p, lenient)
	defer putCollector(c)
	if err := templates.Execute(t.Body, data, c); err != nil {
		return err
	}
	parts.Warnings = append(parts.Warnings, c.warnings...)
	var sk *skeleton
	var err error
	if cached {
		sk, err = p.skeleton(r, c.shape, data)
	} else {
		sk, err = p.build(r, data)
	}
	if err != nil {
		return err
	}
	if len(sk.values) != len(c.values) {
		// cannot happen: the same shape expands to the same sentinels
		return fmt.Errorf("render: %s: internal error: %d values for %d slots", t.File, len(c.values), len(sk.values))
	}
	l, err := r.layoutFor(t.Locale)
	if err != nil {
		return err
	}
	parts.Text = sk.text.fill(c.values) + l.text
	if cached {
		parts.HTML, err = l.fill(sk, c.values, parts.Subject, parts.Preheader)
	} else {
		parts.HTML, err = l.execute(sk.html.fill(c.values), parts.Subject, parts.Preheader)
	}
	return err
}

// prepare returns the per-template state, made once.
func (r *Renderer) prepare(t *templates.Template) *prepared {
	r.mu.RLock()
	p := r.cache[t]
	r.mu.RUnlock()
	if p != nil {
		return p
	}
	p = newPrepared(t, r.cssText)
	r.mu.Lock()
	if old := r.cache[t]; old != nil {
		p = old
	} else {
		if len(r.cache) >= maxTemplates {
			r.cache = make(map[*templates.Template]*prepared)
		}
		r.cache[t] = p
	}
	r.mu.Unlock()
	return p
}
