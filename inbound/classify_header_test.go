package inbound

import (
	"net/mail"
	"strings"
	"testing"
)

// classifyRaw parses a header block, with a one-line body, and classifies it.
func classifyRaw(t *testing.T, raw string) Kind {
	t.Helper()
	m, err := Parse(strings.NewReader(raw + "\n\nbody\n"))
	if err != nil {
		t.Fatalf("Parse(%q) = %v", raw, err)
	}
	return Classify(m)
}

func TestClassify_header(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want Kind
	}{
		{"person", "From: Jane <jane@partner.test>\nSubject: Re: [a74e22bb] Vehicle check", Reply},
		{"empty", "X-Nothing: 1", Reply},
		{"Auto-Submitted no", "Auto-Submitted: no\nSubject: Re: x", Reply},
		{"Auto-Submitted NO with comment", "Auto-Submitted: NO (person)\nSubject: x", Reply},
		{"auto-replied", "Auto-Submitted: auto-replied\nSubject: Re: x", AutoReply},
		{"auto-generated", "Auto-Submitted: auto-generated", AutoReply},
		{"auto-notified params", "Auto-Submitted: auto-notified; owner-email=\"a@b.test\"", AutoReply},
		{"X-Autoreply", "X-Autoreply: yes", AutoReply},
		{"X-Autorespond", "X-Autorespond: Out of office", AutoReply},
		{"Precedence auto_reply", "Precedence: auto_reply", AutoReply},
		{"Precedence bulk", "Precedence: Bulk", AutoReply},
		{"Precedence junk", "Precedence: junk", AutoReply},
		{"Precedence list", "Precedence: list", Reply},
		{"read receipt", "Content-Type: multipart/report; report-type=disposition-notification; boundary=x", AutoReply},
		{"EN automatic reply", "Subject: Automatic reply: [a74e22bb] Vehicle check", AutoReply},
		{"EN out of office", "Subject: Out of Office: Re: [a74e22bb] x", AutoReply},
		{"EN out of office autoreply", "Subject: Out of Office AutoReply: x", AutoReply},
		{"EN after Re", "Subject: Re: Auto-Reply: x", AutoReply},
		{"FR", "Subject: Réponse automatique : [a74e22bb] Contrôle", AutoReply},
		{"FR no-break space", "Subject: Réponse automatique\u00a0: [a74e22bb] Contrôle", AutoReply},
		{"FR encoded no-break space", "Subject: =?UTF-8?Q?R=C3=A9ponse_automatique=C2=A0:_[a74e22bb]?=", AutoReply},
		{"DE phrase inside a longer word", "Subject: Außer Hausübung am Freitag", Reply},
		{"FR encoded", "Subject: =?UTF-8?Q?R=C3=A9ponse_automatique_:_[a74e22bb]?=", AutoReply},
		{"FR absence", "Subject: Absent du bureau - retour le 12", AutoReply},
		{"DE", "Subject: Abwesenheitsnotiz: [a74e22bb] Fahrzeugprüfung", AutoReply},
		{"DE automatische", "Subject: Automatische Antwort: [a74e22bb] x", AutoReply},
		{"ES", "Subject: Respuesta automática: [a74e22bb] x", AutoReply},
		{"ES fuera", "Subject: Fuera de la oficina", AutoReply},
		{"not OOO word prefix", "Subject: Absentee report [a74e22bb]", Reply},
		{"not OOO mid-subject", "Subject: Re: question about the out of office policy", Reply},
		{"DSN", "Content-Type: multipart/report; report-type=delivery-status;\n boundary=\"b\"", Bounce},
		{"DSN upper", "Content-Type: Multipart/Report; Report-Type=Delivery-Status; boundary=b", Bounce},
		{"mailer-daemon", "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.partner.test>", Bounce},
		{"mailer-daemon bare", "From: MAILER-DAEMON", Bounce},
		{"postmaster", "From: postmaster@partner.test\nSubject: Undeliverable: x", Bounce},
		{"X-Failed-Recipients", "X-Failed-Recipients: bob@partner.test", Bounce},
		{"null Return-Path", "Return-Path: <>\nSubject: Mail delivery failed", Bounce},
		{"null Return-Path auto-reply", "Return-Path: <>\nAuto-Submitted: auto-replied", AutoReply},
		{"Return-Path set", "Return-Path: <jane@partner.test>", Reply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classifyRaw(t, tt.raw); got != tt.want {
				t.Fatalf("Classify(%q) = %v, want %v", tt.raw, got, tt.want)
			}
		})
	}
}

func TestClassify_daemonSenders(t *testing.T) {
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
		if got := Classify(&Message{Header: h}); got != tt.want {
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
		if got := Classify(&Message{Header: h}); got != AutoReply {
			t.Errorf("Classify(Subject: %s) = %v, want auto-reply", subject, got)
		}
	}
	h := mail.Header{"From": {"jean@garage.example"}, "Subject": {"Re: Afwezigheid van de monteur"}}
	if got := Classify(&Message{Header: h}); got != Reply {
		t.Errorf("Classify(%q) = %v, want reply (the word goes on)", h.Get("Subject"), got)
	}
}
