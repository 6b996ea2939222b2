package imaptest_test

import (
	"context"
	"fmt"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound/imap"
	"github.com/mailtrail/mailtrail/inbound/imaptest"
)

// A Poller over a pre-filled mailbox: what the handler accepts lands in
// "processed", what it refuses in "failed".
func Example() {
	// In a test: srv := imaptest.NewServer(t, nil), closed by t.Cleanup.
	srv := imaptest.NewServer(nil, nil)
	defer srv.Close()
	srv.Deliver("INBOX", []byte("From: partner@example.net\r\nTo: fleet+WO-42@example.com\r\n"+
		"Subject: Re: [WO-42] Vehicle check\r\nMessage-ID: <1@example.net>\r\n\r\nDone.\r\n"))
	srv.Deliver("INBOX", []byte("From: stranger@example.org\r\nTo: fleet@example.com\r\n"+
		"Subject: Hello\r\nMessage-ID: <2@example.org>\r\n\r\nHi.\r\n"))

	p := &imap.Poller{URL: srv.URL(), App: identity.App{Name: "fleet", Domain: "example.com"}}
	err := p.Poll(context.Background(), func(ctx context.Context, m *imap.Mail) error {
		if m.Trace == nil {
			return fmt.Errorf("no resource in %s", m.Key)
		}
		return nil
	})
	fmt.Println("poll:", err)
	fmt.Println("inbox:", len(srv.Messages("INBOX")))
	fmt.Println("processed:", len(srv.Messages("processed")))
	fmt.Println("failed:", len(srv.Messages("failed")))
	fmt.Println("moves:", srv.Stats().Moves)
	// Output:
	// poll: <nil>
	// inbox: 0
	// processed: 1
	// failed: 1
	// moves: 2
}

// A server whose MOVE is advertised but broken: the Poller's default
// MoveAuto falls back to COPY and EXPUNGE.
func ExampleOptions_brokenMove() {
	srv := imaptest.NewServer(nil, &imaptest.Options{BrokenMove: true})
	defer srv.Close()
	srv.Deliver("", []byte("From: partner@example.net\r\nSubject: hi\r\nMessage-ID: <3@example.net>\r\n\r\nhi\r\n"))

	p := &imap.Poller{URL: srv.URL()}
	err := p.Poll(context.Background(), func(ctx context.Context, m *imap.Mail) error { return nil })
	st := srv.Stats()
	fmt.Println(err, len(srv.Messages("processed")), st.Moves > 0, st.Copies, st.UIDExpunges)
	// Output: <nil> 1 true 1 1
}

// Fault injection: the connection drops when the Poller fetches, as a
// server restart would; the message stays in INBOX for the next pass.
func ExampleServer_OnFetch() {
	srv := imaptest.NewServer(nil, nil)
	defer srv.Close()
	srv.Deliver("", []byte("From: partner@example.net\r\nSubject: hi\r\nMessage-ID: <4@example.net>\r\n\r\nhi\r\n"))
	srv.OnFetch(func() {
		srv.OnFetch(nil) // once
		srv.DropConnections()
	})
	p := &imap.Poller{URL: srv.URL()}
	handle := func(ctx context.Context, m *imap.Mail) error { return nil }
	err := p.Poll(context.Background(), handle)
	fmt.Println("first pass failed:", err != nil, "inbox:", len(srv.Messages("INBOX")))
	err = p.Poll(context.Background(), handle)
	fmt.Println("second pass:", err, "processed:", len(srv.Messages("processed")))
	// Output:
	// first pass failed: true inbox: 1
	// second pass: <nil> processed: 1
}
