package identity_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
)

// Identifiers of one outgoing message about uuidR, as the mailer writes them.
const (
	ourAddr   = "mail-api+" + uuidR + "@example.com"
	ourMsgID  = "<mail-api+" + uuidR + "." + tokA + "@example.com>"
	ourThread = "<mail-api+" + uuidR + "@example.com>"
	otherR    = "0f1c6d2e-8a3b-4c5d-9e6f-7a8b9c0d1e2f"
	otherAddr = "mail-api+" + otherR + "@example.com"
	sesID     = "<0100018c2f3e4d5a-6b7c8d9e-aaaa-bbbb-cccc-000000000000-000000@email.amazonses.com>"
)

func TestTrace(t *testing.T) {
	type want struct {
		resource string
		source   identity.Source
		exact    bool
		header   string
		sender   string
		err      error
	}
	tests := []struct {
		name string
		raw  string
		want want
	}{
		{"Gmail reply", `
Delivered-To: ` + ourAddr + `
Received: by 2002:a05:6a10:1234 with SMTP id abc; Tue, 7 Nov 2026 10:00:00 -0800 (PST)
From: Jane Partner <jane@partner.test>
Date: Tue, 7 Nov 2026 19:00:00 +0100
Message-ID: <CAHx1234abcd+EFGH=ijkl@mail.gmail.com>
Subject: Re: [a74e22bb] Vehicle check
To: Mail API <` + ourAddr + `>
In-Reply-To: ` + ourMsgID + `
References: ` + ourThread + ` ` + ourMsgID + `
Content-Type: multipart/alternative; boundary="000000000000abcdef"`,
			want{uuidR, identity.SourceAddress, true, "To", "jane@partner.test", nil}},

		{"Outlook reply upper-cased quoted display name", `
From: "Partner, Jane" <Jane.Partner@Partner.TEST>
To: "'mail-api+` + uuidR + `@example.com'" <MAIL-API+` + uuidU + `@EXAMPLE.COM>
Subject: RE: [a74e22bb] Vehicle check
Thread-Topic: [a74e22bb] Vehicle check
Thread-Index: AQHaEt4c7Qm2m0bV2kK0Yx4mY7n1Ag==
Date: Tue, 7 Nov 2026 18:01:02 +0000
Message-ID: <AM0PR01MB1234ABCD@AM0PR01MB1234.eurprd01.prod.outlook.com>
References: ` + strings.ToUpper(ourMsgID) + `
In-Reply-To: ` + strings.ToUpper(ourMsgID) + `
X-MS-Has-Attach:
Content-Language: fr-FR`,
			want{uuidR, identity.SourceAddress, true, "To", "Jane.Partner@Partner.TEST", nil}},

		{"Apple Mail reply, SES rewrote our Message-ID", `
From: Jane Partner <jane@partner.test>
Content-Type: multipart/alternative; boundary="Apple-Mail=_1234"
Mime-Version: 1.0 (Mac OS X Mail 16.0 \(3774.600.62\))
Subject: Re: [a74e22bb] Vehicle check
Date: Tue, 7 Nov 2026 19:02:03 +0100
In-Reply-To: ` + sesID + `
To: mail-api+` + uuidR + `@example.com
References: ` + ourThread + `
 ` + sesID + `
Message-Id: <5C7B9A2E-1234-4F6D-8E9A-0B1C2D3E4F50@partner.test>`,
			want{uuidR, identity.SourceAddress, true, "To", "jane@partner.test", nil}},

		{"Thunderbird reply in Cc with encoded display name", `
Message-ID: <7f3e1c2a-9b8d-4e6f-a1b2-c3d4e5f60718@partner.test>
Date: Tue, 7 Nov 2026 19:03:04 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: =?UTF-8?Q?Re=3A_=5Ba74e22bb=5D_Contr=C3=B4le_du_v=C3=A9hicule?=
To: Team <team@partner.test>
Cc: =?UTF-8?Q?Service_v=C3=A9hicules?= <` + ourAddr + `>
References: ` + ourThread + ` ` + ourMsgID + `
From: =?UTF-8?Q?J=C3=A9r=C3=B4me_Partner?= <jerome@partner.test>
In-Reply-To: ` + ourMsgID,
			want{uuidR, identity.SourceAddress, true, "Cc", "jerome@partner.test", nil}},

		{"Delivered-To only (we were Bcc)", `
Delivered-To: ` + strings.ToUpper(ourAddr) + `
From: jane@partner.test
To: team@partner.test
Subject: FYI`,
			want{uuidR, identity.SourceAddress, true, "Delivered-To", "jane@partner.test", nil}},

		{"X-Original-To only", `
X-Original-To: ` + ourAddr + `
From: jane@partner.test
To: undisclosed-recipients:;`,
			want{uuidR, identity.SourceAddress, true, "X-Original-To", "jane@partner.test", nil}},

		{"In-Reply-To only (reply went to the plain app address)", `
From: Jane <jane@partner.test>
To: Mail API <mail-api@example.com>
In-Reply-To: ` + ourMsgID + `
Subject: Re: Vehicle check`,
			want{uuidR, identity.SourceInReplyTo, true, "In-Reply-To", "jane@partner.test", nil}},

		{"In-Reply-To with phrase and comment", `
From: jane@partner.test
To: desk@partner.test
In-Reply-To: Your message of "Tue, 7 Nov 2026" ` + ourMsgID + ` (Mail API)`,
			want{uuidR, identity.SourceInReplyTo, true, "In-Reply-To", "jane@partner.test", nil}},

		{"In-Reply-To thread root", `
From: jane@partner.test
In-Reply-To: ` + ourThread,
			want{uuidR, identity.SourceInReplyTo, true, "In-Reply-To", "jane@partner.test", nil}},

		{"References only, several ids, newest first", `
From: jane@partner.test
To: desk@partner.test
Subject: Re: Vehicle check
References: <first@partner.test> <mail-api+` + otherR + `@example.com>
	<mail-api+` + uuidR + `.abc@example.com> ` + sesID + `
	<last@partner.test>`,
			want{uuidR, identity.SourceReferences, true, "References", "jane@partner.test", nil}},

		{"References without brackets", `
From: jane@partner.test
References: mail-api+` + uuidR + `@example.com, other@x.test`,
			want{uuidR, identity.SourceReferences, true, "References", "jane@partner.test", nil}},

		{"References folded inside an id", "From: jane@partner.test\nReferences: <mail-api+" + uuidR + ".\n abc@example.com>",
			want{uuidR, identity.SourceReferences, true, "References", "jane@partner.test", nil}},

		{"subject only through RE: AW:", `
From: "Bob" <bob@partner.test>
To: desk@partner.test
Subject: RE: AW: [a74e22bb] Vehicle check`,
			want{"a74e22bb", identity.SourceSubject, false, "Subject", "bob@partner.test", nil}},

		{"subject only, encoded Rép. :", `
From: =?ISO-8859-1?Q?Ren=E9?= <rene@partner.test>
Subject: =?UTF-8?Q?R=C3=A9p._:_[a74e22bb]_Contr=C3=B4le_du_v=C3=A9hicule?=`,
			want{"a74e22bb", identity.SourceSubject, false, "Subject", "rene@partner.test", nil}},

		{"subject only, forwarded with gateway marker", `
From: bob@partner.test
Subject: WG: [EXTERN] Fwd: [a74e22bb] Fahrzeugprüfung`,
			want{"a74e22bb", identity.SourceSubject, false, "Subject", "bob@partner.test", nil}},

		{"address beats In-Reply-To", `
From: jane@partner.test
To: ` + otherAddr + `
In-Reply-To: ` + ourMsgID,
			want{otherR, identity.SourceAddress, true, "To", "jane@partner.test", nil}},

		{"In-Reply-To beats References", `
From: jane@partner.test
In-Reply-To: <mail-api+` + otherR + `.x@example.com>
References: ` + ourThread,
			want{otherR, identity.SourceInReplyTo, true, "In-Reply-To", "jane@partner.test", nil}},

		{"To beats Delivered-To", `
Delivered-To: ` + otherAddr + `
To: ` + ourAddr,
			want{uuidR, identity.SourceAddress, true, "To", "", nil}},

		{"quoted local part", `
From: jane@partner.test
To: "mail-api+` + uuidR + `"@example.com`,
			want{uuidR, identity.SourceAddress, true, "To", "jane@partner.test", nil}},

		{"broken To header", `
From: jane@partner.test
To: Mail API <` + ourAddr + `, "unclosed`,
			want{uuidR, identity.SourceAddress, true, "To", "jane@partner.test", nil}},

		{"unknown charset in display name", `
From: jane@partner.test
To: =?x-klingon?Q?tlhIngan?= <` + ourAddr + `>`,
			want{uuidR, identity.SourceAddress, true, "To", "jane@partner.test", nil}},

		{"display name holding our address is ignored", `
From: mallory@evil.test
To: "` + ourAddr + `" <mallory@evil.test>
Subject: hello`,
			want{"", 0, false, "", "mallory@evil.test", identity.ErrNotFound}},

		{"other app at our domain ignored", `
From: jane@partner.test
To: billing+` + uuidR + `@example.com
In-Reply-To: <billing+` + uuidR + `.x@example.com>`,
			want{"", 0, false, "", "jane@partner.test", identity.ErrNotFound}},

		{"our app at other domain ignored", `
From: jane@partner.test
To: mail-api+` + uuidR + `@example.org
References: <mail-api+` + uuidR + `@example.com.evil.test>`,
			want{"", 0, false, "", "jane@partner.test", identity.ErrNotFound}},

		{"look-alike app names ignored", `
From: jane@partner.test
To: xmail-api+` + uuidR + `@example.com, mail-api-old+` + uuidR + `@example.com, mail-api+` + uuidR + `@mx.example.com`,
			want{"", 0, false, "", "jane@partner.test", identity.ErrNotFound}},

		{"foreign ids skipped then subject", `
From: jane@partner.test
To: mail-api@example.com
In-Reply-To: ` + sesID + `
References: <mail-api+bad=id@example.com> ` + sesID + `
Subject: Re: [a74e22bb] x`,
			want{"a74e22bb", identity.SourceSubject, false, "Subject", "jane@partner.test", nil}},

		{"non-UUID id keeps its case", `
From: jane@partner.test
To: mail-api+INV_2024-0042@example.com`,
			want{"INV_2024-0042", identity.SourceAddress, true, "To", "jane@partner.test", nil}},

		{"nothing", `
From: jane@partner.test
To: desk@partner.test
Subject: Hello`,
			want{"", 0, false, "", "jane@partner.test", identity.ErrNotFound}},

		{"Outlook out-of-office", `
From: Jane Partner <jane@partner.test>
To: Mail API <` + ourAddr + `>
Subject: Automatic reply: [a74e22bb] Vehicle check
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
X-MS-Exchange-Inbox-Rules-Loop: jane@partner.test
In-Reply-To: ` + ourMsgID,
			want{uuidR, identity.SourceAddress, true, "To", "jane@partner.test", nil}},

		{"German out-of-office by subject only", `
From: Hans <hans@partner.test>
Subject: Abwesenheitsnotiz: AW: [a74e22bb] Fahrzeugprüfung`,
			want{"a74e22bb", identity.SourceSubject, false, "Subject", "hans@partner.test", nil}},

		{"vacation responder", `
From: jane@partner.test
To: ` + ourAddr + `
Precedence: bulk
X-Autoreply: yes
Subject: On vacation`,
			want{uuidR, identity.SourceAddress, true, "To", "jane@partner.test", nil}},

		{"bounce hint from headers", `
Return-Path: <>
From: Mail Delivery Subsystem <MAILER-DAEMON@mx.partner.test>
To: mail-api@example.com
Subject: Undelivered Mail Returned to Sender
References: ` + ourThread + `
Content-Type: multipart/report; report-type=delivery-status; boundary="b"`,
			want{uuidR, identity.SourceReferences, true, "References", "MAILER-DAEMON@mx.partner.test", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := header(t, tt.raw)
			got, err := identity.Trace(h, app(t))
			w := tt.want
			if !errors.Is(err, w.err) || (w.err == nil) != (err == nil) {
				t.Fatalf("Trace() error = %v, want %v", err, w.err)
			}
			if got == nil {
				t.Fatalf("Trace() = nil, %v; want a Result", err)
			}
			if got.Resource != w.resource || got.Source != w.source || got.Exact != w.exact ||
				got.Header != w.header || got.Sender != w.sender {
				t.Fatalf("Trace() = %+v,\nwant resource %q source %v exact %v header %q sender %q",
					*got, w.resource, w.source, w.exact, w.header, w.sender)
			}
		})
	}
}

func TestTrace_signed(t *testing.T) {
	s := signed(t)
	st := must[*identity.Stamp](t)(s.Stamp(uuidR, tokA))
	other := must[*identity.Stamp](t)(s.Stamp(otherR, tokA))
	forgedSig := strings.Replace(st.ReplyTo, sigR, "k443b4aksiyja", 1)
	type want struct {
		resource string
		source   identity.Source
		exact    bool
		keyID    string
		err      error
		header   string // of the TokenError
	}
	tests := []struct {
		name string
		app  identity.App
		raw  string
		want want
	}{
		{"valid address", s, "From: jane@partner.test\nTo: Mail API <" + st.ReplyTo + ">",
			want{uuidR, identity.SourceAddress, true, "k", nil, ""}},
		{"upper-cased by a gateway", s, "To: " + strings.ToUpper(st.ReplyTo),
			want{uuidR, identity.SourceAddress, true, "k", nil, ""}},
		{"token only in References", s, "To: desk@partner.test\nReferences: <x@y.test> " + st.References + " " + sesID,
			want{uuidR, identity.SourceReferences, true, "k", nil, ""}},
		{"token only in In-Reply-To, upper case", s, "In-Reply-To: " + strings.ToUpper(st.MessageID),
			want{uuidR, identity.SourceInReplyTo, true, "k", nil, ""}},
		{"rotation: old key still verifies", signed(t, keyA, keyK), "To: " + st.ReplyTo,
			want{uuidR, identity.SourceAddress, true, "k", nil, ""}},
		{"subject tag alone is a hint", s, "From: bob@partner.test\nSubject: Re: [a74e22bb] x",
			want{"a74e22bb", identity.SourceSubject, false, "", nil, ""}},
		{"tampered MAC", s, "To: " + forgedSig,
			want{"", 0, false, "", identity.ErrBadToken, "To"}},
		{"unknown key id", s, "To: " + strings.Replace(st.ReplyTo, ".k", ".z", 1),
			want{"", 0, false, "", identity.ErrBadToken, "To"}},
		{"retired key", signed(t, keyA), "Cc: " + st.ReplyTo,
			want{"", 0, false, "", identity.ErrBadToken, "Cc"}},
		{"token of another resource", s, "To: mail-api+" + uuidR + "." + other.Signature + "@example.com",
			want{"", 0, false, "", identity.ErrBadToken, "To"}},
		{"token of another app", s, "To: " + strings.Replace(must[string](t)(identity.App{Name: "billing", Domain: "example.com", Keys: []identity.Key{keyK}}.ReplyTo(uuidR)), "billing", "mail-api", 1),
			want{"", 0, false, "", identity.ErrBadToken, "To"}},
		{"other secret", signed(t, identity.Key{ID: "k", Secret: keyB.Secret}), "To: " + st.ReplyTo,
			want{"", 0, false, "", identity.ErrBadToken, "To"}},
		{"unsigned guess", s, "To: mail-api+" + uuidR + "@example.com",
			want{"", 0, false, "", identity.ErrBadToken, "To"}},
		{"forged References", s, "References: <mail-api+" + uuidR + ".kaaaaaaaaaaaa@example.com>",
			want{"", 0, false, "", identity.ErrBadToken, "References"}},
		{"forged address beside a valid In-Reply-To", s, "To: " + forgedSig + "\nIn-Reply-To: " + st.MessageID,
			want{"", 0, false, "", identity.ErrBadToken, "To"}},
		{"forged address with subject tag", s, "To: " + forgedSig + "\nSubject: Re: [a74e22bb] x",
			want{"", 0, false, "", identity.ErrBadToken, "To"}},
		{"signed identifiers trace, unverified, after signing is off", app(t), "To: " + st.ReplyTo,
			want{uuidR, identity.SourceAddress, true, "", nil, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := identity.Trace(header(t, tt.raw), tt.app)
			w := tt.want
			if !errors.Is(err, w.err) || (w.err == nil) != (err == nil) {
				t.Fatalf("Trace() = %+v, %v, want error %v", got, err, w.err)
			}
			if w.err != nil {
				var te *identity.TokenError
				if !errors.As(err, &te) || te.Header != w.header || te.Value == "" || te.Source == 0 {
					t.Fatalf("Trace() error = %#v, want *TokenError in %s", err, w.header)
				}
				if !strings.Contains(err.Error(), w.header) {
					t.Fatalf("Trace() error %q does not name header %s", err, w.header)
				}
			}
			if got == nil {
				t.Fatalf("Trace() = nil result")
			}
			if got.Resource != w.resource || got.Source != w.source || got.Exact != w.exact || got.KeyID != w.keyID {
				t.Fatalf("Trace() = %+v, want resource %q source %v exact %v key %q", *got, w.resource, w.source, w.exact, w.keyID)
			}
		})
	}
}

func TestTraceBounce(t *testing.T) {
	report := header(t, `
Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.partner.test>
To: mail-api@example.com
Subject: Undelivered Mail Returned to Sender
Content-Type: multipart/report; report-type=delivery-status; boundary="b"`)
	tests := []struct {
		name     string
		original string
		report   string // "" means report above
		resource string
		source   identity.Source
		exact    bool
		err      error
	}{
		{"Reply-To of the original", `
From: mail-api@example.com
Reply-To: ` + ourAddr + `
To: nobody@partner.test
Message-ID: ` + ourMsgID + `
References: ` + ourThread + `
Subject: [a74e22bb] Vehicle check`, "", uuidR, identity.SourceAddress, true, nil},
		{"Message-ID of the original", `
From: mail-api@example.com
To: nobody@partner.test
Message-ID: ` + ourMsgID, "", uuidR, identity.SourceMessageID, true, nil},
		{"SES rewrote the Message-ID", `
From: mail-api@example.com
To: nobody@partner.test
Message-ID: ` + sesID + `
References: ` + ourThread, "", uuidR, identity.SourceReferences, true, nil},
		{"subject tag of the original", `
From: mail-api@example.com
Subject: [a74e22bb] Vehicle check`, "", "a74e22bb", identity.SourceSubject, false, nil},
		{"fall back to the report", `
From: someone@else.test`, "Return-Path: <>\nFrom: postmaster@partner.test\nIn-Reply-To: " + ourMsgID,
			uuidR, identity.SourceInReplyTo, true, nil},
		{"nothing", `
From: someone@else.test`, "", "", 0, false, identity.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := report
			if tt.report != "" {
				rep = header(t, tt.report)
			}
			got, err := identity.TraceBounce(rep, header(t, tt.original), app(t))
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) || got == nil {
				t.Fatalf("TraceBounce() = %v, %v, want error %v", got, err, tt.err)
			}
			if got.Resource != tt.resource || got.Source != tt.source || got.Exact != tt.exact {
				t.Fatalf("TraceBounce() = %+v, want resource %q source %v exact %v", *got, tt.resource, tt.source, tt.exact)
			}
			if tt.report == "" && got.Sender != "MAILER-DAEMON@mx.partner.test" {
				t.Fatalf("TraceBounce() sender = %q, want the report's From", got.Sender)
			}
		})
	}
}

func TestTraceBounce_forgedOriginal(t *testing.T) {
	original := header(t, "Reply-To: mail-api+"+uuidR+".kaaaaaaaaaaaa@example.com")
	got, err := identity.TraceBounce(header(t, "From: MAILER-DAEMON"), original, signed(t))
	if !errors.Is(err, identity.ErrBadToken) || got == nil || got.Resource != "" {
		t.Fatalf("TraceBounce(forged) = %+v, %v, want ErrBadToken and no resource", got, err)
	}
}

// TestTrace_outputs checks that Trace hands back only checked characters.
func TestTrace_outputs(t *testing.T) {
	h := header(t, "To: mail-api+"+uuidR+"@example.com\nFrom: =?UTF-8?Q?a=0D=0Ab?= <jane@partner.test>")
	got, err := identity.Trace(h, app(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{got.Resource, got.Sender, got.Value, got.Header} {
		if strings.ContainsAny(s, "\r\n\x00") {
			t.Fatalf("Trace() = %+v holds CR, LF or NUL", *got)
		}
	}
}
