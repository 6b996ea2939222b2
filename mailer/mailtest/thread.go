package mailtest

import (
	"bytes"
	"fmt"
	"net/mail"
	"net/textproto"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/internal/charset"
)

// Thread is the messages about one resource that a test server received,
// with what keeps mail clients from showing them as one conversation.
type Thread struct {
	// Resource is the resource id the messages name, in
	// [identity.Canonical] form; "" for messages that name none.
	Resource string
	// Root is the thread root in the messages' References, such as
	// "<fleet+WO-42@example.com>"; "" when none has one.
	Root string
	// Tag is the subject tag the resource should carry, such as "[WO-42]".
	Tag string
	// Messages are the thread's messages in the order the server accepted
	// them.
	Messages []Message
	// Problems say, one per line, why the messages would not thread in
	// real clients; empty when they would. Each names the message by its
	// position in the thread (from 1) and its Message-ID.
	Problems []string
}

// Err returns the thread's problems as one error, or nil when it has none.
func (th *Thread) Err() error {
	if len(th.Problems) == 0 {
		return nil
	}
	return fmt.Errorf("mailtest: thread %s: %s", th.name(), strings.Join(th.Problems, "; "))
}

func (th *Thread) name() string {
	if th.Resource == "" {
		return "(no resource)"
	}
	return th.Resource
}

// Threads groups msgs by the resource they are about, read from the
// identifiers the mailer writes (package identity: the plus address in
// Reply-To, else the Message-ID, else the References root), and checks
// that each group threads in real mail clients:
//
//   - every message has a Message-ID, and no two messages share one
//     (RFC 5322 section 3.6.4);
//   - every message of a resource names one and the same References root,
//     and that root is the resource's thread root (Thunderbird, Apple Mail
//     and Gmail group by References);
//   - In-Reply-To, when present, is one id and the last one in References;
//     References holds no id twice, not the message's own, none of another
//     resource's and none of a message received later;
//   - the subject carries the resource's tag ([identity.Tag]) exactly once,
//     in any case, through RFC 2047 encoded words;
//   - once a message of the thread carries Outlook's Thread-Index, every
//     later one does too, each decodes to a conversation index of 22 octets
//     plus 5 per reply ([MS-OXOMSG] 2.2.1.3), all share the thread's GUID,
//     no other thread uses it, and their Thread-Topic, where present, is
//     the same.
//
// Threads are returned in the order their first message was received;
// messages that name no resource form a last thread with Resource "".
// The identifiers are read whether signed or not; signatures are not
// verified. Threads does not modify msgs.
//
// [MS-OXOMSG]: https://learn.microsoft.com/openspecs/exchange_server_protocols/ms-oxomsg
func Threads(msgs []Message) []*Thread {
	var threads []*Thread
	var orphans *Thread
	byRes := map[string]*Thread{}
	var heads []*threadMsg
	seenID := map[string]int{} // Message-ID → how many so far
	for _, m := range msgs {
		h := readThreadMsg(m)
		heads = append(heads, h)
		th := byRes[h.resource]
		if h.resource == "" {
			if orphans == nil {
				orphans = &Thread{}
			}
			th = orphans
		} else if th == nil {
			th = &Thread{Resource: h.resource, Tag: identity.Tag(h.resource)}
			byRes[h.resource] = th
			threads = append(threads, th)
		}
		h.thread, h.pos = th, len(th.Messages)+1
		th.Messages = append(th.Messages, m)
		th.Problems = append(th.Problems, h.problems...)
		if h.msgID != "" {
			if seenID[h.msgID] > 0 {
				th.problemf(h, "Message-ID is not unique: an earlier message has it too")
			}
			seenID[h.msgID]++
		}
	}
	if orphans != nil {
		threads = append(threads, orphans)
	}
	checkChains(heads)
	checkThreadIndex(threads, heads)
	return threads
}

// AssertThreads checks msgs with [Threads] and fails t with an explanation
// of every problem found. When resources are given, the messages must also
// be about exactly those resources, one thread each (ids compared in
// [identity.Canonical] form). It returns the threads for further checks.
func AssertThreads(t testing.TB, msgs []Message, resources ...string) []*Thread {
	t.Helper()
	threads := Threads(msgs)
	var b strings.Builder
	for _, th := range threads {
		if len(th.Problems) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\nthread %s (%d messages", th.name(), len(th.Messages))
		if th.Root != "" {
			fmt.Fprintf(&b, ", root %s", th.Root)
		}
		b.WriteString("):")
		for _, p := range th.Problems {
			b.WriteString("\n  " + p)
		}
	}
	if len(resources) > 0 {
		var got, want []string
		for _, th := range threads {
			got = append(got, th.name())
		}
		for _, r := range resources {
			want = append(want, identity.Canonical(r))
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			fmt.Fprintf(&b, "\nthreads are about %s, want %s (in the order first received)",
				listOrNone(got), listOrNone(want))
		}
	}
	if b.Len() > 0 {
		t.Errorf("mailtest: %d messages do not thread as one conversation per resource:%s", len(msgs), b.String())
	}
	return threads
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return "[" + strings.Join(s, " ") + "]"
}

// threadMsg is what Threads reads from one message's header.
type threadMsg struct {
	thread      *Thread
	pos         int // in the thread, from 1
	resource    string
	app         identity.App // the application the identifiers name
	replyTo     string       // our plus address in Reply-To, or ""
	msgID       string
	inReplyTo   []string
	refs        []string
	subject     string
	threadIndex string
	hasIndex    bool
	threadTopic string
	hasTopic    bool
	problems    []string // found while reading, before the thread was known
}

func (th *Thread) problemf(h *threadMsg, format string, args ...any) {
	id := h.msgID
	if id == "" {
		id = "(no Message-ID)"
	}
	th.Problems = append(th.Problems, fmt.Sprintf("message %d %s: ", h.pos, id)+fmt.Sprintf(format, args...))
}

func readThreadMsg(m Message) *threadMsg {
	h := &threadMsg{}
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		h.problems = append(h.problems, fmt.Sprintf("message from %s to %v: unreadable header: %v", m.From, m.To, err))
		return h
	}
	hd := msg.Header
	h.msgID = strings.TrimSpace(hd.Get("Message-Id"))
	h.inReplyTo = msgIDs(hd.Get("In-Reply-To"))
	h.refs = msgIDs(hd.Get("References"))
	h.subject = charset.DecodeHeader(hd.Get("Subject"))
	h.threadIndex, h.hasIndex = headerValue(hd, "Thread-Index")
	h.threadTopic, h.hasTopic = headerValue(hd, "Thread-Topic")
	h.threadTopic = charset.DecodeHeader(h.threadTopic)

	// The resource: the reply address first, as identity.Trace trusts it
	// most, then the Message-ID, then the References root.
	if rt, err := mail.ParseAddressList(hd.Get("Reply-To")); err == nil {
		for _, a := range rt {
			if app, r, ok := ours(a.Address); ok {
				h.resource, h.app, h.replyTo = r, app, a.Address
				break
			}
		}
	}
	if app, r, ok := ours(h.msgID); ok {
		if h.resource == "" {
			h.resource, h.app = r, app
		} else if r != h.resource {
			h.problems = append(h.problems, fmt.Sprintf("message %s: Reply-To names resource %s but the Message-ID names %s", h.msgID, h.resource, r))
		}
	}
	if h.resource == "" && len(h.refs) > 0 {
		if app, r, ok := ours(h.refs[0]); ok {
			h.resource, h.app = r, app
		}
	}
	if h.resource == "" {
		h.problems = append(h.problems, fmt.Sprintf("message %s (subject %q): names no resource (no plus address in Reply-To, no Message-ID or References root of the application)",
			orNone(h.msgID), h.subject))
	}
	return h
}

func orNone(s string) string {
	if s == "" {
		return "(no Message-ID)"
	}
	return s
}

// ours reads an identifier the mailer writes, name+<resource>…@domain
// with or without angle brackets, into the application address and the
// resource in identity.Canonical form. Signatures are neither required nor
// verified: the resource ends at the first '.'.
func ours(id string) (identity.App, string, bool) {
	spec := strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	at := strings.LastIndexByte(spec, '@')
	plus := strings.IndexByte(spec, '+')
	if at < 0 || plus <= 0 || plus > at {
		return identity.App{}, "", false
	}
	app := identity.App{Name: spec[:plus], Domain: spec[at+1:]}
	res, _, _ := strings.Cut(spec[plus+1:at], ".")
	if app.Check() != nil || app.CheckID(res) != nil {
		return identity.App{}, "", false
	}
	return app, identity.Canonical(res), true
}

// headerValue returns a header field's value and whether it is there.
func headerValue(h mail.Header, name string) (string, bool) {
	v, ok := h[textproto.CanonicalMIMEHeaderKey(name)]
	if !ok || len(v) == 0 {
		return "", false
	}
	return strings.TrimSpace(v[0]), true
}

// msgIDs splits a list of msg-ids ("<a@b> <c@d>"), keeping the brackets.
func msgIDs(v string) []string {
	var ids []string
	for {
		open := strings.IndexByte(v, '<')
		if open < 0 {
			return ids
		}
		end := strings.IndexByte(v[open:], '>')
		if end < 0 {
			return ids
		}
		ids = append(ids, v[open:open+end+1])
		v = v[open+end+1:]
	}
}
