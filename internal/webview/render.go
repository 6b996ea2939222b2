package webview

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/render"
	"github.com/mailtrail/mailtrail/templates"
)

// sample is one template rendered with one data file, or what kept it from
// rendering.
type sample struct {
	errors   []string // what kept parts or the message from rendering
	problems []string // what check found
	parts    *render.Parts
	subject  string // with the tag
	tag      string
	resource string
	eml      []byte           // the message as it would be sent
	marks    map[int][]string // template line → the errors and problems there
}

// mark notes the lines of the template's file named in err (a
// *templates.Error or a templates.ErrorList).
func (s *sample) mark(file string, err error) {
	var list templates.ErrorList
	var one *templates.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = templates.ErrorList{one}
	}
	for _, e := range list {
		if e.File != file && path.Base(e.File) != path.Base(file) {
			continue
		}
		if s.marks == nil {
			s.marks = make(map[int][]string)
		}
		s.marks[e.Line] = append(s.marks[e.Line], fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg))
	}
}

// render renders the selection. Nothing here returns early on a problem
// that leaves something to show: a broken template still gets its check
// problems, a message that fails to assemble still shows its parts.
func (p *Preview) render(ctx context.Context, sel *selection) *sample {
	s := &sample{resource: p.opts.Resource, tag: identity.Tag(p.opts.Resource)}
	file := sel.entry.Files[sel.locale]
	tmpl, data, ok := p.loadSample(s, sel, file)
	if !ok {
		return s
	}
	ropts, ok := p.renderParts(s, file, tmpl, data)
	if !ok {
		return s
	}
	p.renderMessage(ctx, s, sel, tmpl, data, ropts)
	return s
}

// loadSample loads the template and the data file of sel; when one does
// not load, s says why (with the check problems of a template without its
// data) and ok is false.
func (p *Preview) loadSample(s *sample, sel *selection, file string) (tmpl *templates.Template, data map[string]any, ok bool) {
	tmpl, err := templates.Load(p.fsys, sel.entry.Name, sel.locale)
	if err != nil {
		s.errors = append(s.errors, errorLines(err)...)
		s.mark(file, err)
		return nil, nil, false
	}
	data, err = readData(p.fsys, sel.data)
	if err != nil {
		s.errors = append(s.errors, err.Error())
		problems := render.Check(tmpl, nil)
		s.problems = lines(problems)
		s.mark(file, problems)
		return nil, nil, false
	}
	return tmpl, data, true
}

// renderParts checks tmpl with data and renders its parts into s, with
// the layout and brand it returns; ok is false when there are no parts.
func (p *Preview) renderParts(s *sample, file string, tmpl *templates.Template, data map[string]any) (ropts *render.Options, ok bool) {
	ropts, err := p.renderOptions()
	if err != nil {
		s.errors = append(s.errors, err.Error())
		return nil, false
	}
	r, err := render.New(ropts)
	if err != nil {
		s.errors = append(s.errors, errorLines(err)...)
		return nil, false
	}
	problems := r.Check(tmpl, data)
	s.problems = lines(problems)
	s.mark(file, problems)
	if s.parts, err = r.Render(tmpl, data); err != nil {
		s.errors = append(s.errors, errorLines(err)...)
		s.mark(file, err)
		s.parts = nil
		return nil, false
	}
	for _, w := range s.parts.Warnings {
		s.problems = append(s.problems, w.Error())
	}
	s.subject = s.parts.Subject
	return ropts, true
}

// renderMessage makes the message as it would be sent (s.eml) and takes
// its subject, with the tag.
func (p *Preview) renderMessage(ctx context.Context, s *sample, sel *selection, tmpl *templates.Template, data map[string]any, ropts *render.Options) {
	// The preview renders and never sends: a Renderer needs no transport.
	mr, err := mailer.NewRenderer(mailer.Config{
		Identity: mailer.Identity{From: p.opts.From},
		Render:   mailer.RenderConfig{Templates: p.fsys, Options: ropts},
	})
	if err != nil {
		s.errors = append(s.errors, "message: "+err.Error())
		return
	}
	env, err := mr.Render(ctx, &mailer.Message{
		Parsed:   tmpl,
		Locale:   sel.locale,
		To:       []string{p.opts.To},
		Resource: p.opts.Resource,
		Data:     data,
	})
	if err != nil {
		s.errors = append(s.errors, "message: "+err.Error())
		return
	}
	s.eml = env.Data
	if subj, err := Subject(env.Data); err == nil && subj != "" {
		s.subject = subj
	}
}

// renderOptions reads the layout and brand files, if any, again for every
// page, so an edit shows at once.
func (p *Preview) renderOptions() (*render.Options, error) {
	o := &render.Options{}
	if p.opts.Layout != "" {
		b, err := os.ReadFile(p.opts.Layout)
		if err != nil {
			return nil, fmt.Errorf("layout: %w", err)
		}
		if o.Layout, err = render.ParseLayout(filepath.Base(p.opts.Layout), string(b)); err != nil {
			return nil, fmt.Errorf("layout %s: %w", p.opts.Layout, err)
		}
	}
	if p.opts.Brand != "" {
		b, err := render.LoadBrand(p.opts.Brand)
		if err != nil {
			return nil, err
		}
		o.Brand = b
	}
	return o, nil
}

// problems lists what check finds in every file of a template, with its
// first sample data file, and every data file that does not read as a JSON
// object.
func (p *Preview) problems(e *entry) []string {
	var out []string
	var data any
	for i, name := range e.Data {
		d, err := readData(p.fsys, name)
		if err != nil {
			out = append(out, err.Error())
		} else if i == 0 {
			data = d
		}
	}
	for _, l := range e.Locales {
		t, err := templates.Load(p.fsys, e.Name, l)
		if err != nil {
			out = append(out, errorLines(err)...)
			continue
		}
		out = append(out, lines(render.Check(t, data))...)
	}
	return out
}

func lines(list templates.ErrorList) []string {
	out := make([]string, 0, len(list))
	for _, e := range list {
		out = append(out, e.Error())
	}
	return out
}

// errorLines splits an error into one line per problem (a
// templates.ErrorList holds several).
func errorLines(err error) []string {
	var list templates.ErrorList
	if errors.As(err, &list) {
		out := make([]string, 0, len(list))
		for _, e := range list {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}

// readData reads a sample data file: a JSON object, numbers kept exactly,
// at most templates.DefaultMaxData bytes (refused before reading it all).
// An empty name means no data: an empty object.
func readData(fsys fs.FS, name string) (map[string]any, error) {
	if name == "" {
		return map[string]any{}, nil
	}
	obj, err := templates.ReadDataFile(fsys, name, 0)
	if errors.Is(err, templates.ErrData) {
		return nil, fmt.Errorf("data file %w", err) // the error names file:line:col
	}
	if err != nil {
		return nil, err
	}
	return obj, nil
}
