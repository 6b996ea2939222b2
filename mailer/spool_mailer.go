package mailer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// useSpool makes Send enqueue into the spool of cfg.Spool: the spool
// delivers over smtp, or into the outbox folder when smtp is nil.
func (m *Mailer) useSpool(smtp *SMTPConfig) error {
	var opts SpoolOptions
	if m.cfg.SpoolOptions != nil {
		opts = *m.cfg.SpoolOptions // don't modify the caller's view
	}
	if opts.Logger == nil {
		opts.Logger = m.log
	}
	if opts.SMTP == nil && opts.Deliver == nil {
		if smtp != nil {
			opts.SMTP = smtp
		} else {
			o, _ := m.dlv.(*outbox)
			if o == nil {
				return errors.New("spool: nowhere to deliver")
			}
			opts.Deliver = o.deliverSpooled
		}
	}
	s, err := OpenSpool(m.cfg.Spool, &opts)
	if err != nil {
		return err
	}
	m.spool = s
	m.dlv = spoolDeliverer{s}
	return nil
}

// Spool returns the Mailer's spool, or nil when Config.Spool is empty.
// Run it to deliver what Send enqueued:
//
//	go m.Spool().Run(ctx)
func (m *Mailer) Spool() *Spool { return m.spool }

// spoolDeliverer makes Send enqueue: the message is delivered later by
// Spool.Run.
type spoolDeliverer struct{ s *Spool }

func (d spoolDeliverer) deliver(ctx context.Context, env *Envelope) (string, error) {
	id, err := d.s.Enqueue(ctx, env)
	if err != nil {
		return "", err
	}
	return d.s.Path(StateQueued, id, ".eml"), nil
}

func (d spoolDeliverer) close() error { return nil }

// deliverSpooled writes a spooled message to the outbox.
func (o *outbox) deliverSpooled(ctx context.Context, from string, to []string, data []byte) error {
	_, err := o.deliver(ctx, &Envelope{From: from, To: to, Data: data, MessageID: spoolMessageID(data)})
	if errors.Is(err, os.ErrPermission) || errors.Is(err, os.ErrNotExist) {
		return &SendError{Op: OpData, Err: fmt.Errorf("outbox %s: %w", filepath.Clean(o.dir), err), class: sendPermanent}
	}
	return err
}

// spoolMessageID finds the Message-ID field of a message, for the outbox's
// file name; "" when there is none.
func spoolMessageID(data []byte) string {
	for len(data) > 0 {
		i := 0
		for i < len(data) && data[i] != '\n' {
			i++
		}
		line := data[:i]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			return "" // end of the header
		}
		const name = "message-id:"
		if len(line) > len(name) && equalFoldASCII(string(line[:len(name)]), name) {
			return string(trimSpaceASCII(line[len(name):]))
		}
		if i == len(data) {
			break
		}
		data = data[i+1:]
	}
	return ""
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}

func trimSpaceASCII(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
