package imap_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound/imap"
	"github.com/mailtrail/mailtrail/inbound/imaptest"
)

func ExamplePoller_Poll() {
	// An IMAP server in process, holding one reply of a partner.
	srv := imaptest.NewServer(nil, nil)
	defer srv.Close()
	app := identity.App{Name: "backoffice", Domain: "example.com"}
	to, _ := app.ReplyTo("0b9f4a52-8c1e-4d3a-9f7e-2a6c5d4e3f21")
	srv.Deliver("INBOX", []byte("From: partner@example.net\r\nTo: "+to+"\r\n"+
		"Subject: Re: vehicle check\r\nMessage-ID: <1@example.net>\r\n\r\nAll good.\r\n"))

	p := &imap.Poller{
		URL: srv.URL(), // in production: imaps://user:pass@imap.example.com
		App: app,
		Filed: func(m *imap.Mail) {
			fmt.Println("filed:", m.Outcome)
		},
	}
	err := p.Poll(context.Background(), func(ctx context.Context, m *imap.Mail) error {
		if m.Trace == nil {
			return errors.New("no resource") // filed in "failed"
		}
		// Idempotent by m.Key: a crash before the move hands it over again.
		fmt.Println(m.Trace.Resource, "from", m.Trace.Source, "key", m.Key)
		return nil // filed in "processed"
	})
	fmt.Println("err:", err)
	// Output:
	// 0b9f4a52-8c1e-4d3a-9f7e-2a6c5d4e3f21 from address key <1@example.net>
	// filed: processed
	// err: <nil>
}

func ExampleRedactURL() {
	fmt.Println(imap.RedactURL("imaps://backoffice%40example.com:s3cret@imap.example.com"))
	// Output: imaps://backoffice%40example.com:xxxxx@imap.example.com
}

func ExamplePoller_Watch() {
	srv := imaptest.NewServer(nil, nil)
	defer srv.Close()
	app := identity.App{Name: "backoffice", Domain: "example.com"}
	to, _ := app.ReplyTo("5e2d1c0b-3a49-4f8e-8d7c-6b5a49382716")

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	p := &imap.Poller{
		URL:       srv.URL(),
		App:       app,
		Ledger:    &imap.MemoryLedger{}, // a failed move does not mean a second handling
		Processed: "Done",               // created when missing
		Filed: func(m *imap.Mail) {
			fmt.Println(m.UID, m.Outcome)
			stop() // one message is enough for the example; a service runs until SIGTERM
		},
	}
	// New mail while Watch waits in IDLE.
	srv.OnIdle(func() {
		srv.OnIdle(nil)
		srv.Deliver("INBOX", []byte("From: partner@example.net\r\nTo: "+to+"\r\n"+
			"Subject: Re: vehicle check\r\nMessage-ID: <2@example.net>\r\n\r\nDone.\r\n"))
	})
	err := p.Watch(ctx, func(ctx context.Context, m *imap.Mail) error {
		fmt.Println(m.Trace.Resource)
		return nil
	})
	fmt.Println(errors.Is(err, context.Canceled))
	// Output:
	// 5e2d1c0b-3a49-4f8e-8d7c-6b5a49382716
	// 1 processed
	// true
}
