package mailtest_test

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// Three reminders about one invoice, sent with the mailer: one thread.
func ExampleThreads() {
	srv, err := mailtest.Listen("127.0.0.1:0") // in a test: mailtest.NewServer(t)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	m, err := mailer.New(mailer.Config{
		Identity:  mailer.Identity{From: "Billing <billing@example.com>"},
		Render:    mailer.RenderConfig{Templates: fstest.MapFS{"reminder.md": {Data: []byte("---\nsubject: Invoice {{no}} is due\n---\nPlease pay invoice {{no}}.\n")}}},
		Transport: mailer.TransportConfig{URL: srv.URL()},
	})
	if err != nil {
		panic(err)
	}
	defer m.Close()
	for i := 0; i < 3; i++ {
		_, err := m.Send(context.Background(), &mailer.Message{Template: "reminder", To: []string{"ap@partner.example"},
			Resource: "INV-117", Data: map[string]any{"no": "117"}})
		if err != nil {
			panic(err)
		}
	}

	for _, th := range mailtest.Threads(srv.Messages()) {
		fmt.Println(th.Resource, th.Root, len(th.Messages), "messages, problems:", th.Err())
	}
	// Output:
	// INV-117 <billing+INV-117@example.com> 3 messages, problems: <nil>
}

// printT stands for the *testing.T of a test: it prints what would fail it.
type printT struct{ testing.TB }

func (printT) Helper()                           {}
func (printT) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }

// AssertThreads explains what breaks a thread: here a message that starts
// a References chain of its own and doubles the subject tag.
func ExampleAssertThreads() {
	var t testing.TB = printT{} // in a test: the test's t
	msgs := []mailtest.Message{
		{Data: []byte("Reply-To: billing+INV-117@example.com\r\nMessage-ID: <billing+INV-117.a1@example.com>\r\n" +
			"References: <billing+INV-117@example.com>\r\nSubject: [INV-117] Invoice 117 is due\r\n\r\n…\r\n")},
		{Data: []byte("Reply-To: billing+INV-117@example.com\r\nMessage-ID: <billing+INV-117.b2@example.com>\r\n" +
			"References: <billing+INV-117.a1@example.com>\r\nSubject: [INV-117] [INV-117] Invoice 117 is due\r\n\r\n…\r\n")},
	}
	mailtest.AssertThreads(t, msgs, "INV-117")
	// Output:
	// mailtest: 2 messages do not thread as one conversation per resource:
	// thread INV-117 (2 messages, root <billing+INV-117@example.com>):
	//   message 2 <billing+INV-117.b2@example.com>: References starts with <billing+INV-117.a1@example.com>, not the resource's thread root
	//   message 2 <billing+INV-117.b2@example.com>: subject "[INV-117] [INV-117] Invoice 117 is due" carries the tag [INV-117] 2 times
}
