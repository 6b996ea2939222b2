package webview

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// PreviewOptions configures a [Preview]. Only Dir is required.
type PreviewOptions struct {
	// Dir is the folder of templates (*.md, name.fr.md) and sample data
	// (name.json, name.*.json). Subfolders are listed too.
	Dir string
	// Layout is an html/template layout file for the HTML part; empty
	// means the default layout of package render. It is read again for
	// every page, so editing it shows at once.
	Layout string
	// Brand is a brand file (YAML or JSON, see render.LoadBrand); empty
	// means none. It is read again for every page, like Layout.
	Brand string
	// From, To and Resource fill the sample message offered as an .eml
	// download; empty means "app@example.test", "partner@example.test"
	// and a fixed sample id.
	From, To, Resource string
	// Logger receives warnings; nil means slog.Default().
	Logger *slog.Logger
}

// sampleResource is the resource id of preview messages when none is given.
const sampleResource = "a74e22bb-4c1d-4f0e-9d53-6a1c2f0b9e10"

// Preview is the live preview of a folder of templates: every template with
// its locales and sample data files, and one rendered as a partner would see
// it. The page reloads by itself when a template, a data file or the layout
// changes. Preview is an [http.Handler]; Close stops its file watcher.
type Preview struct {
	opts   PreviewOptions
	root   *os.Root
	fsys   fs.FS
	log    *slog.Logger
	pages  *pages
	events *broker
	mux    *http.ServeMux
	stop   func()
}

// NewPreview returns the preview of opts.Dir and starts watching it.
func NewPreview(opts PreviewOptions) (*Preview, error) {
	if opts.Dir == "" {
		return nil, errors.New("webview: preview: no templates folder")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.From == "" {
		opts.From = "app@example.test"
	}
	if opts.To == "" {
		opts.To = "partner@example.test"
	}
	if opts.Resource == "" {
		opts.Resource = sampleResource
	}
	root, err := os.OpenRoot(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("webview: preview: %w", err)
	}
	pg, err := parsePages()
	if err != nil {
		root.Close()
		return nil, err
	}
	p := &Preview{opts: opts, root: root, fsys: root.FS(), log: opts.Logger, pages: pg, events: newBroker()}
	var extra []string
	if opts.Layout != "" {
		extra = append(extra, opts.Layout)
	}
	if opts.Brand != "" {
		extra = append(extra, opts.Brand)
	}
	w, err := newWatcher(opts.Dir, extra, relevantTemplateFile, p.events.publish, p.log)
	if err != nil {
		root.Close()
		return nil, err
	}
	p.stop = startWatch(w)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", p.serveList)
	mux.HandleFunc("GET /t/{name...}", p.serveTemplate)
	mux.HandleFunc("GET /part/{part}/{name...}", p.servePart)
	mux.HandleFunc("GET /events", p.events.serveEvents)
	mux.Handle("GET /static/", staticHandler())
	p.mux = mux
	return p, nil
}

func relevantTemplateFile(name string) bool {
	switch filepath.Ext(name) {
	case ".md", ".json", ".html", ".tmpl", ".yaml", ".yml":
		return true
	}
	return false
}

// ServeHTTP serves the pages.
func (p *Preview) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.mux.ServeHTTP(w, r) }

// Close stops watching the folder and releases it.
func (p *Preview) Close() error {
	p.stop()
	return p.root.Close()
}

func (p *Preview) basePage() *page {
	return &page{
		App:      "preview",
		Where:    p.opts.Dir,
		NavLabel: "Templates",
		Empty:    "No templates here yet: add a file such as welcome.md, with sample data in welcome.json.",
	}
}

// nav lists the templates, marking the current one and its locale and data.
func (p *Preview) nav(list []*entry, cur *entry, locale, data string) []navItem {
	items := make([]navItem, 0, len(list))
	for _, e := range list {
		it := navItem{Title: e.Name, URL: "/t/" + escapePath(e.Name), Current: e == cur}
		problems := p.problems(e)
		it.Problems = len(problems)
		if len(problems) > 3 {
			problems = append(problems[:3:3], fmt.Sprintf("and %d more", len(problems)-3))
		}
		it.Notes = problems
		for _, l := range e.Locales {
			if l == "" {
				continue
			}
			it.Chips = append(it.Chips, chip{Label: l, Title: "locale " + l + ": " + e.Files[l],
				URL: it.URL + "?" + url.Values{"locale": {l}}.Encode(), Current: e == cur && l == locale})
		}
		for _, d := range e.Data {
			it.Chips = append(it.Chips, chip{Label: dataLabel(e, d), Title: "sample data " + d,
				URL: it.URL + "?" + url.Values{"data": {d}}.Encode(), Current: e == cur && d == data})
		}
		if len(e.Data) == 0 {
			it.Sub = "no sample data"
		}
		items = append(items, it)
	}
	return items
}

// dataLabel is how a data file is shown: "json" for name.json, "overdue"
// for name.overdue.json.
func dataLabel(e *entry, d string) string {
	if l, ok := strings.CutPrefix(strings.TrimSuffix(d, ".json"), e.Name+"."); ok {
		return l
	}
	return "json"
}

func (p *Preview) serveList(w http.ResponseWriter, r *http.Request) {
	pg := p.basePage()
	pg.Title = "Templates"
	list, err := scan(p.fsys)
	if err != nil {
		pg.Error = err.Error()
	}
	pg.Nav = p.nav(list, nil, "", "")
	pg.Hint = fmt.Sprintf("%d template(s) in %s. Pick one to see it as a partner would: HTML at desktop and phone widths, text, JSON, headers and source.", len(list), p.opts.Dir)
	show(w, p.log, p.pages.list, http.StatusOK, pg)
}

// selection is a template, locale and data file picked by a request.
type selection struct {
	entry  *entry
	locale string
	data   string // path of the data file in the folder; "" for none
	list   []*entry
}

// pick resolves the template, locale and data file of a request, answering
// 400 or 404 itself. Names are only ever looked up among the files listed
// from the folder, and must be valid fs paths besides.
func (p *Preview) pick(w http.ResponseWriter, r *http.Request) (*selection, bool) {
	name := r.PathValue("name")
	q := r.URL.Query()
	locale, data := q.Get("locale"), q.Get("data")
	if !fs.ValidPath(name) || strings.Contains(name, `\`) || (data != "" && !fs.ValidPath(data)) {
		httpError(w, http.StatusBadRequest, "webview: invalid path")
		return nil, false
	}
	list, err := scan(p.fsys)
	if err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return nil, false
	}
	e := find(list, name)
	if e == nil {
		httpError(w, http.StatusNotFound, "webview: no template "+name)
		return nil, false
	}
	if _, ok := e.Files[locale]; !ok && locale != "" {
		httpError(w, http.StatusNotFound, "webview: template "+name+" has no locale "+locale)
		return nil, false
	}
	if data == "" && len(e.Data) > 0 {
		data = e.Data[0]
	} else if data != "" && !contains(e.Data, data) {
		httpError(w, http.StatusNotFound, "webview: template "+name+" has no data file "+data)
		return nil, false
	}
	if locale == "" && e.Files[""] == "" && len(e.Locales) > 0 {
		locale = e.Locales[0] // only locale variants exist
	}
	return &selection{entry: e, locale: locale, data: data, list: list}, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (sel *selection) query() string {
	v := url.Values{}
	if sel.locale != "" {
		v.Set("locale", sel.locale)
	}
	if sel.data != "" {
		v.Set("data", sel.data)
	}
	return v.Encode()
}

func (p *Preview) serveTemplate(w http.ResponseWriter, r *http.Request) {
	sel, ok := p.pick(w, r)
	if !ok {
		return
	}
	s := p.render(r.Context(), sel)
	pg := p.basePage()
	pg.Title = sel.entry.Name
	pg.Nav = p.nav(sel.list, sel.entry, sel.locale, sel.data)
	pg.Msg = p.sampleView(sel, s)
	show(w, p.log, p.pages.message, http.StatusOK, pg)
}

// sampleView is the page's view of the sample s rendered for sel: its
// parts, headers and source, the template's locales and data files to
// switch to, and the template file's lines with their problems.
func (p *Preview) sampleView(sel *selection, s *sample) *messageView {
	e := sel.entry
	m := &messageView{PageURL: "/t/" + escapePath(e.Name), Errors: s.errors, Problems: s.problems}
	q := sel.query()
	m.partURLs(func(part string) string { return "/part/" + part + "/" + escapePath(e.Name) + "?" + q })
	m.Subject, m.Tag, m.Resource = s.subject, s.tag, s.resource
	if m.Resource != "" {
		m.ResourceSource = "sample"
	}
	file := e.Files[sel.locale]
	data := sel.data
	if data == "" {
		data = "none"
	}
	m.Meta = append(m.Meta, field{Name: "file", Value: file}, field{Name: "data", Value: data})
	m.Locales, m.Data = localeOptions(e, sel.locale), dataOptions(e, sel.data)
	m.fromSample(s)
	if s.parts == nil && m.Subject == "" {
		m.Subject = e.Name // nothing rendered: name the template at least
	}
	m.SourceFile = file
	if src, err := fs.ReadFile(p.fsys, file); err == nil {
		for i, line := range strings.Split(strings.TrimSuffix(string(src), "\n"), "\n") {
			m.Source = append(m.Source, srcLine{N: i + 1, Text: strings.TrimSuffix(line, "\r"), Notes: s.marks[i+1]})
		}
	} else {
		m.Errors = append(m.Errors, "template "+file+": "+err.Error())
	}
	return m
}

// localeOptions are the locales of e to pick from; nil for fewer than two.
func localeOptions(e *entry, current string) []option {
	var out []option
	for _, l := range e.Locales {
		label := l
		if l == "" {
			label = "default"
		}
		out = append(out, option{Value: l, Label: label, Current: l == current})
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// dataOptions are the data files of e to pick from; nil for fewer than two.
func dataOptions(e *entry, current string) []option {
	var out []option
	for _, d := range e.Data {
		out = append(out, option{Value: d, Label: d, Current: d == current})
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// fromSample fills the parts, headers and source of m from s: the
// message's when it was made, else the rendered parts'; a part that is
// missing has no URL.
func (m *messageView) fromSample(s *sample) {
	if s.eml != nil {
		v, _ := readMessage(s.eml)
		m.fromMail(v, s.eml)
		if m.Subject == "" {
			m.Subject = v.Subject
		}
	} else {
		m.EMLURL, m.RawURL = "", ""
	}
	if s.parts != nil {
		m.Text, m.HasText = s.parts.Text, true
		m.JSON, m.HasJSON = prettyJSON(s.parts.JSON), true
		if s.parts.HTML == "" {
			m.HTMLURL = ""
		}
	} else {
		m.HTMLURL, m.TextURL, m.JSONURL = "", "", ""
	}
}

func (p *Preview) servePart(w http.ResponseWriter, r *http.Request) {
	sel, ok := p.pick(w, r)
	if !ok {
		return
	}
	s := p.render(r.Context(), sel)
	part := r.PathValue("part")
	switch part {
	case "raw", "eml":
		if s.eml == nil {
			httpError(w, http.StatusUnprocessableEntity, "webview: no message: "+strings.Join(s.errors, "; "))
			return
		}
		servePart(w, part, strings.ReplaceAll(sel.entry.Name, "/", "-")+".eml", s.eml, nil)
		return
	}
	if s.parts == nil {
		httpError(w, http.StatusUnprocessableEntity, "webview: not rendered: "+strings.Join(s.errors, "; "))
		return
	}
	switch part {
	case "html":
		writeHTMLPart(w, []byte(s.parts.HTML))
	case "text":
		writeBody(w, "text/plain; charset=utf-8", []byte(s.parts.Text))
	case "json":
		writeBody(w, "application/json", s.parts.JSON)
	default:
		httpError(w, http.StatusNotFound, "webview: no such part")
	}
}
