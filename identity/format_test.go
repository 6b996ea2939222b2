package identity_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
)

// sigR is the signature of uuidR under keyK for mail-api@example.com; it is
// pinned so that a change of the signing scheme shows in review.
const sigR = "k443b4aksiyjo"

func TestApp_makers(t *testing.T) {
	tests := []struct {
		name                     string
		app                      identity.App
		resource, token          string
		replyTo, msgID, threadID string
	}{
		{"uuid", app(t), uuidR, tokA,
			"mail-api+" + uuidR + "@example.com",
			"<mail-api+" + uuidR + "." + tokA + "@example.com>",
			"<mail-api+" + uuidR + "@example.com>"},
		{"case kept", app(t), "INV_2024-42", "T0k-_",
			"mail-api+INV_2024-42@example.com",
			"<mail-api+INV_2024-42.T0k-_@example.com>",
			"<mail-api+INV_2024-42@example.com>"},
		{"upper uuid kept", app(t), uuidU, "x",
			"mail-api+" + uuidU + "@example.com",
			"<mail-api+" + uuidU + ".x@example.com>",
			"<mail-api+" + uuidU + "@example.com>"},
		{"signed", signed(t), uuidR, tokA,
			"mail-api+" + uuidR + "." + sigR + "@example.com",
			"<mail-api+" + uuidR + "." + sigR + "." + tokA + "@example.com>",
			"<mail-api+" + uuidR + "." + sigR + "@example.com>"},
		{"signed rotation signs with first", signed(t, keyK, keyA), uuidR, tokA,
			"mail-api+" + uuidR + "." + sigR + "@example.com",
			"<mail-api+" + uuidR + "." + sigR + "." + tokA + "@example.com>",
			"<mail-api+" + uuidR + "." + sigR + "@example.com>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := must[string](t)(tt.app.ReplyTo(tt.resource)); got != tt.replyTo {
				t.Errorf("ReplyTo(%q) = %q, want %q", tt.resource, got, tt.replyTo)
			}
			if got := must[string](t)(tt.app.MessageID(tt.resource, tt.token)); got != tt.msgID {
				t.Errorf("MessageID(%q, %q) = %q, want %q", tt.resource, tt.token, got, tt.msgID)
			}
			if got := must[string](t)(tt.app.ThreadID(tt.resource)); got != tt.threadID {
				t.Errorf("ThreadID(%q) = %q, want %q", tt.resource, got, tt.threadID)
			}
			st := must[*identity.Stamp](t)(tt.app.Stamp(tt.resource, tt.token))
			want := identity.Stamp{Resource: tt.resource, ReplyTo: tt.replyTo, MessageID: tt.msgID,
				References: tt.threadID, Tag: identity.Tag(tt.resource), Token: tt.token}
			if tt.app.Signed() {
				want.Signature = sigR
			}
			want.ThreadTopic = tt.resource
			got := identity.Stamp{Resource: st.Resource, ReplyTo: st.ReplyTo, MessageID: st.MessageID, References: st.References,
				Tag: st.Tag, Token: st.Token, Signature: st.Signature, ThreadTopic: st.ThreadTopic}
			if got != want {
				t.Errorf("Stamp(%q, %q) = %+v, want %+v", tt.resource, tt.token, got, want)
			}
		})
	}
}

func TestApp_makers_errors(t *testing.T) {
	long := strings.Repeat("x", 56)
	tests := []struct {
		name            string
		app             identity.App
		resource, token string
		want            error
	}{
		{"empty resource", app(t), "", "t", identity.ErrInvalidID},
		{"CR LF resource", app(t), "a\r\nBcc: x@evil.test", "t", identity.ErrInvalidID},
		{"NUL resource", app(t), "a\x00", "t", identity.ErrInvalidID},
		{"dot resource", app(t), "a.b", "t", identity.ErrInvalidID},
		{"plus resource", app(t), "a+b", "t", identity.ErrInvalidID},
		{"too long", app(t), long, "t", identity.ErrTooLong},
		{"too long signed", signed(t), strings.Repeat("x", 42), "t", identity.ErrTooLong},
		{"LF token", app(t), uuidR, "t\n", identity.ErrInvalidID},
		{"dot token", app(t), uuidR, "t.u", identity.ErrInvalidID},
		{"at token", app(t), uuidR, "t@u", identity.ErrInvalidID},
		{"long token", app(t), uuidR, strings.Repeat("t", 65), identity.ErrTooLong},
		{"bad app", identity.App{Name: "a+b", Domain: "x.test"}, uuidR, "t", identity.ErrInvalidApp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.app.MessageID(tt.resource, tt.token); !errors.Is(err, tt.want) {
				t.Errorf("MessageID(%q, %q) = %v, want %v", tt.resource, tt.token, err, tt.want)
			}
			if st, err := tt.app.Stamp(tt.resource, tt.token); !errors.Is(err, tt.want) || st != nil {
				t.Errorf("Stamp(%q, %q) = %v, %v, want nil, %v", tt.resource, tt.token, st, err, tt.want)
			}
			if tt.token != "t" {
				return // the resource is fine
			}
			if _, err := tt.app.ReplyTo(tt.resource); !errors.Is(err, tt.want) {
				t.Errorf("ReplyTo(%q) = %v, want %v", tt.resource, err, tt.want)
			}
			if _, err := tt.app.ThreadID(tt.resource); !errors.Is(err, tt.want) {
				t.Errorf("ThreadID(%q) = %v, want %v", tt.resource, err, tt.want)
			}
		})
	}
}

func TestApp_Stamp_freshToken(t *testing.T) {
	a := app(t)
	s1 := must[*identity.Stamp](t)(a.Stamp(uuidR, ""))
	s2 := must[*identity.Stamp](t)(a.Stamp(uuidR, ""))
	if s1.MessageID == s2.MessageID || s1.Token == "" {
		t.Fatalf("Stamp(_, \"\") twice gave Message-IDs %q and %q, want distinct", s1.MessageID, s2.MessageID)
	}
	if s1.References != s2.References || s1.ReplyTo != s2.ReplyTo {
		t.Fatalf("Stamp() thread roots %q, %q differ for one resource", s1.References, s2.References)
	}
	r, tok, err := a.ParseMessageID(s1.MessageID)
	if err != nil || r != uuidR || tok != s1.Token {
		t.Fatalf("ParseMessageID(%q) = %q, %q, %v", s1.MessageID, r, tok, err)
	}
}

func TestApp_ParseReplyTo(t *testing.T) {
	u, s := app(t), signed(t)
	tests := []struct {
		name string
		app  identity.App
		in   string
		want string
		err  error
	}{
		{"uuid", u, "mail-api+" + uuidR + "@example.com", uuidR, nil},
		{"upper uuid canonical", u, "MAIL-API+" + uuidU + "@EXAMPLE.COM", uuidR, nil},
		{"other id keeps case", u, "mail-api+INV-42@example.com", "INV-42", nil},
		{"no plus", u, "mail-api@example.com", "", identity.ErrNotFound},
		{"empty plus", u, "mail-api+@example.com", "", identity.ErrNotFound},
		{"other app", u, "billing+" + uuidR + "@example.com", "", identity.ErrNotFound},
		{"app suffix", u, "xmail-api+" + uuidR + "@example.com", "", identity.ErrNotFound},
		{"other domain", u, "mail-api+" + uuidR + "@example.org", "", identity.ErrNotFound},
		{"subdomain", u, "mail-api+" + uuidR + "@mx.example.com", "", identity.ErrNotFound},
		{"message id form", u, "mail-api+" + uuidR + ".tok@example.com", "", identity.ErrNotFound},
		{"brackets", u, "<mail-api+" + uuidR + "@example.com>", "", identity.ErrNotFound},
		{"bad char", u, "mail-api+a=b@example.com", "", identity.ErrNotFound},
		{"id over the budget", u, "mail-api+" + strings.Repeat("0", 56) + "@example.com", "", identity.ErrNotFound},
		{"longest id", u, "mail-api+" + strings.Repeat("0", 55) + "@example.com", strings.Repeat("0", 55), nil},
		{"empty", u, "", "", identity.ErrNotFound},
		{"signed", s, "mail-api+" + uuidR + "." + sigR + "@example.com", uuidR, nil},
		{"signed upper", s, strings.ToUpper("mail-api+" + uuidR + "." + sigR + "@example.com"), uuidR, nil},
		{"signed missing", s, "mail-api+" + uuidR + "@example.com", "", identity.ErrBadToken},
		{"signed tampered", s, "mail-api+" + uuidR + ".k443b4aksiyja@example.com", "", identity.ErrBadToken},
		{"signed other resource", s, "mail-api+b74e22bb-3313-4dc4-af28-6c2bd1351c0f." + sigR + "@example.com", "", identity.ErrBadToken},
		{"signed unknown key", s, "mail-api+" + uuidR + ".z443b4aksiyjo@example.com", "", identity.ErrBadToken},
		{"signed short", s, "mail-api+" + uuidR + ".k443b4@example.com", "", identity.ErrBadToken},
		{"signed bad alphabet", s, "mail-api+" + uuidR + ".k443b4aksiyj1@example.com", "", identity.ErrBadToken},
		{"signed id over the budget", s, "mail-api+" + strings.Repeat("0", 42) + "." + sigR + "@example.com", "", identity.ErrBadToken},
		{"signed other app", s, "billing+" + uuidR + "." + sigR + "@example.com", "", identity.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.app.ParseReplyTo(tt.in)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("ParseReplyTo(%q) = %q, %v, want %q, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestApp_ParseMessageID(t *testing.T) {
	u, s := app(t), signed(t)
	tests := []struct {
		name      string
		app       identity.App
		in        string
		want, tok string
		err       error
	}{
		{"uuid", u, "<mail-api+" + uuidR + "." + tokA + "@example.com>", uuidR, tokA, nil},
		{"upper", u, "<MAIL-API+" + uuidU + ".TOK@EXAMPLE.COM>", uuidR, "TOK", nil},
		{"no brackets", u, "mail-api+" + uuidR + "." + tokA + "@example.com", "", "", identity.ErrNotFound},
		{"thread root form", u, "<mail-api+" + uuidR + "@example.com>", "", "", identity.ErrNotFound},
		{"three parts unsigned", u, "<mail-api+" + uuidR + ".a.b@example.com>", "", "", identity.ErrNotFound},
		{"empty token", u, "<mail-api+" + uuidR + ".@example.com>", "", "", identity.ErrNotFound},
		{"foreign", u, "<CAH1234@mail.gmail.com>", "", "", identity.ErrNotFound},
		{"signed", s, "<mail-api+" + uuidR + "." + sigR + "." + tokA + "@example.com>", uuidR, tokA, nil},
		{"signed without token", s, "<mail-api+" + uuidR + "." + sigR + "@example.com>", "", "", identity.ErrBadToken},
		{"signed tampered", s, "<mail-api+" + uuidR + ".k443b4aksiyjp." + tokA + "@example.com>", "", "", identity.ErrBadToken},
		{"signed unsigned form", s, "<mail-api+" + uuidR + "." + tokA + "@example.com>", "", "", identity.ErrBadToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tok, err := tt.app.ParseMessageID(tt.in)
			if got != tt.want || tok != tt.tok || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("ParseMessageID(%q) = %q, %q, %v, want %q, %q, %v", tt.in, got, tok, err, tt.want, tt.tok, tt.err)
			}
		})
	}
}

func TestApp_ParseThreadID(t *testing.T) {
	u, s := app(t), signed(t)
	tests := []struct {
		name string
		app  identity.App
		in   string
		want string
		err  error
	}{
		{"uuid", u, "<mail-api+" + uuidR + "@example.com>", uuidR, nil},
		{"no brackets", u, "mail-api+" + uuidR + "@example.com", "", identity.ErrNotFound},
		{"message id form", u, "<mail-api+" + uuidR + ".x@example.com>", "", identity.ErrNotFound},
		{"signed", s, "<mail-api+" + uuidR + "." + sigR + "@example.com>", uuidR, nil},
		{"signed forged", s, "<mail-api+" + uuidR + ".kaaaaaaaaaaaa@example.com>", "", identity.ErrBadToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.app.ParseThreadID(tt.in)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("ParseThreadID(%q) = %q, %v, want %q, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestTokenError(t *testing.T) {
	_, err := signed(t).ParseReplyTo("mail-api+" + uuidR + ".zaaaaaaaaaaaa@example.com")
	var te *identity.TokenError
	if !errors.As(err, &te) || !errors.Is(err, identity.ErrBadToken) {
		t.Fatalf("ParseReplyTo(forged) = %v, want *TokenError wrapping ErrBadToken", err)
	}
	want := `identity: bad token in "mail-api+` + uuidR + `.zaaaaaaaaaaaa@example.com": unknown key id "z"`
	if err.Error() != want {
		t.Fatalf("error = %q, want %q", err, want)
	}
}

// TestRoundTrip checks that every Parse function inverts its maker.
func TestRoundTrip(t *testing.T) {
	ids := []string{uuidR, uuidU, "42", "x", "INV_2024-0042", "-", "_", strings.Repeat("Z", 41)}
	tokens := []string{tokA, "1", "T-_x", strings.Repeat("q", 64)}
	for _, a := range []identity.App{app(t), signed(t), signed(t, keyA, keyK), {Name: "b.o_x-1", Domain: "Mail.Example.TEST"}} {
		for _, id := range ids {
			checkRoundTrip(t, a, id, tokens)
		}
	}
}

func checkRoundTrip(t *testing.T, a identity.App, id string, tokens []string) {
	t.Helper()
	want := identity.Canonical(id)
	addr := must[string](t)(a.ReplyTo(id))
	if got, err := a.ParseReplyTo(addr); got != want || err != nil {
		t.Errorf("%s: ParseReplyTo(ReplyTo(%q)) = %q, %v, want %q", a, id, got, err, want)
	}
	thread := must[string](t)(a.ThreadID(id))
	if got, err := a.ParseThreadID(thread); got != want || err != nil {
		t.Errorf("%s: ParseThreadID(ThreadID(%q)) = %q, %v, want %q", a, id, got, err, want)
	}
	for _, tok := range tokens {
		msgID := must[string](t)(a.MessageID(id, tok))
		if got, gotTok, err := a.ParseMessageID(msgID); got != want || gotTok != tok || err != nil {
			t.Errorf("%s: ParseMessageID(MessageID(%q, %q)) = %q, %q, %v", a, id, tok, got, gotTok, err)
		}
	}
	tag := identity.Tag(id)
	if got, ok := identity.SubjectTag(tag + " Hello"); !ok || "["+got+"]" != tag {
		t.Errorf("SubjectTag(Tag(%q)) = %q, %v, want %q", id, got, ok, tag)
	}
}

func TestApp_ParseReplyTo_unicodeFolding(t *testing.T) {
	a := identity.App{Name: "desk", Domain: "sk.test"}
	for _, addr := range []string{
		"de\u017fk+42@sk.test", // long s folds to s in Unicode
		"des\u212a+42@sk.test", // Kelvin sign folds to k
		"desk+42@\u017fk.test", // in the domain
		"desk+42.\x00@sk.test", // NUL in a tail
		"desk+42.a b@sk.test",  // space in a tail
	} {
		if r, err := a.ParseReplyTo(addr); err == nil {
			t.Errorf("ParseReplyTo(%q) = %q, want an error", addr, r)
		}
		h := header(t, "To: x@y.test")
		h["To"] = []string{addr}
		if r, err := identity.Trace(h, a); err == nil {
			t.Errorf("Trace(To: %q) = %+v, want ErrNotFound", addr, *r)
		}
	}
	if r, err := a.ParseReplyTo("DESK+42@SK.TEST"); r != "42" || err != nil {
		t.Errorf("ParseReplyTo(upper) = %q, %v", r, err)
	}
}
