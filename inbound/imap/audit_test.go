package imap_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/mailtrail/mailtrail/inbound/imap"
	"github.com/mailtrail/mailtrail/inbound/imaptest"
)

// TestPoller_Poll_peekLeavesSeen checks that messages are fetched with
// BODY.PEEK[]: an operator who opens the processed or failed folder still
// sees them as unread. (imapmemserver sets \Seen on a plain BODY[] fetch.)
func TestPoller_Poll_peekLeavesSeen(t *testing.T) {
	for _, tt := range []struct {
		name string
		mode imap.MoveMode
	}{
		{"UID MOVE", imap.MoveAuto},
		{"copy and delete", imap.MoveCopyDelete},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := imaptest.NewServer(t, nil)
			srv.Deliver("", replyTo(t, resA, 1))
			srv.Deliver("", replyTo(t, resA, 2))
			p := newPoller(srv)
			p.MoveMode = tt.mode
			err := p.Poll(context.Background(), func(_ context.Context, m *imap.Mail) error {
				if strings.Contains(m.Message.Header.Get("Subject"), "2") {
					return errors.New("refused")
				}
				return nil
			})
			if err != nil {
				t.Fatalf("Poll() = %v", err)
			}
			for _, folder := range []string{"processed", "failed"} {
				flags := srv.Flags(folder)
				if len(flags) != 1 {
					t.Fatalf("%s holds %d messages, want 1", folder, len(flags))
				}
				for _, f := range flags[0] {
					if f == goimap.FlagSeen {
						t.Errorf("message in %s has flags %v, want no \\Seen (BODY.PEEK[])", folder, flags[0])
					}
				}
			}
		})
	}
}

// TestPoller_Poll_mailboxVanishes checks that a source mailbox that is gone
// gives a clear error naming it, and that the session is still logged out.
func TestPoller_Poll_mailboxVanishes(t *testing.T) {
	srv := imaptest.NewServer(t, &imaptest.Options{Mailboxes: []string{"Orders"}})
	srv.Deliver("Orders", replyTo(t, resA, 1))
	srv.DeleteMailbox("Orders") // an operator tidying up between runs
	p := newPoller(srv)
	p.Mailbox = "Orders"
	rec := &recorder{}
	err := p.Poll(context.Background(), rec.handle)
	if err == nil || !strings.Contains(err.Error(), "select Orders") {
		t.Fatalf("Poll() = %v, want an error naming the select of Orders", err)
	}
	if rec.count() != 0 {
		t.Errorf("handler called %d times, want 0", rec.count())
	}
	if st := srv.Stats(); st.Logouts != 1 {
		t.Errorf("LOGOUT = %d, want 1 after the error", st.Logouts)
	}
}

// backoffLog collects the delays Watch logs before each reconnect, and
// cancels after n of them.
type backoffLog struct {
	mu     sync.Mutex
	delays []string
	n      int
	cancel context.CancelFunc
}

var backoffIn = regexp.MustCompile(`msg="imap: connection lost; reconnecting".* in=(\S+)`)

func (b *backoffLog) Write(p []byte) (int, error) {
	if m := backoffIn.FindSubmatch(p); m != nil {
		b.mu.Lock()
		b.delays = append(b.delays, string(m[1]))
		if len(b.delays) == b.n {
			b.cancel()
		}
		b.mu.Unlock()
	}
	return len(p), nil
}

// TestPoller_Watch_backoff checks FAULTS.md's "reconnect with backoff": the
// wait before each new attempt doubles from ReconnectDelay up to
// ReconnectMax, and ctx ends the loop.
func TestPoller_Watch_backoff(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: every attempt fails
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logw := &backoffLog{n: 6, cancel: cancel}
	p := &imap.Poller{
		URL:            imaptest.URL("imap+insecure", "u", "p", addr),
		ReconnectDelay: time.Millisecond,
		ReconnectMax:   8 * time.Millisecond,
		Logger:         slog.New(slog.NewTextHandler(logw, nil)),
	}
	err = p.Watch(ctx, func(context.Context, *imap.Mail) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Watch() = %v, want context.Canceled", err)
	}
	want := []string{"1ms", "2ms", "4ms", "8ms", "8ms", "8ms"}
	logw.mu.Lock()
	defer logw.mu.Unlock()
	if !slices.Equal(logw.delays, want) {
		t.Errorf("reconnect delays %q, want %q", logw.delays, want)
	}
}
