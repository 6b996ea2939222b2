package mailtest_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// recorder is a testing.TB that keeps what it was told to report.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// hdr builds a message from header lines.
func hdr(lines ...string) mailtest.Message {
	return mailtest.Message{From: "fleet@example.com", To: []string{"p@example.net"},
		Data: []byte(strings.Join(lines, "\r\n") + "\r\n\r\nbody\r\n")}
}

// index makes a Thread-Index: reserved octet, time, GUID, replies.
func index(guid byte, replies int) string {
	b := make([]byte, 22+5*replies)
	b[0] = 1
	for i := 6; i < 22; i++ {
		b[i] = guid
	}
	return "Thread-Index: " + base64.StdEncoding.EncodeToString(b)
}

const (
	rt42   = "Reply-To: fleet+WO-42@example.com"
	root42 = "References: <fleet+WO-42@example.com>"
	rt43   = "Reply-To: fleet+WO-43@example.com"
	root43 = "References: <fleet+WO-43@example.com>"
)

func mid(res, tok string) string { return "Message-ID: <fleet+" + res + "." + tok + "@example.com>" }

func TestThreads_problems(t *testing.T) {
	tests := []struct {
		name string
		msgs []mailtest.Message
		want []string // substrings of the problems, in order; none: threads fine
	}{
		{"one thread", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: [WO-42] Check"),
			hdr(rt42, mid("WO-42", "b"), root42, "Subject: Reminder: [WO-42] Check"),
		}, nil},
		{"signed identifiers", []mailtest.Message{
			hdr("Reply-To: fleet+WO-42.kwb4ruls3bqup@example.com", mid("WO-42.kwb4ruls3bqup", "a"),
				"References: <fleet+WO-42.kwb4ruls3bqup@example.com>", "Subject: [WO-42] Check"),
			hdr("Reply-To: fleet+WO-42.kwb4ruls3bqup@example.com", mid("WO-42.kwb4ruls3bqup", "b"),
				"References: <fleet+WO-42.kwb4ruls3bqup@example.com> <fleet+WO-42.kwb4ruls3bqup.a@example.com>",
				"In-Reply-To: <fleet+WO-42.kwb4ruls3bqup.a@example.com>", "Subject: Re: [WO-42] Check"),
		}, nil},
		{"chain through earlier messages", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: [WO-42] Check"),
			hdr(rt42, mid("WO-42", "b"), "References: <fleet+WO-42@example.com> <fleet+WO-42.a@example.com>",
				"In-Reply-To: <fleet+WO-42.a@example.com>", "Subject: [WO-42] Check"),
		}, nil},
		{"duplicate Message-ID", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: [WO-42] Check"),
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: [WO-42] Check"),
		}, []string{"message 2 <fleet+WO-42.a@example.com>: Message-ID is not unique"}},
		{"no Message-ID", []mailtest.Message{
			hdr(rt42, root42, "Subject: [WO-42] Check"),
		}, []string{"message 1 (no Message-ID): no Message-ID"}},
		{"root of another resource", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root43, "Subject: [WO-42] Check"),
		}, []string{"References root <fleet+WO-43@example.com> is the thread root of resource WO-43", "References names <fleet+WO-43@example.com>, an id of resource WO-43"}},
		{"root not ours", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), "References: <abc@elsewhere.example>", "Subject: [WO-42] Check"),
		}, []string{"References starts with <abc@elsewhere.example>, not the resource's thread root"}},
		{"two roots", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: [WO-42] Check"),
			hdr(mid("WO-42", "b"), "References: <fleet+WO-42.kwb4ruls3bqup@example.com>", "Subject: [WO-42] Check"),
		}, []string{"References root <fleet+WO-42.kwb4ruls3bqup@example.com> differs from the thread's root <fleet+WO-42@example.com>"}},
		{"root is not the reply address", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), "References: <fleet+WO-42.a@example.com>", "Subject: [WO-42] Check"),
		}, []string{"References starts with <fleet+WO-42.a@example.com>, not the resource's thread root", "References names the message itself"}},
		{"no References", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), "Subject: [WO-42] Check"),
		}, []string{"no References"}},
		{"In-Reply-To not last in References", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: [WO-42] Check"),
			hdr(rt42, mid("WO-42", "b"), root42, "In-Reply-To: <fleet+WO-42.a@example.com>", "Subject: [WO-42] Check"),
		}, []string{"In-Reply-To <fleet+WO-42.a@example.com> is not the last id in References"}},
		{"reference to a later message", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), "References: <fleet+WO-42@example.com> <fleet+WO-42.b@example.com>", "Subject: [WO-42] Check"),
			hdr(rt42, mid("WO-42", "b"), root42, "Subject: [WO-42] Check"),
		}, []string{"References names message 2, which was received later"}},
		{"reference twice and to itself", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), "References: <fleet+WO-42@example.com> <fleet+WO-42@example.com> <fleet+WO-42.a@example.com>", "Subject: [WO-42] Check"),
		}, []string{"References names <fleet+WO-42@example.com> twice", "References names the message itself"}},
		{"doubled tag", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: [WO-42] [wo-42] Check"),
		}, []string{`subject "[WO-42] [wo-42] Check" carries the tag [WO-42] 2 times`}},
		{"doubled tag in an encoded word", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: =?UTF-8?Q?[WO-42]_V=C3=A9hicule_[WO-42]?="),
		}, []string{`carries the tag [WO-42] 2 times`}},
		{"wrong tag", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: [WO-43] Check"),
		}, []string{`carries the tag [WO-43], want [WO-42]`}},
		{"no tag", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: Check"),
		}, []string{`subject "Check" carries no tag, want [WO-42]`}},
		{"Reply-To and Message-ID disagree", []mailtest.Message{
			hdr(rt42, mid("WO-43", "a"), root42, "Subject: [WO-42] Check"),
		}, []string{"Reply-To names resource WO-42 but the Message-ID names WO-43"}},
		{"no resource", []mailtest.Message{
			hdr("Message-ID: <x@example.net>", "Subject: Hello"),
		}, []string{`message <x@example.net> (subject "Hello"): names no resource`}},
		{"Thread-Index consistent", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: [WO-42] Check"), // sent before Thread-Index existed
			hdr(rt42, mid("WO-42", "b"), root42, "Subject: [WO-42] Check", index(7, 0), "Thread-Topic: Check"),
			hdr(rt42, mid("WO-42", "c"), root42, "Subject: [WO-42] Check", index(7, 1), "Thread-Topic: Check"),
			hdr(rt43, mid("WO-43", "a"), root43, "Subject: [WO-43] Check", index(8, 0)),
		}, nil},
		{"Thread-Index missing after the first", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: [WO-42] Check", index(7, 0)),
			hdr(rt42, mid("WO-42", "b"), root42, "Subject: [WO-42] Check"),
		}, []string{"message 2 <fleet+WO-42.b@example.com>: no Thread-Index, though an earlier message"}},
		{"Thread-Index GUID differs", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: [WO-42] Check", index(7, 0)),
			hdr(rt42, mid("WO-42", "b"), root42, "Subject: [WO-42] Check", index(9, 0)),
		}, []string{"Thread-Index GUID 09090909090909090909090909090909 differs from the thread's 07070707070707070707070707070707"}},
		{"Thread-Index shared by two resources", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: [WO-42] Check", index(7, 0)),
			hdr(rt43, mid("WO-43", "a"), root43, "Subject: [WO-43] Check", index(7, 0)),
		}, []string{"is also resource WO-42's: Outlook merges"}},
		{"Thread-Index malformed", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: [WO-42] Check", "Thread-Index: AQHZ1234"),
			hdr(rt42, mid("WO-42", "b"), root42, "Subject: [WO-42] Check", "Thread-Index: not*base64"),
			hdr(rt42, mid("WO-42", "c"), root42, "Subject: [WO-42] Check", "Thread-Index: "+base64.StdEncoding.EncodeToString(make([]byte, 22))),
		}, []string{"Thread-Index is 6 octets, want 22 plus 5 per reply", "Thread-Index \"not*base64\" is not base64", "Thread-Index starts with octet 0, want 1"}},
		{"Thread-Topic differs", []mailtest.Message{
			hdr(rt42, mid("WO-42", "a"), root42, "Subject: [WO-42] Check", index(7, 0), "Thread-Topic: Check"),
			hdr(rt42, mid("WO-42", "b"), root42, "Subject: [WO-42] Check", index(7, 0), "Thread-Topic: Other"),
		}, []string{`Thread-Topic "Other" differs from the thread's "Check"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, th := range mailtest.Threads(tt.msgs) {
				got = append(got, th.Problems...)
				if (th.Err() == nil) != (len(th.Problems) == 0) {
					t.Errorf("thread %s: Err() = %v with %d problems", th.Resource, th.Err(), len(th.Problems))
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Threads() problems = %q, want %d like %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to say %q", i, got[i], w)
				}
			}
		})
	}
}

func TestThreads_grouping(t *testing.T) {
	msgs := []mailtest.Message{
		hdr(rt42, mid("WO-42", "a"), root42, "Subject: [WO-42] Check"),
		hdr(rt43, mid("WO-43", "a"), root43, "Subject: [WO-43] Check"),
		hdr("Message-ID: <x@example.net>", "Subject: Hello"),
		hdr(mid("WO-42", "b"), root42, "Subject: [WO-42] Check"),             // no Reply-To
		hdr("Message-ID: <y@example.net>", root43, "Subject: [WO-43] Again"), // References only
	}
	threads := mailtest.Threads(msgs)
	var got []string
	for _, th := range threads {
		got = append(got, fmt.Sprintf("%s:%d:%s", th.Resource, len(th.Messages), th.Root))
	}
	want := []string{"WO-42:2:<fleet+WO-42@example.com>", "WO-43:2:<fleet+WO-43@example.com>", ":1:"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Threads() = %q, want %q", got, want)
	}
	if string(threads[0].Messages[1].Data) != string(msgs[3].Data) {
		t.Error("thread WO-42's second message is not the fourth received")
	}
}

// TestAssertThreads_mailer sends messages about two resources with the
// mailer, through a re-send hook that keeps the tag, and checks that they
// thread; then that a broken set fails with a readable explanation.
func TestAssertThreads_mailer(t *testing.T) {
	srv := mailtest.NewServer(t)
	m, err := mailer.New(mailer.Config{
		Identity:  mailer.Identity{From: "Fleet desk <fleet@example.com>"},
		Render:    mailer.RenderConfig{Templates: fstest.MapFS{"check.md": {Data: []byte("---\nsubject: Vehicle check {{plate}}\n---\nPlease check {{plate}}.\n")}}},
		Transport: mailer.TransportConfig{URL: srv.URL()},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	uuid := "A74E22BB-3313-4DC4-AF28-6C2BD1351C0F"
	for _, res := range []string{"WO-42", uuid, "WO-42", uuid, "WO-42"} {
		if _, err := m.Send(context.Background(), &mailer.Message{Template: "check", To: []string{"p@example.net"},
			Resource: res, Data: map[string]any{"plate": "AB-123-CD"}}); err != nil {
			t.Fatal(err)
		}
	}
	threads := mailtest.AssertThreads(t, srv.Messages(), "WO-42", uuid)
	if len(threads) != 2 || len(threads[0].Messages) != 3 || threads[1].Resource != identity.Canonical(uuid) {
		t.Errorf("AssertThreads() = %d threads, want WO-42 with 3 messages and %s", len(threads), uuid)
	}

	// The mailer writes Outlook's Thread-Index: a message of the thread
	// that lost it is one Outlook shows apart.
	msgs := srv.Messages()
	if !strings.Contains(string(msgs[0].Data), "\r\nThread-Index: ") {
		t.Fatalf("the mailer wrote no Thread-Index:\n%s", msgs[0].Data)
	}
	msgs[2].Data = []byte(strings.Replace(string(msgs[2].Data), "\r\nThread-Index: ", "\r\nX-Thread-Index: ", 1))
	var got []string
	for _, th := range mailtest.Threads(msgs) {
		got = append(got, th.Problems...)
	}
	if len(got) != 1 || !strings.Contains(got[0], "message 2 ") || !strings.Contains(got[0], "no Thread-Index") {
		t.Errorf("Threads() without a Thread-Index = %q, want one problem for WO-42's message 2", got)
	}

	rec := &recorder{}
	msgs = append(srv.Messages(), hdr(rt42, mid("WO-42", "zz"), root43, "Subject: [WO-42] [WO-42] Again"))
	mailtest.AssertThreads(rec, msgs, "WO-42")
	if len(rec.errs) != 1 {
		t.Fatalf("AssertThreads(broken) reported %d errors, want 1: %q", len(rec.errs), rec.errs)
	}
	want := []string{
		"mailtest: 6 messages do not thread as one conversation per resource:",
		"thread WO-42 (4 messages, root <fleet+WO-42@example.com>):",
		"  message 4 <fleet+WO-42.zz@example.com>: References root <fleet+WO-43@example.com> is the thread root of resource WO-43",
		"  message 4 <fleet+WO-42.zz@example.com>: References names <fleet+WO-43@example.com>, an id of resource WO-43",
		`  message 4 <fleet+WO-42.zz@example.com>: subject "[WO-42] [WO-42] Again" carries the tag [WO-42] 2 times`,
		"threads are about [WO-42 a74e22bb-3313-4dc4-af28-6c2bd1351c0f], want [WO-42] (in the order first received)",
	}
	for _, w := range want {
		if !strings.Contains(rec.errs[0], w+"\n") && !strings.HasSuffix(rec.errs[0], w) {
			t.Errorf("AssertThreads(broken) said:\n%s\nwant a line %q", rec.errs[0], w)
		}
	}
}

// FuzzThreads feeds Threads arbitrary messages: it must not panic, must
// keep every message in exactly one thread, and must explain a thread of
// messages that name no resource.
func FuzzThreads(f *testing.F) {
	f.Add([]byte(rt42+"\r\n"+mid("WO-42", "a")+"\r\n"+root42+"\r\nSubject: [WO-42] x\r\n\r\nx"), []byte("Subject: [WO-42] x\r\n\r\n"))
	f.Add([]byte("Thread-Index: AQ==\r\nReferences: <<<>\r\nIn-Reply-To: <a> <b>\r\n\r\n"), []byte{})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		msgs := []mailtest.Message{{Data: a}, {Data: b}, {Data: a}}
		n := 0
		for _, th := range mailtest.Threads(msgs) {
			n += len(th.Messages)
			if th.Resource == "" && len(th.Problems) == 0 {
				t.Errorf("thread without resource has no problems")
			}
		}
		if n != len(msgs) {
			t.Errorf("threads hold %d messages, want %d", n, len(msgs))
		}
	})
}
