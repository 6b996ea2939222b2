package batch_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
	"github.com/mailtrail/mailtrail/outbox"
	"github.com/mailtrail/mailtrail/outbox/batch"
)

// templatesFS holds the batch's template and a French variant.
var templatesFS = fstest.MapFS{
	"notice.md":    {Data: []byte("---\nsubject: Work order {{ref}}\n---\nHello {{name}}, the vehicle is booked.\n")},
	"notice.fr.md": {Data: []byte("---\nsubject: Ordre {{ref}}\n---\nBonjour {{name}}, le véhicule est réservé.\n")},
}

// writeRecords writes lines as a batch file and returns its path.
func writeRecords(t testing.TB, dir string, lines ...string) string {
	t.Helper()
	path := filepath.Join(dir, "orders.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// records returns n valid records, record i to r<i>@partner.test.
func records(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf(`{"to":"r%d@partner.test","resource":"WO-%d","data":{"ref":"WO-%d","name":"N%d"}}`, i, i, i, i))
	}
	return out
}

// folder opens a folder outbox delivering to srv, closed by the test.
func folder(t testing.TB, dir string, srv *mailtest.Server) *outbox.Folder {
	t.Helper()
	var tr mailer.Transport
	if srv != nil {
		var err error
		if tr, err = mailer.OpenTransport(srv.URL(), nil); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tr.Close() })
	}
	ob, err := outbox.OpenFolder(dir, &outbox.FolderOptions{Transport: tr, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ob.Close() })
	return ob
}

func options(ob outbox.Store, wait time.Duration) *batch.Options {
	return &batch.Options{
		Mailer:   mailer.Config{Identity: mailer.Identity{From: "fleet@example.com"}, Render: mailer.RenderConfig{Templates: templatesFS}, Logger: slog.New(slog.DiscardHandler)},
		Template: "notice",
		Outbox:   ob,
		Wait:     wait,
	}
}

// A batch file sent through a folder outbox: rendered, enqueued in
// groups, delivered from this process, and summed up.
func ExampleSend() {
	srv, _ := mailtest.Listen("127.0.0.1:0")
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "batch")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "orders.jsonl"), []byte(
		`{"to":"a@partner.example","resource":"WO-1","data":{"ref":"WO-1","name":"Ann"}}`+"\n"+
			`{"to":"b@partner.example","resource":"WO-2","data":{"ref":"WO-2","name":"Bob"}}`+"\n"+
			`{"to":"c@partner.example","data":"not an object"}`+"\n"), 0o644)

	tr, _ := mailer.OpenTransport(srv.URL(), nil)
	defer tr.Close()
	ob, _ := outbox.OpenFolder(filepath.Join(dir, "outbox"), &outbox.FolderOptions{Transport: tr})
	defer ob.Close()
	sum, err := batch.Send(context.Background(), filepath.Join(dir, "orders.jsonl"), &batch.Options{
		Mailer:   mailer.Config{Identity: mailer.Identity{From: "fleet@example.com"}, Render: mailer.RenderConfig{Templates: templatesFS}},
		Template: "notice",
		Outbox:   ob,
		Wait:     time.Minute, // deliver from here, for up to a minute
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("records:", sum.Records(), "sent:", sum.Sent, "invalid:", sum.Invalid)
	fmt.Println("server received:", len(srv.Messages()))
	// Output:
	// records: 3 sent: 2 invalid: 1
	// server received: 2
}

// A batch run again skips what went out, and a record keeps its
// Message-ID from run to run.
func TestSend_resume(t *testing.T) {
	srv := mailtest.NewServer(t)
	dir := t.TempDir()
	path := writeRecords(t, dir, records(20)...)
	ob := folder(t, filepath.Join(dir, "outbox"), srv)
	sum, err := batch.Send(context.Background(), path, options(ob, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sent != 20 || sum.Records() != 20 {
		t.Fatalf("first run: %+v, want 20 sent", sum)
	}
	sum, err = batch.Send(context.Background(), path, options(ob, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sent != 0 || sum.Previously != 20 || len(srv.Messages()) != 20 {
		t.Errorf("second run: %+v, server %d; want 20 sent by an earlier run and nothing more", sum, len(srv.Messages()))
	}

	// The same file through another outbox: the same Message-IDs.
	srv2 := mailtest.NewServer(t)
	if _, err := batch.Send(context.Background(), path, options(folder(t, filepath.Join(dir, "other"), srv2), time.Minute)); err != nil {
		t.Fatal(err)
	}
	ids := func(msgs []mailtest.Message) map[string]bool {
		out := map[string]bool{}
		for _, m := range msgs {
			out[regexp.MustCompile(`(?m)^Message-ID: (\S+)\r$`).FindStringSubmatch(string(m.Data))[1]] = true
		}
		return out
	}
	a, b := ids(srv.Messages()), ids(srv2.Messages())
	if len(a) != 20 {
		t.Fatalf("%d distinct Message-IDs, want 20", len(a))
	}
	for id := range a {
		if !b[id] {
			t.Errorf("Message-ID %s not repeated by the second outbox", id)
		}
	}
}

// With Wait zero, or a store that delivers elsewhere, the batch only
// enqueues; a worker delivers later.
func TestSend_enqueueOnly(t *testing.T) {
	srv := mailtest.NewServer(t)
	dir := t.TempDir()
	path := writeRecords(t, dir, records(5)...)
	ob := folder(t, filepath.Join(dir, "outbox"), srv)
	var mu sync.Mutex
	var seen []batch.Entry
	opts := options(ob, 0)
	opts.Report = filepath.Join(dir, "report.jsonl")
	opts.OnRecord = func(e batch.Entry) { mu.Lock(); seen = append(seen, e); mu.Unlock() }
	sum, err := batch.Send(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Enqueued != 5 || sum.Sent != 0 || len(srv.Messages()) != 0 {
		t.Fatalf("enqueue only: %+v, server %d; want 5 enqueued, none sent", sum, len(srv.Messages()))
	}
	if len(seen) != 5 || seen[0].Status != batch.StatusEnqueued || seen[0].MessageID == "" {
		t.Errorf("OnRecord saw %+v, want 5 enqueued with their Message-IDs", seen)
	}
	// Enqueued again: nothing twice, each record said to be in the
	// outbox already.
	var again []batch.Entry
	opts = options(ob, 0)
	opts.OnRecord = func(e batch.Entry) { mu.Lock(); again = append(again, e); mu.Unlock() }
	sum, err = batch.Send(context.Background(), path, opts)
	if err != nil || sum.Enqueued != 5 || len(again) != 5 || !again[0].Previously {
		t.Fatalf("enqueue again: %+v, %v, %+v; want the 5 enqueued earlier", sum, err, again)
	}
	if c, _ := ob.Counts(context.Background()); c.Queued != 5 {
		t.Errorf("outbox holds %+v, want 5 queued", c)
	}
	if err := ob.Drain(context.Background(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages()); n != 5 {
		t.Errorf("worker sent %d, want 5", n)
	}
}

// Records may carry cc, bcc, extra header fields and a locale.
func TestSend_recordFields(t *testing.T) {
	srv := mailtest.NewServer(t)
	dir := t.TempDir()
	path := writeRecords(t, dir,
		`{"to":"a@partner.test","cc":"c@partner.test","bcc":["b@partner.test"],"headers":{"X-Order":"WO-1"},"locale":"fr","resource":"WO-1","data":{"ref":"WO-1","name":"Ann"}}`,
		`{"to":"d@partner.test","headers":{"Bcc":"evil@x.test"},"data":{"ref":"WO-2","name":"Dan"}}`)
	sum, err := batch.Send(context.Background(), path, options(folder(t, filepath.Join(dir, "outbox"), srv), time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sent != 1 || sum.Invalid != 1 {
		t.Fatalf("summary %+v, want 1 sent and the Bcc header refused as invalid", sum)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if got := strings.Join(m.To, ","); got != "a@partner.test,c@partner.test,b@partner.test" {
		t.Errorf("envelope recipients = %s, want to, cc and bcc", got)
	}
	data := string(m.Data)
	for _, want := range []string{"\r\nCc: c@partner.test\r\n", "\r\nX-Order: WO-1\r\n", "Subject: [WO-1] Ordre WO-1"} {
		if !strings.Contains(data, want) {
			t.Errorf("message lacks %q", want)
		}
	}
	if strings.Contains(data, "b@partner.test") {
		t.Errorf("the Bcc recipient shows in the message")
	}
}

// Without an outbox, records are sent directly; a report is the ledger of
// a run again.
func TestSend_direct(t *testing.T) {
	srv := mailtest.NewServer(t)
	dir := t.TempDir()
	path := writeRecords(t, dir, records(6)...)
	opts := options(nil, 0)
	opts.Mailer.Transport.URL = srv.URL()
	opts.Concurrency = 3
	opts.Report = filepath.Join(dir, "report.jsonl")
	sum, err := batch.Send(context.Background(), path, opts)
	if err != nil || sum.Sent != 6 {
		t.Fatalf("Send = %+v, %v; want 6 sent", sum, err)
	}
	sum, err = batch.Send(context.Background(), path, opts)
	if err != nil || sum.Previously != 6 || len(srv.Messages()) != 6 {
		t.Fatalf("again: %+v, %v, server %d; want 6 skipped", sum, err, len(srv.Messages()))
	}
}

func TestSend_noTemplate(t *testing.T) {
	opts := options(nil, 0)
	opts.Template = ""
	if _, err := batch.Send(context.Background(), "x.jsonl", opts); err != batch.ErrNoTemplate {
		t.Errorf("Send without a template = %v, want ErrNoTemplate", err)
	}
}

// onlyStore hides every method of a store but those of outbox.Store, as
// a store that cannot list its keys nor deliver from here.
type onlyStore struct{ outbox.Store }

// A store that cannot list its keys (the PostgreSQL one) still enqueues
// nothing twice: its ErrDuplicate says which records an earlier run
// enqueued.
func TestSend_storeWithoutKeys(t *testing.T) {
	dir := t.TempDir()
	path := writeRecords(t, dir, records(5)...)
	ob := folder(t, filepath.Join(dir, "outbox"), nil)
	for round, wantPrev := range []bool{false, true} {
		var mu sync.Mutex
		var seen []batch.Entry
		opts := options(onlyStore{ob}, time.Minute) // Wait is for stores delivered from here
		opts.OnRecord = func(e batch.Entry) { mu.Lock(); seen = append(seen, e); mu.Unlock() }
		sum, err := batch.Send(context.Background(), path, opts)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Enqueued != 5 || len(seen) != 5 {
			t.Fatalf("round %d: %+v, want 5 enqueued", round, sum)
		}
		for _, e := range seen {
			if e.Previously != wantPrev || e.Status != batch.StatusEnqueued {
				t.Errorf("round %d: line %d: %s, previously %v; want enqueued, previously %v", round, e.Line, e.Status, e.Previously, wantPrev)
			}
		}
	}
	if c, _ := ob.Counts(context.Background()); c != (outbox.Counts{Queued: 5}) {
		t.Errorf("outbox holds %+v, want 5 queued once", c)
	}
}
