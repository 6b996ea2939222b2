package replytest_test

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/inbound/imap"
	"github.com/mailtrail/mailtrail/inbound/imaptest"
	"github.com/mailtrail/mailtrail/inbound/reply"
	"github.com/mailtrail/mailtrail/inbound/replytest"
	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

var reminders = fstest.MapFS{"check.md": {Data: []byte("---\nsubject: Vehicle check {{plate}}\n---\n" +
	"Dear partner,\n\nPlease check vehicle **{{plate}}**.\n")}}

// Both directions end to end: three messages about one work order go out
// through the mailer and thread as one conversation; the partner answers
// the second from Outlook in French, the third bounces; the inbound Poller
// reads both from an IMAP mailbox and the handler sees one reply for the
// work order, with its text, and one bounce. In a test, use
// mailtest.NewServer(t), mailtest.AssertThreads(t, …) and
// imaptest.NewServer(t, nil) (see TestEndToEnd), which close themselves.
func Example_endToEnd() {
	ctx := context.Background()
	smtpSrv, _ := mailtest.Listen("127.0.0.1:0")
	defer smtpSrv.Close()
	m, err := mailer.New(mailer.Config{Identity: mailer.Identity{From: "Fleet desk <fleet@example.com>"},
		Render: mailer.RenderConfig{Templates: reminders}, Transport: mailer.TransportConfig{URL: smtpSrv.URL()}})
	if err != nil {
		panic(err)
	}
	defer m.Close()
	for i := 0; i < 3; i++ {
		if _, err := m.Send(ctx, &mailer.Message{Template: "check", To: []string{"Jean Dupont <jean@garage.example>"},
			Resource: "WO-42", Data: map[string]any{"plate": "AB-123-CD"}}); err != nil {
			panic(err)
		}
	}
	sent := smtpSrv.Messages()
	for _, th := range mailtest.Threads(sent) {
		fmt.Println("thread", th.Resource, len(th.Messages), "messages, problems:", th.Err())
	}

	answer, _ := replytest.Reply(sent[1].Data, replytest.Outlook, replytest.French, replytest.Text("Le véhicule est prêt."))
	bounce, _ := replytest.Bounce(sent[2].Data, "5.1.1")
	imapSrv := imaptest.NewServer(nil, nil)
	defer imapSrv.Close()
	imapSrv.Deliver("INBOX", answer)
	imapSrv.Deliver("INBOX", bounce)

	p := &imap.Poller{URL: imapSrv.URL(), App: identity.App{Name: "fleet", Domain: "example.com"}}
	err = p.Poll(ctx, func(ctx context.Context, mail *imap.Mail) error {
		switch mail.Trace.Kind {
		case inbound.Reply:
			fmt.Printf("reply for %s: %q\n", mail.Trace.Resource, reply.Parse(mail.Message).Text)
		case inbound.Bounce:
			fmt.Println("bounce for", mail.Trace.Resource)
		}
		return nil
	})
	fmt.Println("poll:", err, "processed:", len(imapSrv.Messages("processed")))
	// Output:
	// thread WO-42 3 messages, problems: <nil>
	// reply for WO-42: "Le véhicule est prêt."
	// bounce for WO-42
	// poll: <nil> processed: 2
}

// TestEndToEnd is Example_endToEnd as a test, as the README shows it.
func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	smtpSrv := mailtest.NewServer(t)
	m, err := mailer.New(mailer.Config{Identity: mailer.Identity{From: "Fleet desk <fleet@example.com>"},
		Render: mailer.RenderConfig{Templates: reminders}, Transport: mailer.TransportConfig{URL: smtpSrv.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for i := 0; i < 3; i++ {
		if _, err := m.Send(ctx, &mailer.Message{Template: "check", To: []string{"jean@garage.example"},
			Resource: "WO-42", Data: map[string]any{"plate": "AB-123-CD"}}); err != nil {
			t.Fatal(err)
		}
	}
	sent := smtpSrv.Messages()
	mailtest.AssertThreads(t, sent, "WO-42") // one conversation in every client

	answer, err := replytest.Reply(sent[1].Data, replytest.Outlook, replytest.French, replytest.Text("Le véhicule est prêt."))
	if err != nil {
		t.Fatal(err)
	}
	bounce, err := replytest.Bounce(sent[2].Data, "5.1.1")
	if err != nil {
		t.Fatal(err)
	}
	imapSrv := imaptest.NewServer(t, nil)
	imapSrv.Deliver("INBOX", answer)
	imapSrv.Deliver("INBOX", bounce)

	replies, bounces := map[string]string{}, 0
	p := &imap.Poller{URL: imapSrv.URL(), App: identity.App{Name: "fleet", Domain: "example.com"}}
	err = p.Poll(ctx, func(ctx context.Context, mail *imap.Mail) error {
		switch mail.Trace.Kind { // the application's handler
		case inbound.Reply:
			replies[mail.Trace.Resource] = reply.Parse(mail.Message).Text
		case inbound.Bounce:
			bounces++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 1 || replies["WO-42"] != "Le véhicule est prêt." || bounces != 1 {
		t.Errorf("handler saw replies %q and %d bounces, want the French one for WO-42 and 1", replies, bounces)
	}
	if n := len(imapSrv.Messages("processed")); n != 2 {
		t.Errorf("%d messages processed, want 2", n)
	}
}
