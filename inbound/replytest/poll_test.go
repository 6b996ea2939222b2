package replytest_test

import (
	"context"
	"sync"
	"testing"

	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/inbound/imap"
	"github.com/mailtrail/mailtrail/inbound/imaptest"
	"github.com/mailtrail/mailtrail/inbound/reply"
	"github.com/mailtrail/mailtrail/inbound/replytest"
)

// TestPoller_everyShape delivers every client's reply in every language,
// every bounce and every automatic answer to an IMAP test server and runs
// the inbound Poller over it: the handler must see each as what it is,
// about the resource, with the partner's text for the replies.
func TestPoller_everyShape(t *testing.T) {
	orig := sent(t, resource)
	srv := imaptest.NewServer(t, nil)
	want := map[inbound.Kind]int{}
	for _, client := range replytest.Clients {
		for _, lang := range replytest.Languages {
			raw, err := replytest.Reply(orig, client, lang, replytest.Text("OK, vu."))
			if err != nil {
				t.Fatal(err)
			}
			srv.Deliver("", raw)
			want[inbound.Reply]++
		}
	}
	for _, shape := range replytest.BounceShapes {
		raw, err := replytest.Bounce(orig, "5.1.1", shape)
		if err != nil {
			t.Fatal(err)
		}
		srv.Deliver("", raw)
		want[inbound.Bounce]++
	}
	for _, shape := range replytest.AutoShapes {
		raw, err := replytest.AutoReply(orig, shape)
		if err != nil {
			t.Fatal(err)
		}
		srv.Deliver("", raw)
		want[inbound.AutoReply]++
	}

	var mu sync.Mutex
	got := map[inbound.Kind]int{}
	p := &imap.Poller{URL: srv.URL(), App: app}
	err := p.Poll(context.Background(), func(ctx context.Context, m *imap.Mail) error {
		mu.Lock()
		defer mu.Unlock()
		if m.Trace == nil || m.Trace.Resource != resource {
			t.Errorf("UID %d: trace %+v (%v), want %s", m.UID, m.Trace, m.TraceErr, resource)
			return nil
		}
		got[m.Trace.Kind]++
		if text := reply.Parse(m.Message).Text; m.Trace.Kind == inbound.Reply && text != "OK, vu." {
			t.Errorf("UID %d (%s): reply text %q", m.UID, m.Message.Header.Get("Message-Id"), text)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("handler saw %d of kind %s, want %d", got[k], k, n)
		}
	}
	if n, total := len(srv.Messages("processed")), want[inbound.Reply]+want[inbound.Bounce]+want[inbound.AutoReply]; n != total {
		t.Errorf("%d messages processed, want %d", n, total)
	}
}
