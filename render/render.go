// Package render turns a template and data into the parts of a message.
package render

import (
	"errors"
	htmltemplate "html/template"

	"github.com/mailtrail/mailtrail/templates"
)

// Parts are the rendered alternatives of one message. CONTRACT.
type Parts struct {
	Subject string // plain text, data verbatim, no identity tag
	Text    string // text/plain body, LF line endings
	HTML    string // text/html body, inside the layout
	JSON    []byte // application/json body: the data, exactly
}

// Options configures a Renderer. STUB.
type Options struct {
	Layout  *htmltemplate.Template
	Lenient bool
}

// Renderer renders templates. STUB.
type Renderer struct{}

// New returns a Renderer. STUB.
func New(opts *Options) (*Renderer, error) { return &Renderer{}, nil }

// Render renders t with data. STUB.
func (r *Renderer) Render(t *templates.Template, data any) (*Parts, error) {
	return nil, errors.New("render: not implemented")
}
