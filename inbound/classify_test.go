package inbound

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClassify_bounces covers the bounce shapes that header rules alone
// missed, traced through the original where one is attached, and the
// person's messages that look like them and must stay replies.
func TestClassify_bounces(t *testing.T) {
	original := "From: Fleet <fleet@example.com>\nReply-To: fleet+" + testRID + "@example.com\n" +
		"Message-ID: <fleet+" + testRID + ".tok123@example.com>\nSubject: [a74e22bb] Vehicle check\n\nDear partner,\n"
	mixed := func(head, text string) string {
		return head + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n" + text +
			"\n--b\nContent-Type: message/rfc822\n\n" + original + "--b--\n"
	}
	tests := []struct {
		name, raw string
		kind      Kind
		resource  string // "" when nothing of ours is found
	}{
		{"MAILER-DAEMON with an empty address", "From: MAILER-DAEMON <>\nTo: fleet@example.com\nSubject: Returned mail\n\n" +
			"--- Below this line is a copy of the message.\n\n" + original, Bounce, testRID},
		{"Mail Delivery System with an empty address", "From: \"Mail Delivery System\" <>\nTo: fleet@example.com\nSubject: x\n\nUndeliverable\n",
			Bounce, ""},
		{"post_master with a Re: subject", mixed("From: post_master@carrier.example\nTo: fleet@example.com\nSubject: Re: [a74e22bb] Vehicle check\n",
			"Your mail could not be delivered."), Bounce, testRID},
		{"multipart/mixed without delivery-status, Auto-Submitted", mixed("From: Mail Administrator <admin@carrier.example.jp>\n"+
			"Auto-Submitted: auto-replied\nTo: fleet@example.com\nSubject: Mail System Error - Returned Mail\n",
			"The following recipient is unknown: user unknown"), Bounce, testRID},
		{"multipart/mixed without delivery-status, null Return-Path", mixed("Return-Path: <>\nFrom: Carrier <info@carrier.example.jp>\n"+
			"To: fleet@example.com\nSubject: Undeliverable mail\n", "送信できませんでした"), Bounce, testRID},
		{"Mailman non-member rejection", mixed("From: parts-owner@lists.garage.example\nTo: fleet@example.com\n"+
			"Subject: Your message to Parts awaits moderator approval\n", "Posting by non-member to a members-only list"), Bounce, testRID},
		{"Sympa rejection without the original", "From: sympa@lists.garage.example\nTo: fleet@example.com\n" +
			"In-Reply-To: <fleet+" + testRID + ".tok123@example.com>\nSubject: Message distribution: Authorization denied\n\n" +
			"You are not allowed to post to list parts@lists.garage.example\n", Bounce, testRID},
		{"a person forwarding ours as an attachment", mixed("From: Jean <jean@garage.example>\nTo: fleet@example.com\nSubject: Fwd: returned mail\n",
			"This message could not be delivered, can you check?"), Reply, ""},
		{"a person saying not a member", "From: Jean <jean@garage.example>\nTo: fleet+" + testRID + "@example.com\nSubject: Re: [a74e22bb] x\n\n" +
			"He is not a member of our team any more.\n", Reply, testRID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if got := Classify(m); got != tt.kind {
				t.Errorf("Classify() = %v, want %v", got, tt.kind)
			}
			res, err := Trace(m, fleetApp(t))
			if res == nil || res.Kind != tt.kind || res.Resource != tt.resource {
				t.Errorf("Trace() = %+v, %v, want kind %v, resource %q", res, err, tt.kind, tt.resource)
			}
		})
	}
}

// TestClassify_sisimai: sisimai's Google Groups rejection (a member-only
// group) is a bounce, and its original is found below "----- Original
// message -----" (testdata/sisimai/README.md).
func TestClassify_sisimai(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "sisimai", "lhost-googlegroups-01.eml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if got := Classify(m); got != Bounce {
		t.Errorf("Classify() = %v, want bounce", got)
	}
	orig, ok := m.inlineOriginal()
	if want := "<D0E3D626-1C96-4749-8101-62C0CE13B1D5@example.jp>"; !ok || orig.Get("Message-Id") != want {
		t.Errorf("inlineOriginal() Message-Id = %q, %v, want %q", orig.Get("Message-Id"), ok, want)
	}
}

// TestClassify_clientFiles classifies the client-saved messages whose
// identifiers identity's golden trace test reads, so that each file's kind
// is checked where the classifier lives.
func TestClassify_clientFiles(t *testing.T) {
	want := map[string]Kind{
		"apple-mail-ses.eml":     Reply,
		"bounce-headers.eml":     Bounce,
		"forged-other-app.eml":   Reply,
		"gmail-reply.eml":        Reply,
		"outlook-ooo-de.eml":     AutoReply,
		"outlook-reply.eml":      Reply,
		"phone-subject-only.eml": Reply,
		"thunderbird-cc.eml":     Reply,
		"unrelated.eml":          AutoReply,
	}
	files, err := filepath.Glob("../identity/testdata/*.eml")
	if err != nil || len(files) != len(want) {
		t.Fatalf("Glob = %d files, %v; want the %d files of the table", len(files), err, len(want))
	}
	for _, path := range files {
		name := filepath.Base(path)
		if got := Classify(parseFile(t, path)); got != want[name] {
			t.Errorf("Classify(%s) = %v, want %v", name, got, want[name])
		}
	}
}
