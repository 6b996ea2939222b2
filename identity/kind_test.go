package identity_test

import (
	"encoding/json"
	"net/mail"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want identity.Kind
	}{
		{"person", "From: Jane <jane@partner.test>\nSubject: Re: [a74e22bb] Vehicle check", identity.Reply},
		{"empty", "X-Nothing: 1", identity.Reply},
		{"Auto-Submitted no", "Auto-Submitted: no\nSubject: Re: x", identity.Reply},
		{"Auto-Submitted NO with comment", "Auto-Submitted: NO (person)\nSubject: x", identity.Reply},
		{"auto-replied", "Auto-Submitted: auto-replied\nSubject: Re: x", identity.AutoReply},
		{"auto-generated", "Auto-Submitted: auto-generated", identity.AutoReply},
		{"auto-notified params", "Auto-Submitted: auto-notified; owner-email=\"a@b.test\"", identity.AutoReply},
		{"X-Autoreply", "X-Autoreply: yes", identity.AutoReply},
		{"X-Autorespond", "X-Autorespond: Out of office", identity.AutoReply},
		{"Precedence auto_reply", "Precedence: auto_reply", identity.AutoReply},
		{"Precedence bulk", "Precedence: Bulk", identity.AutoReply},
		{"Precedence junk", "Precedence: junk", identity.AutoReply},
		{"Precedence list", "Precedence: list", identity.Reply},
		{"read receipt", "Content-Type: multipart/report; report-type=disposition-notification; boundary=x", identity.AutoReply},
		{"EN automatic reply", "Subject: Automatic reply: [a74e22bb] Vehicle check", identity.AutoReply},
		{"EN out of office", "Subject: Out of Office: Re: [a74e22bb] x", identity.AutoReply},
		{"EN out of office autoreply", "Subject: Out of Office AutoReply: x", identity.AutoReply},
		{"EN after Re", "Subject: Re: Auto-Reply: x", identity.AutoReply},
		{"FR", "Subject: Réponse automatique : [a74e22bb] Contrôle", identity.AutoReply},
		{"FR no-break space", "Subject: Réponse automatique\u00a0: [a74e22bb] Contrôle", identity.AutoReply},
		{"FR encoded no-break space", "Subject: =?UTF-8?Q?R=C3=A9ponse_automatique=C2=A0:_[a74e22bb]?=", identity.AutoReply},
		{"DE phrase inside a longer word", "Subject: Außer Hausübung am Freitag", identity.Reply},
		{"FR encoded", "Subject: =?UTF-8?Q?R=C3=A9ponse_automatique_:_[a74e22bb]?=", identity.AutoReply},
		{"FR absence", "Subject: Absent du bureau - retour le 12", identity.AutoReply},
		{"DE", "Subject: Abwesenheitsnotiz: [a74e22bb] Fahrzeugprüfung", identity.AutoReply},
		{"DE automatische", "Subject: Automatische Antwort: [a74e22bb] x", identity.AutoReply},
		{"ES", "Subject: Respuesta automática: [a74e22bb] x", identity.AutoReply},
		{"ES fuera", "Subject: Fuera de la oficina", identity.AutoReply},
		{"not OOO word prefix", "Subject: Absentee report [a74e22bb]", identity.Reply},
		{"not OOO mid-subject", "Subject: Re: question about the out of office policy", identity.Reply},
		{"DSN", "Content-Type: multipart/report; report-type=delivery-status;\n boundary=\"b\"", identity.Bounce},
		{"DSN upper", "Content-Type: Multipart/Report; Report-Type=Delivery-Status; boundary=b", identity.Bounce},
		{"mailer-daemon", "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.partner.test>", identity.Bounce},
		{"mailer-daemon bare", "From: MAILER-DAEMON", identity.Bounce},
		{"postmaster", "From: postmaster@partner.test\nSubject: Undeliverable: x", identity.Bounce},
		{"X-Failed-Recipients", "X-Failed-Recipients: bob@partner.test", identity.Bounce},
		{"null Return-Path", "Return-Path: <>\nSubject: Mail delivery failed", identity.Bounce},
		{"null Return-Path auto-reply", "Return-Path: <>\nAuto-Submitted: auto-replied", identity.AutoReply},
		{"Return-Path set", "Return-Path: <jane@partner.test>", identity.Reply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := identity.Classify(header(t, tt.raw)); got != tt.want {
				t.Fatalf("Classify(%q) = %v, want %v", tt.raw, got, tt.want)
			}
		})
	}
}

func TestKind_String(t *testing.T) {
	tests := []struct {
		k    identity.Kind
		want string
	}{
		{identity.Reply, "reply"}, {identity.AutoReply, "auto-reply"}, {identity.Bounce, "bounce"}, {identity.Kind(9), "Kind(9)"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(tt.k), got, tt.want)
		}
		if tt.k > identity.Bounce {
			if _, err := tt.k.MarshalText(); err == nil {
				t.Errorf("Kind(%d).MarshalText() = nil error", int(tt.k))
			}
			continue
		}
		var back identity.Kind
		b, _ := tt.k.MarshalText()
		if err := back.UnmarshalText(b); err != nil || back != tt.k {
			t.Errorf("UnmarshalText(%q) = %v, %v", b, back, err)
		}
	}
}

func TestSource_String(t *testing.T) {
	tests := []struct {
		s    identity.Source
		want string
	}{
		{0, "none"},
		{identity.SourceAddress, "address"},
		{identity.SourceInReplyTo, "in-reply-to"},
		{identity.SourceReferences, "references"},
		{identity.SourceMessageID, "message-id"},
		{identity.SourceSubject, "subject"},
		{identity.Source(42), "Source(42)"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("Source(%d).String() = %q, want %q", int(tt.s), got, tt.want)
		}
	}
	var s identity.Source
	if err := s.UnmarshalText([]byte("nowhere")); err == nil {
		t.Errorf("UnmarshalText(nowhere) = nil error")
	}
}

func TestResult_JSON(t *testing.T) {
	r := identity.Result{Resource: uuidR, Source: identity.SourceInReplyTo, Exact: true, Kind: identity.AutoReply}
	b, err := json.Marshal(struct {
		Resource string          `json:"resource"`
		Source   identity.Source `json:"source"`
		Exact    bool            `json:"exact"`
		Kind     identity.Kind   `json:"kind"`
	}{r.Resource, r.Source, r.Exact, r.Kind})
	want := `{"resource":"` + uuidR + `","source":"in-reply-to","exact":true,"kind":"auto-reply"}`
	if err != nil || string(b) != want {
		t.Fatalf("json.Marshal() = %s, %v, want %s", b, err, want)
	}
}

func TestClassify_daemonSenders(t *testing.T) {
	type Kind = identity.Kind
	const (
		Reply  = identity.Reply
		Bounce = identity.Bounce
	)
	tests := []struct {
		from string
		want Kind
	}{
		{"MAILER-DAEMON <>", Bounce},
		{`"Mail Delivery System" <>`, Bounce},
		{"Mail Delivery Subsystem <>", Bounce},
		{"post_master@carrier.example", Bounce},
		{"Post.Master <post.master@carrier.example>", Bounce},
		{"Mailer-Daemon@mx.example", Bounce},
		{"Jean <jean@garage.example>", Reply},
		{"Postmaster General <jean@garage.example>", Reply},
		{"Jean <>", Reply},
	}
	for _, tt := range tests {
		h := mail.Header{"From": {tt.from}, "Subject": {"Re: [a74e22bb] x"}}
		if got := identity.Classify(h); got != tt.want {
			t.Errorf("Classify(From: %s) = %v, want %v", tt.from, got, tt.want)
		}
	}
}

func TestClassify_outOfOfficeMoreLanguages(t *testing.T) {
	for _, subject := range []string{
		"Risposta automatica: [a74e22bb] Vehicle check",
		"Fuori ufficio fino al 10 marzo",
		"Automatisch antwoord: [a74e22bb] Vehicle check",
		"Afwezig tot maandag",
		"Resposta automática: [a74e22bb] Vehicle check",
		"Fora do escritório",
	} {
		h := mail.Header{"From": {"jean@garage.example"}, "Subject": {subject}}
		if got := identity.Classify(h); got != identity.AutoReply {
			t.Errorf("Classify(Subject: %s) = %v, want auto-reply", subject, got)
		}
	}
	h := mail.Header{"From": {"jean@garage.example"}, "Subject": {"Re: Afwezigheid van de monteur"}}
	if got := identity.Classify(h); got != identity.Reply {
		t.Errorf("Classify(%q) = %v, want reply (the word goes on)", h.Get("Subject"), got)
	}
}
