package inbound

import (
	"errors"
	"strings"
	"testing"
)

const walkMsg = "From: A <a@example.com>\nTo: b@example.com, \"C\" <c@example.com>\nCc: d@example.com\n" +
	"Content-Type: multipart/mixed; boundary=M\n\n" +
	"--M\nContent-Type: multipart/related; boundary=R; start=\"<root@x>\"\n\n" +
	"--R\nContent-Type: image/gif\nContent-ID: <img@x>\n\nGIF\n" +
	"--R\nContent-Type: multipart/alternative; boundary=A\nContent-ID: <root@x>\n\n" +
	"--A\nContent-Type: text/plain\n\nplain\n" +
	"--A\nContent-Type: text/html\n\n<p>html</p>\n" +
	"--A--\n" +
	"--R--\n" +
	"--M\nContent-Type: text/plain\nContent-Disposition: attachment; filename=notes.txt\n\nnotes\n" +
	"--M\nContent-Type: message/rfc822\n\nSubject: fwd\nContent-Type: text/html\n\n<p>forwarded</p>\n" +
	"--M--\n"

func TestMessage_BodyPart(t *testing.T) {
	m, err := Parse(strings.NewReader(walkMsg))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		types []string
		want  string // body of the part, "" for none
	}{
		{nil, "plain"},
		{[]string{"text/html", "text/plain"}, "<p>html</p>"},
		{[]string{"image/gif"}, ""}, // not the root of the related
		{[]string{"multipart/related"}, "multipart/related"},
		{[]string{"application/json"}, ""},
	}
	for _, tt := range tests {
		p := m.BodyPart(tt.types...)
		got := ""
		if p != nil {
			got = string(p.Body)
			if len(p.Parts) > 0 {
				got = p.ContentType
			}
		}
		if got != tt.want {
			t.Errorf("BodyPart(%q) = %q, want %q", tt.types, got, tt.want)
		}
	}
}

func TestMessage_Attachments(t *testing.T) {
	m, _ := Parse(strings.NewReader(walkMsg))
	var got []string
	for _, a := range m.Attachments() {
		got = append(got, a.ContentType+" "+a.Filename)
	}
	want := "image/gif ,text/plain notes.txt,message/rfc822 "
	if strings.Join(got, ",") != want {
		t.Errorf("Attachments() = %q, want %q", strings.Join(got, ","), want)
	}
	fwd := m.Attachments()[2]
	if !strings.HasPrefix(string(fwd.Data), "Subject: fwd") || len(fwd.Part.Parts) != 1 || fwd.Part.Parts[0].ContentType != "text/html" {
		t.Errorf("enclosed message: data %q, parts %v", fwd.Data, fwd.Part.Parts)
	}
	if b := m.BodyPart("text/plain"); b == nil || string(b.Body) != "plain" {
		t.Errorf("BodyPart(text/plain) = %v, want the body, not the forward", b)
	}
}

func TestMessage_envelope(t *testing.T) {
	m, _ := Parse(strings.NewReader(walkMsg))
	if m.From != "a@example.com" || strings.Join(m.To, ",") != "b@example.com,c@example.com,d@example.com" {
		t.Errorf("from %q to %q", m.From, m.To)
	}
	m, _ = ParseWith(strings.NewReader(walkMsg), &Options{EnvelopeFrom: "bounce@example.com", EnvelopeTo: []string{"x@example.com"}})
	if m.From != "bounce@example.com" || strings.Join(m.To, ",") != "x@example.com" {
		t.Errorf("with envelope: from %q to %q", m.From, m.To)
	}
}

func TestMessage_Walk(t *testing.T) {
	m, _ := Parse(strings.NewReader(walkMsg))
	var types []string
	m.Walk(func(p *Part) error {
		types = append(types, p.ContentType)
		if p.ContentType == "multipart/related" {
			return SkipParts
		}
		return nil
	})
	if got := strings.Join(types, ","); got != "multipart/mixed,multipart/related,text/plain,message/rfc822,text/html" {
		t.Errorf("Walk order = %s", got)
	}
	stop := errors.New("stop")
	if err := m.Walk(func(*Part) error { return stop }); err != stop {
		t.Errorf("Walk() = %v, want the callback's error", err)
	}
}

func TestParse_encodedEnclosedMessage(t *testing.T) {
	raw := "Content-Type: multipart/mixed; boundary=M\n\n--M\nContent-Type: text/plain\n\nsee attached\n" +
		"--M\nContent-Type: message/global\nContent-Transfer-Encoding: base64\n\n" +
		"U3ViamVjdDogw6l0w6kKCmJvZHkK\n--M--\n" // "Subject: été\n\nbody\n"
	m, err := Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	enc := m.Content.Parts[1]
	if len(enc.Parts) != 1 || enc.Parts[0].HeaderValue("Subject") != "été" || string(enc.Parts[0].Body) != "body\n" {
		t.Fatalf("enclosed = %+v", enc.Parts)
	}
	if string(enc.Body) != "Subject: été\n\nbody\n" {
		t.Errorf("enclosed Body = %q", enc.Body)
	}
}
