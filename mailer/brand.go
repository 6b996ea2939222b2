package mailer

import (
	"net/textproto"

	"github.com/mailtrail/mailtrail/render"
)

// renderOptions returns c.Options with c.Brand in it.
func renderOptions(c RenderConfig) *render.Options {
	if c.Brand == nil {
		return c.Options
	}
	var o render.Options
	if c.Options != nil {
		o = *c.Options // don't modify the caller's view
	}
	o.Brand = c.Brand
	return &o
}

// brand is the Brand the renderer uses.
func (r *Renderer) brand() *render.Brand {
	if r.opts.Brand != nil {
		return r.opts.Brand
	}
	if r.opts.Options != nil {
		return r.opts.Options.Brand
	}
	return nil
}

// header returns a message's extra header fields with the brand's
// unsubscribe fields added (RFC 2369 List-Unsubscribe, RFC 8058
// List-Unsubscribe-Post for one-click), unless the message sets its own
// List-Unsubscribe. h itself is not changed.
func (r *Renderer) header(h map[string]string) map[string]string {
	b := r.brand()
	if b == nil || b.Unsubscribe == "" {
		return h
	}
	post := false
	for name := range h {
		switch textproto.CanonicalMIMEHeaderKey(name) {
		case "List-Unsubscribe":
			return h
		case "List-Unsubscribe-Post":
			post = true
		}
	}
	out := make(map[string]string, len(h)+2)
	for k, v := range h {
		out[k] = v
	}
	out["List-Unsubscribe"] = "<" + b.Unsubscribe + ">"
	if !post {
		out["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	}
	return out
}
