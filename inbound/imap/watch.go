package imap

import (
	"context"
	"errors"
	"fmt"
	"time"

	goimap "github.com/emersion/go-imap/v2"
)

// Watch processes the mailbox like [Poller.Poll], then waits for new mail
// and processes it, until ctx is done. It waits with IDLE (RFC 2177) when
// the server has it, and otherwise looks again every PollInterval. When the
// connection drops (during FETCH, IDLE or anything else), it reconnects
// after ReconnectDelay, doubling up to ReconnectMax while the server stays
// away.
//
// Watch returns ctx's error when ctx ends it, or at once an error that
// waiting will not cure: [ErrConfig], [ErrAuth], [ErrTLS]. Each session is
// logged out and closed before the next begins and before Watch returns.
func (p *Poller) Watch(ctx context.Context, h Handler) error {
	if h == nil {
		return fmt.Errorf("%w: nil handler", ErrConfig)
	}
	if err := p.Check(); err != nil {
		return err
	}
	log := p.logger()
	first := dur(p.ReconnectDelay, time.Second)
	max := dur(p.ReconnectMax, 5*time.Minute)
	delay := first
	var validity uint32
	for {
		progressed, err := p.watchSession(ctx, h, &validity)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, ErrConfig) || errors.Is(err, ErrAuth) || errors.Is(err, ErrTLS) {
			return err
		}
		if progressed {
			delay = first
		}
		log.Warn("imap: connection lost; reconnecting", "server", RedactURL(p.URL), "in", delay, "err", err)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		delay = min(delay*2, max)
	}
}

// watchSession runs one connection: passes separated by waits, until an
// error or ctx. progressed says whether at least one pass completed.
func (p *Poller) watchSession(ctx context.Context, h Handler, validity *uint32) (progressed bool, err error) {
	s, err := p.connect(ctx)
	if err != nil {
		return false, err
	}
	defer s.close()
	if err := s.ensureFolders(); err != nil {
		return false, err
	}
	for {
		// A notification that arrives during the pass stays queued and
		// cuts the next wait short, so no new message waits for a recheck.
		select {
		case <-s.updates:
		default:
		}
		v, err := s.pass(ctx, h, validity)
		if err != nil {
			return progressed, err
		}
		*validity, progressed = v, true
		if err := ctx.Err(); err != nil {
			return true, err
		}
		if s.c.Caps().Has(goimap.CapIdle) {
			err = s.idle(ctx)
		} else {
			err = s.sleep(ctx, dur(p.PollInterval, time.Minute))
		}
		if err != nil {
			return true, err
		}
	}
}

// idle waits in IDLE for new mail, ctx, a lost connection or IdleRecheck.
func (s *session) idle(ctx context.Context) error {
	cmd, err := s.c.Idle()
	if err != nil {
		return fmt.Errorf("imap: idle: %w", err)
	}
	s.p.logger().Debug("imap: idling", "server", s.ep.addr, "mailbox", s.p.mailbox())
	t := time.NewTimer(dur(s.p.IdleRecheck, 10*time.Minute))
	defer t.Stop()
	lost := false
	select {
	case <-ctx.Done():
	case <-s.updates:
	case <-t.C:
	case <-s.c.Closed():
		lost = true
	}
	cerr := cmd.Close()
	if cerr == nil {
		cerr = cmd.Wait()
	}
	if lost {
		return fmt.Errorf("imap: idle: connection closed by %s", s.ep.addr)
	}
	if cerr != nil && ctx.Err() == nil {
		return fmt.Errorf("imap: idle: %w", cerr)
	}
	return ctx.Err()
}

// sleep waits for PollInterval, ctx or a lost connection.
func (s *session) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.c.Closed():
		return fmt.Errorf("imap: connection closed by %s", s.ep.addr)
	case <-t.C:
		return nil
	}
}
