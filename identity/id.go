// Package identity makes and reads the identifiers that tie a message to a resource.
package identity

import (
	"errors"
	"net/mail"
)

// New returns a new random resource id. STUB.
func New() string { return "00000000-0000-4000-8000-000000000000" }

// App is the application's address: Name@Domain. CONTRACT (fields may grow).
type App struct {
	Name   string
	Domain string
}

// ParseApp parses "app@domain". STUB.
func ParseApp(addr string) (App, error) { return App{}, errors.New("identity: not implemented") }

// Stamp holds the identity headers of one message. CONTRACT (fields may grow).
type Stamp struct {
	Resource   string
	ReplyTo    string // app+<resource>@domain (bare address)
	MessageID  string // <...@domain> with angle brackets
	References string // <thread-root@domain> with angle brackets
	Tag        string // [a74e22bb]
}

// Stamp makes the stamp of one message. token is the per-message unique
// part; empty means a fresh random one. STUB.
func (a App) Stamp(resource, token string) (*Stamp, error) {
	return nil, errors.New("identity: not implemented")
}

// Subject returns subject tagged once with s.Tag. STUB.
func (s *Stamp) Subject(subject string) string { return subject }

// Source says where Trace found the resource. CONTRACT.
type Source int

// Kind classifies an incoming message. CONTRACT.
type Kind int

// Result is what Trace found. CONTRACT (fields may grow).
type Result struct {
	Resource string
	Source   Source
	Exact    bool
	Sender   string
	Kind     Kind
}

// ErrNotFound means no resource was found.
var ErrNotFound = errors.New("identity: no resource found")

// Trace finds the resource named by an incoming message's headers. STUB.
func Trace(h mail.Header, app App) (*Result, error) { return nil, ErrNotFound }
