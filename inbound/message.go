// Package inbound parses incoming messages and replies.
package inbound

import (
	"errors"
	"io"
	"net/mail"

	"github.com/mailtrail/mailtrail/identity"
)

// Message is a parsed incoming message. CONTRACT (fields may grow).
type Message struct {
	From    string      // envelope sender when known, else the From header's address
	To      []string    // envelope recipients when known, else To/Cc addresses
	Header  mail.Header // raw header fields as on the wire (canonical keys)
	Content *Part
}

// Part is one node of the MIME tree. CONTRACT (fields may grow).
type Part struct {
	ContentType string
	Parts       []*Part
	Body        []byte
}

// Parse reads a raw RFC 5322 message. STUB.
func Parse(r io.Reader) (*Message, error) { return nil, errors.New("inbound: not implemented") }

// Trace finds the resource m is about, following bounces. STUB.
func Trace(m *Message, app identity.App) (*identity.Result, error) {
	return nil, identity.ErrNotFound
}
