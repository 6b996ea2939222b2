package mailer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/render"
	"github.com/mailtrail/mailtrail/templates"
)

// Renderer renders messages into the exact bytes a [Mailer] with the same
// Config would transmit, and sends nothing: for previews, for a command
// that writes .eml files, and for rendering now and delivering later
// (through [Mailer.Deliver] or an outbox). It is safe for concurrent use
// and holds no connection, so it needs no Close.
type Renderer struct {
	id       Identity
	opts     RenderConfig
	nowFunc  func() time.Time
	app      identity.App
	from     address
	listID   string
	renderer *render.Renderer
	set      *templates.Set // nil when RenderConfig.Templates is nil
	signer   *signer        // nil unless Config.Signing signs
}

// NewRenderer checks the Identity, Render and Signing groups of cfg and
// returns a Renderer; the other fields (Transport, Outbox, Hooks, Logger)
// are not used. It fails on a missing or invalid From, an invalid ListID,
// signing material that does not load, and a renderer that cannot be
// built.
func NewRenderer(cfg Config) (*Renderer, error) {
	if cfg.Identity.From == "" {
		return nil, errors.New("mailer: config: Identity.From is required (the application's address, app@example.com)")
	}
	from, err := parseAddress("From", cfg.Identity.From)
	if err != nil {
		return nil, fmt.Errorf("mailer: config: %w", err)
	}
	app, err := identity.ParseApp(from.Addr)
	if err != nil {
		return nil, fmt.Errorf("mailer: config: From: %w", err)
	}
	app.Keys = cfg.Identity.Keys
	if err := app.Check(); err != nil {
		return nil, fmt.Errorf("mailer: config: %w", err)
	}
	r := &Renderer{id: cfg.Identity, opts: cfg.Render, nowFunc: cfg.Now, app: app, from: from}
	if cfg.Render.Templates != nil {
		r.set = templates.NewSet(cfg.Render.Templates)
	}
	if r.signer, err = newSigner(cfg.Signing, from.Addr[strings.LastIndexByte(from.Addr, '@')+1:]); err != nil {
		return nil, fmt.Errorf("mailer: config: %w", err)
	}
	if r.listID, err = formatListID(cfg.Render.ListID); err != nil {
		return nil, fmt.Errorf("mailer: config: %w", err)
	}
	if r.renderer, err = render.New(renderOptions(cfg.Render)); err != nil {
		return nil, fmt.Errorf("mailer: config: %w", err)
	}
	return r, nil
}

func (r *Renderer) now() time.Time {
	if r.nowFunc != nil {
		return r.nowFunc()
	}
	return time.Now()
}

// Render renders msg into the exact message that [Mailer.Send] would
// transmit. Nothing is sent or written. An empty msg.Resource gets a new
// id, which the Envelope carries.
//
// Errors about msg itself wrap [ErrInvalidMessage].
func (r *Renderer) Render(ctx context.Context, msg *Message) (*Envelope, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if msg == nil {
		return nil, fmt.Errorf("%w: nil message", ErrInvalidMessage)
	}
	resource := msg.Resource
	if resource == "" {
		resource = identity.New()
	}
	var token string
	if r.id.NewToken != nil {
		token = r.id.NewToken()
	}
	stamp, err := r.app.Stamp(resource, token)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	tmpl, err := r.template(msg)
	if err != nil {
		return nil, err
	}
	parts, err := r.renderer.Render(tmpl, msg.Data)
	if err != nil {
		return nil, fmt.Errorf("%w: render %s: %w", ErrInvalidMessage, tmpl.Name, err)
	}
	return r.assemble(msg, parts, stamp)
}
