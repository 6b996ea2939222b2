package inbound

import (
	"errors"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/identity"
)

// TestTrace_faults covers the Inbound rows of FAULTS.md: automatic mail is
// traced to the resource and classified, never taken for an answer.
func TestTrace_faults(t *testing.T) {
	const base = "From: x@partner.example\nTo: fleet+" + testRID + "@example.com\nSubject: Re: [a74e22bb] Vehicle check\n"
	tests := []struct {
		name, extra string
		kind        Kind
	}{
		{"plain reply", "", Reply},
		{"Auto-Submitted", "Auto-Submitted: auto-replied\n", AutoReply},
		{"Precedence bulk", "Precedence: bulk\n", AutoReply},
		{"null Return-Path", "Return-Path: <>\n", Bounce},
		{"DSN", "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n", Bounce},
	}
	app := fleetApp(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(base + tt.extra + "\nbody\n"))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Trace(m, app)
			if err != nil || res.Resource != testRID || res.Kind != tt.kind {
				t.Errorf("Trace() = %+v, %v, want %s kind %s", res, err, testRID, tt.kind)
			}
		})
	}
}

// TestTrace_bounceNeedsOurOriginal: a DSN whose original is not ours is
// not traced to anything, even when the report's own header names us.
func TestTrace_bounceOriginalWins(t *testing.T) {
	const other = "0b6e1c9a-58f2-4c55-9d3e-7f1a2b3c4d5e"
	raw := "From: MAILER-DAEMON@mx.example\nTo: fleet+" + other + "@example.com\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n" +
		"--b\nContent-Type: text/plain\n\nfailed\n" +
		"--b\nContent-Type: message/delivery-status\n\nAction: failed\n" +
		"--b\nContent-Type: message/rfc822\n\nFrom: fleet@example.com\nReply-To: fleet+" + testRID + "@example.com\nSubject: x\n\nbody\n" +
		"--b--\n"
	m, err := Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Trace(m, fleetApp(t))
	if err != nil || res.Resource != testRID || res.Kind != Bounce {
		t.Fatalf("Trace() = %+v, %v, want %s from the embedded original, bounce", res, err, testRID)
	}
	if _, ok := m.BouncedHeader(); !ok {
		t.Error("BouncedHeader() = false, want true")
	}
}

// TestTrace_readReceiptIsNoBounce: a multipart/report of another type
// (a read receipt) is not traced through its enclosed message.
func TestTrace_readReceiptIsNoBounce(t *testing.T) {
	raw := "From: x@partner.example\nTo: fleet@example.com\n" +
		"Content-Type: multipart/report; report-type=disposition-notification; boundary=b\n\n" +
		"--b\nContent-Type: text/plain\n\nread\n" +
		"--b\nContent-Type: message/rfc822\n\nReply-To: fleet+" + testRID + "@example.com\n\nbody\n" +
		"--b--\n"
	m, _ := Parse(strings.NewReader(raw))
	if _, ok := m.BouncedHeader(); ok {
		t.Error("BouncedHeader() = true for a read receipt")
	}
	res, err := Trace(m, fleetApp(t))
	if !errors.Is(err, identity.ErrNotFound) || res.Kind != AutoReply {
		t.Errorf("Trace() = %+v, %v, want ErrNotFound, auto-reply", res, err)
	}
}

// TestTrace_signed: with signed reply addresses, an altered address in a
// reply is reported as forged, never as a match.
func TestTrace_signed(t *testing.T) {
	app := identity.App{Name: "fleet", Domain: "example.com",
		Keys: []identity.Key{{ID: "k", Secret: []byte("0123456789abcdef0123456789abcdef")}}}
	st, err := app.Stamp(testRID, "")
	if err != nil {
		t.Fatal(err)
	}
	good := "From: x@partner.example\nTo: " + st.ReplyTo + "\nSubject: Re: hi\n\nok\n"
	m, _ := Parse(strings.NewReader(good))
	if res, err := Trace(m, app); err != nil || res.Resource != testRID {
		t.Fatalf("Trace(signed) = %+v, %v, want %s", res, err, testRID)
	}
	forged := strings.Replace(good, testRID, "0b6e1c9a-58f2-4c55-9d3e-7f1a2b3c4d5e", 1)
	m, _ = Parse(strings.NewReader(forged))
	res, err := Trace(m, app)
	var te *identity.TokenError
	if !errors.As(err, &te) || !errors.Is(err, identity.ErrBadToken) || (res != nil && res.Resource != "") {
		t.Errorf("Trace(forged) = %+v, %v, want *TokenError, no resource", res, err)
	}
}

func TestTrace_plainTextBounce(t *testing.T) {
	for _, marker := range []string{
		"--- Below this line is a copy of the message.",
		"------ This is a copy of the message, including all the headers. ------",
		"   ----- Original message follows -----",
	} {
		t.Run(marker, func(t *testing.T) {
			raw := "From: MAILER-DAEMON@mx.example\nTo: fleet@example.com\nSubject: failure notice\n\n" +
				"Hi. This is the qmail-send program at mx.example.\nI'm afraid I wasn't able to deliver your message.\n\n" +
				"<nobody@gone.example>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n" + marker + "\n\n" +
				"Return-Path: <fleet@example.com>\nFrom: Fleet <fleet@example.com>\nReply-To: fleet+" + testRID + "@example.com\n" +
				"Subject: [a74e22bb] Vehicle check\n\nDear partner,\n"
			m, err := Parse(strings.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Trace(m, fleetApp(t))
			if err != nil || res.Resource != testRID || !res.Exact || res.Kind != Bounce {
				t.Errorf("Trace() = %+v, %v, want %s exact bounce", res, err, testRID)
			}
		})
	}
}

// TestTrace_mixedBounce: bounces that are not RFC 3464 reports (a
// multipart/mixed from MAILER-DAEMON with the original attached) trace
// through the original; a person's message forwarding ours as an
// attachment does not.
func TestTrace_mixedBounce(t *testing.T) {
	const other = "0b6e1c9a-58f2-4c55-9d3e-7f1a2b3c4d5e"
	original := "From: Fleet <fleet@example.com>\nReply-To: fleet+" + testRID + "@example.com\nSubject: [a74e22bb] Vehicle check\n\nDear partner,\n"
	tests := []struct {
		name, head, attached string
		resource             string
		kind                 Kind
	}{
		{"MAILER-DAEMON, message/rfc822", "From: Mail Delivery System <MAILER-DAEMON@mx.garage.example>\nReturn-Path: <>\nTo: fleet@example.com\n",
			"Content-Type: message/rfc822\n\n" + original, testRID, Bounce},
		{"postmaster, text/rfc822-headers", "From: postmaster@garage.example\nTo: fleet@example.com\n",
			"Content-Type: text/rfc822-headers\n\n" + original, testRID, Bounce},
		{"a person forwarding ours as an attachment", "From: Jean <jean@garage.example>\nTo: fleet+" + other + "@example.com\n",
			"Content-Type: message/rfc822\n\n" + original, other, Reply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.head + "Subject: Mail delivery failed\nContent-Type: multipart/mixed; boundary=b\n\n" +
				"--b\nContent-Type: text/plain\n\nThis message could not be delivered.\n" +
				"--b\n" + tt.attached + "--b--\n"
			m, err := Parse(strings.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Trace(m, fleetApp(t))
			if err != nil || res.Resource != tt.resource || !res.Exact || res.Kind != tt.kind {
				t.Errorf("Trace() = %+v, %v, want %s exact %s", res, err, tt.resource, tt.kind)
			}
		})
	}
}
