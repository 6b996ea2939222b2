package imap_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/inbound/imap"
	"github.com/mailtrail/mailtrail/inbound/imaptest"
)

// TestPoller_MessageTimeout: the deadline covers the handler and parsing;
// a message over it is failed and the mailbox goes on.
func TestPoller_MessageTimeout(t *testing.T) {
	t.Run("handler", func(t *testing.T) {
		srv := imaptest.NewServer(t, nil)
		srv.Deliver("", replyTo(t, resA, 1))
		srv.Deliver("", replyTo(t, resA, 2))
		p := newPoller(srv)
		p.MessageTimeout = 200 * time.Millisecond
		var errs []error
		p.Filed = func(m *imap.Mail) { errs = append(errs, m.Err) }
		err := p.Poll(context.Background(), func(ctx context.Context, m *imap.Mail) error {
			if m.UID == 1 {
				<-ctx.Done() // a handler that hangs
				return ctx.Err()
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Poll() = %v", err)
		}
		if len(errs) != 2 || !errors.Is(errs[0], context.DeadlineExceeded) || errs[1] != nil {
			t.Errorf("filed with errors %v, want the first past its deadline, the second processed", errs)
		}
		checkFolder(t, srv, "failed", "Re: vehicle check 1")
		checkFolder(t, srv, "processed", "Re: vehicle check 2")
	})
	t.Run("parse", func(t *testing.T) {
		srv := imaptest.NewServer(t, nil)
		srv.Deliver("", replyTo(t, resA, 1))
		p := newPoller(srv)
		p.MessageTimeout = time.Nanosecond // over before parsing starts
		var got *imap.Mail
		p.Filed = func(m *imap.Mail) { got = m }
		calls := 0
		if err := p.Poll(context.Background(), func(context.Context, *imap.Mail) error { calls++; return nil }); err != nil {
			t.Fatalf("Poll() = %v", err)
		}
		if calls != 0 || got == nil || !errors.Is(got.Err, context.DeadlineExceeded) {
			t.Errorf("handler calls %d, Filed %+v; want the parse cut by the deadline and no handler call", calls, got)
		}
		checkFolder(t, srv, "failed", "Re: vehicle check 1")
	})
}
