package identity_test

import (
	"errors"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
)

// fuzzApps returns the unsigned and the signed application.
func fuzzApps(t testing.TB, signedApp bool) identity.App {
	if signedApp {
		return signed(t, keyK, keyA)
	}
	return app(t)
}

// FuzzParseReplyTo checks ParseReplyTo(ReplyTo(r)) == Canonical(r) and
// that ParseReplyTo, given anything, either fails or returns a valid id
// whose reply address reads back the same.
func FuzzParseReplyTo(f *testing.F) {
	for _, s := range []string{uuidR, uuidU, "42", "INV_2024-0042", "", "a.b", "a\r\nb",
		"mail-api+" + uuidR + "@example.com", "MAIL-API+" + uuidU + "." + strings.ToUpper(sigR) + "@EXAMPLE.COM",
		"mail-api+x.k443b4aksiyjo@example.com", "mail-api+@example.com", "+@", "@"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, signedApp bool) {
		a := fuzzApps(t, signedApp)
		if a.CheckID(s) == nil {
			addr, err := a.ReplyTo(s)
			if err != nil {
				t.Fatalf("ReplyTo(%q) = %v after CheckID passed", s, err)
			}
			if strings.ContainsAny(addr, "\r\n\x00 ") || len(addr[:strings.LastIndexByte(addr, '@')]) > identity.MaxLocalPart {
				t.Fatalf("ReplyTo(%q) = %q: unsafe or too long", s, addr)
			}
			if got, err := a.ParseReplyTo(addr); got != identity.Canonical(s) || err != nil {
				t.Fatalf("ParseReplyTo(ReplyTo(%q)) = %q, %v", s, got, err)
			}
		} else if _, err := a.ReplyTo(s); err == nil {
			t.Fatalf("ReplyTo(%q) succeeded where CheckID failed", s)
		}
		r, err := a.ParseReplyTo(s)
		if err != nil {
			if !errors.Is(err, identity.ErrNotFound) && !errors.Is(err, identity.ErrBadToken) {
				t.Fatalf("ParseReplyTo(%q) = %v, want ErrNotFound or ErrBadToken", s, err)
			}
			return
		}
		if identity.CheckID(r) != nil || identity.Canonical(r) != r {
			t.Fatalf("ParseReplyTo(%q) = %q: not a canonical id", s, r)
		}
		if a.CheckID(r) == nil {
			if again, err := a.ParseReplyTo(must[string](t)(a.ReplyTo(r))); again != r || err != nil {
				t.Fatalf("ParseReplyTo(ReplyTo(ParseReplyTo(%q))) = %q, %v", s, again, err)
			}
		}
	})
}

// FuzzParseMessageID checks ParseMessageID(MessageID(r, t)) == (Canonical(r), t).
func FuzzParseMessageID(f *testing.F) {
	for _, s := range [][2]string{{uuidR, tokA}, {"42", "x"}, {uuidU, "T-_"}, {"a", ""}, {"a\n", "b"}, {"a", "b.c"},
		{"<mail-api+" + uuidR + "." + tokA + "@example.com>", ""}, {"<mail-api+" + uuidR + "." + sigR + "." + tokA + "@example.com>", "x"}} {
		f.Add(s[0], s[1], false)
		f.Add(s[0], s[1], true)
	}
	f.Fuzz(func(t *testing.T, r, tok string, signedApp bool) {
		a := fuzzApps(t, signedApp)
		if id, err := a.MessageID(r, tok); err == nil {
			if strings.ContainsAny(id, "\r\n\x00 ") {
				t.Fatalf("MessageID(%q, %q) = %q: unsafe", r, tok, id)
			}
			gr, gt, err := a.ParseMessageID(id)
			if gr != identity.Canonical(r) || gt != tok || err != nil {
				t.Fatalf("ParseMessageID(MessageID(%q, %q)) = %q, %q, %v", r, tok, gr, gt, err)
			}
		}
		gr, gt, err := a.ParseMessageID(r)
		if err != nil {
			return
		}
		if identity.CheckID(gr) != nil || gt == "" || identity.CheckID(gt) != nil {
			t.Fatalf("ParseMessageID(%q) = %q, %q: invalid parts", r, gr, gt)
		}
	})
}

// FuzzParseThreadID checks ParseThreadID(ThreadID(r)) == Canonical(r).
func FuzzParseThreadID(f *testing.F) {
	for _, s := range []string{uuidR, "42", "<mail-api+" + uuidR + "@example.com>", "<mail-api+" + uuidR + "." + sigR + "@example.com>", "<>", "<@>"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, signedApp bool) {
		a := fuzzApps(t, signedApp)
		if id, err := a.ThreadID(s); err == nil {
			if got, err := a.ParseThreadID(id); got != identity.Canonical(s) || err != nil {
				t.Fatalf("ParseThreadID(ThreadID(%q)) = %q, %v", s, got, err)
			}
		}
		if r, err := a.ParseThreadID(s); err == nil && identity.CheckID(r) != nil {
			t.Fatalf("ParseThreadID(%q) = %q: invalid id", s, r)
		}
	})
}

// FuzzSubjectTag checks that Stamp.Subject is safe and idempotent and that
// SubjectTag finds the tag it adds.
func FuzzSubjectTag(f *testing.F) {
	for _, s := range []string{"Vehicle check", "Re: [a74e22bb] x", "=?UTF-8?Q?R=C3=A9p._:_[a74e22bb]_x?=",
		"RE: AW: [a74e22bb]", "[EXTERNAL] Re: [42] x", "Hi\r\nBcc: x@evil.test", "Re[2]: [", "=?x?Q?[?=", ""} {
		f.Add(s, uuidR)
		f.Add(s, "42")
	}
	f.Fuzz(func(t *testing.T, subject, id string) {
		tag, ok := identity.SubjectTag(subject)
		if ok && (identity.CheckID(tag) != nil || len(tag) > identity.MaxTagLen) {
			t.Fatalf("SubjectTag(%q) = %q: not a tag", subject, tag)
		}
		st, err := app(t).Stamp(id, "t")
		if err != nil {
			return
		}
		got := st.Subject(subject)
		if !strings.Contains(got, subject) {
			t.Fatalf("Subject(%q) = %q, want the subject kept as given", subject, got)
		}
		if again := st.Subject(got); again != got {
			t.Fatalf("Subject(Subject(%q)) = %q, want %q", subject, again, got)
		}
		// A subject that carries the short form of an older tag
		// ([TagLen] characters) keeps it instead of gaining the whole one.
		lower, short := strings.ToLower(got), ""
		if len(st.Resource) > identity.TagLen {
			short = strings.ToLower("[" + st.Resource[:identity.TagLen] + "]")
		}
		if !strings.Contains(lower, strings.ToLower(st.Tag)) && (short == "" || !strings.Contains(lower, short)) {
			t.Fatalf("Subject(%q) = %q lacks %s", subject, got, st.Tag)
		}
		// A tag that reads as a gateway marker, such as [EXTERNAL], is
		// skipped by design.
		if _, notMarker := identity.SubjectTag(st.Tag); strings.HasPrefix(got, st.Tag) && notMarker {
			if tag, ok := identity.SubjectTag(got); !ok || "["+tag+"]" != st.Tag {
				t.Fatalf("SubjectTag(%q) = %q, %v, want %s", got, tag, ok, st.Tag)
			}
		}
	})
}

// FuzzTrace runs Trace on arbitrary header blocks: no panic, a Result
// with every answer, and, for the signed App, no exact match without the
// true signature of the resource somewhere in the input.
func FuzzTrace(f *testing.F) {
	for _, s := range traceSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		m, err := mail.ReadMessage(strings.NewReader(raw))
		if err != nil {
			return
		}
		for _, a := range []identity.App{app(t), signed(t, keyK, keyA)} {
			r, err := identity.Trace(m.Header, a)
			checkTraceResult(t, a, raw, r, err)
			rb, err := identity.TraceBounce(m.Header, m.Header, a)
			checkTraceResult(t, a, raw, rb, err)
		}
	})
}

func checkTraceResult(t *testing.T, a identity.App, raw string, r *identity.Result, err error) {
	t.Helper()
	if r == nil {
		t.Fatalf("Trace(%q) = nil, %v", raw, err)
	}
	if err != nil {
		if !errors.Is(err, identity.ErrNotFound) && !errors.Is(err, identity.ErrBadToken) {
			t.Fatalf("Trace(%q) error = %v", raw, err)
		}
		if r.Resource != "" || r.Source != 0 {
			t.Fatalf("Trace(%q) = %+v with error %v", raw, *r, err)
		}
		return
	}
	if r.Resource == "" || strings.ContainsAny(r.Resource+r.Value, "\r\n\x00") {
		t.Fatalf("Trace(%q) = %+v", raw, *r)
	}
	if r.Exact == (r.Source == identity.SourceSubject) {
		t.Fatalf("Trace(%q) = %+v: Exact and Source disagree", raw, *r)
	}
	if identity.CheckID(r.Resource) != nil && r.Exact {
		t.Fatalf("Trace(%q) resource %q is not a valid id", raw, r.Resource)
	}
	if a.Signed() && r.Exact {
		sig := a.SignatureFor(r.Resource)
		if r.KeyID == "" || !strings.Contains(strings.ToLower(raw), sig[1:]) {
			t.Fatalf("Trace(%q) = %+v: exact signed match without its signature %s", raw, *r, sig)
		}
	}
}

// traceSeeds returns the header sets of testdata/*.eml and a few more.
func traceSeeds(t testing.TB) []string {
	seeds := []string{
		"To: mail-api+" + uuidR + "@example.com\r\n\r\n",
		"To: \"Mail API\" <MAIL-API+" + uuidU + "." + strings.ToUpper(sigR) + "@EXAMPLE.COM>\r\n\r\n",
		"In-Reply-To: <mail-api+" + uuidR + "." + tokA + "@example.com>\r\n\r\n",
		"References: <a@b> <mail-api+" + uuidR + "." + sigR + "@example.com> <c@d>\r\n\r\n",
		"Subject: =?UTF-8?Q?R=C3=A9p._:_[a74e22bb]_x?=\r\nFrom: x@y\r\n\r\n",
		"To: \"unclosed <mail-api+" + uuidR + "@example.com\r\nAuto-Submitted: auto-replied\r\n\r\n",
		"Return-Path: <>\r\nFrom: MAILER-DAEMON\r\nContent-Type: multipart/report; report-type=delivery-status\r\n\r\n",
		// Hostile address and msg-id lists, over the length where fields
		// are scanned rather than parsed, our address last.
		"To: " + strings.Repeat(`"Some Body" <a@b.example>, `, 12000) + "mail-api+" + uuidR + "@example.com\r\n" +
			"References: " + strings.Repeat("<a@b> ", 50000) + "\r\n\r\n",
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, string(b))
	}
	return seeds
}

// FuzzParseApp checks that ParseApp accepts only what String gives back.
func FuzzParseApp(f *testing.F) {
	for _, s := range []string{"mail-api@example.com", "a@b", "a+b@c", "a@b@c", "a\r\n@b", "", "@", ".a@b", "a@-b", "A.B_C-D@x.y.z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := identity.ParseApp(s)
		if err != nil {
			if !errors.Is(err, identity.ErrInvalidApp) {
				t.Fatalf("ParseApp(%q) = %v, want ErrInvalidApp", s, err)
			}
			return
		}
		if a.String() != s || strings.ContainsAny(s, "\r\n\x00 +<>\"") {
			t.Fatalf("ParseApp(%q) = %+v", s, a)
		}
		if a.Check() != nil {
			t.Fatalf("ParseApp(%q) = %+v, which fails Check", s, a)
		}
	})
}
