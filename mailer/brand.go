package mailer

import (
	"net/textproto"

	"github.com/mailtrail/mailtrail/render"
)

// renderOptions returns cfg.Render with cfg.Brand in it.
func renderOptions(cfg Config) *render.Options {
	if cfg.Brand == nil {
		return cfg.Render
	}
	var o render.Options
	if cfg.Render != nil {
		o = *cfg.Render // don't modify the caller's view
	}
	o.Brand = cfg.Brand
	return &o
}

// brand is the Brand the renderer uses.
func (m *Mailer) brand() *render.Brand {
	if m.cfg.Brand != nil {
		return m.cfg.Brand
	}
	if m.cfg.Render != nil {
		return m.cfg.Render.Brand
	}
	return nil
}

// header returns a message's extra header fields with the brand's
// unsubscribe fields added (RFC 2369 List-Unsubscribe, RFC 8058
// List-Unsubscribe-Post for one-click), unless the message sets its own
// List-Unsubscribe. h itself is not changed.
func (m *Mailer) header(h map[string]string) map[string]string {
	b := m.brand()
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
