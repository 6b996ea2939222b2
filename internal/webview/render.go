package webview

import (
	"context"

	"github.com/mailtrail/mailtrail/render"
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
	eml      []byte // the message as it would be sent
}

// render renders the selection. Nothing here returns early on a problem
// that leaves something to show: a broken template still gets its check
// problems, a message that fails to assemble still shows its parts.
func (p *Preview) render(ctx context.Context, sel *selection) *sample {
	return &sample{errors: []string{"webview: rendering is not wired yet"}}
}

// problems runs check on every file of a template.
func (p *Preview) problems(ctx context.Context, e *entry) []string {
	return nil
}
