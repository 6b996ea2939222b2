package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/mailtrail/mailtrail/identity"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const traceFixtures = "../../inbound/testdata/replies"

// traceRun runs the CLI in process with stdin and returns the exit code,
// stdout and stderr.
func traceRun(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

func TestTrace_exitCodes(t *testing.T) {
	gmail := filepath.Join(traceFixtures, "gmail.eml")
	raw, err := os.ReadFile(gmail)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		stdin   string
		args    []string
		code    int
		out     string
		errPart string
	}{
		{"found", "", []string{"trace", "--from", "fleet@example.com", gmail}, 0, "a74e22bb-3313-4dc4-af28-6c2bd1351c0f\n", ""},
		{"stdin dash", string(raw), []string{"trace", "--from", "fleet@example.com", "-"}, 0, "a74e22bb-3313-4dc4-af28-6c2bd1351c0f\n", ""},
		{"stdin implicit", string(raw), []string{"trace", "--from", "fleet@example.com"}, 0, "a74e22bb-3313-4dc4-af28-6c2bd1351c0f\n", ""},
		{"other app", "To: fleet+a74e22bb-3313-4dc4-af28-6c2bd1351c0f@example.com\nSubject: hi\n\nx\n", []string{"trace", "--from", "billing@example.com"}, 1, "", "no resource of billing@example.com found"},
		{"other app, subject tag", "", []string{"trace", "--from", "billing@example.com", gmail}, 0, "a74e22bb\n", "only the subject tag matched"},
		{"unrelated", "", []string{"trace", "--from", "fleet@example.com", filepath.Join(traceFixtures, "unrelated.eml")}, 1, "", "no resource"},
		{"subject only", "", []string{"trace", "--from", "fleet@example.com", filepath.Join(traceFixtures, "forged.eml")}, 0, "a74e22bb\n", "only the subject tag matched"},
		{"saved by an editor: BOM and a blank line", "\xef\xbb\xbf\r\nTo: fleet+A74E22BB-3313-4DC4-AF28-6C2BD1351C0F@example.com\r\nSubject: Re: x\r\n\r\nok\r\n", []string{"trace", "--from", "fleet@example.com"}, 0, "a74e22bb-3313-4dc4-af28-6c2bd1351c0f\n", ""},
		{"missing file", "", []string{"trace", "--from", "fleet@example.com", "no-such.eml"}, 2, "", "no-such.eml"},
		{"empty input", "", []string{"trace", "--from", "fleet@example.com", "-"}, 2, "", "empty message"},
		{"garbage", "\x00\x01\x02 not mail\n", []string{"trace", "--from", "fleet@example.com"}, 2, "", "not an e-mail message"},
		{"Outlook .msg file", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00__substg1.0_0037001F\x00To: fleet+a74e22bb-3313-4dc4-af28-6c2bd1351c0f@example.com\x00", []string{"trace", "--from", "fleet@example.com"}, 2, "", "an Outlook .msg file"},
		{"no --from", "", []string{"trace", gmail}, 2, "", "missing --from"},
		{"bad --from", "", []string{"trace", "--from", "fleet", gmail}, 2, "", "--from"},
		{"--from as given to render", "", []string{"trace", "--from", "Fleet desk <fleet@example.com>", gmail}, 0, "a74e22bb-3313-4dc4-af28-6c2bd1351c0f\n", ""},
		{"--from with a plus", "", []string{"trace", "--from", "Fleet <fleet+x@example.com>", gmail}, 2, "", "holds '+'"},
		{"two files", "", []string{"trace", "--from", "fleet@example.com", gmail, gmail}, 2, "", "unexpected argument"},
		{"bad flag", "", []string{"trace", "--nope"}, 2, "", "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := traceRun(t, tt.stdin, tt.args...)
			if code != tt.code || out != tt.out || !strings.Contains(errs, tt.errPart) {
				t.Errorf("mailtrail %q = exit %d, out %q, err %q; want exit %d, out %q, err containing %q",
					tt.args, code, out, errs, tt.code, tt.out, tt.errPart)
			}
		})
	}
}

func TestTrace_json(t *testing.T) {
	tests := []struct {
		file     string
		resource string
		source   string
		exact    bool
		kind     string
	}{
		{"gmail.eml", "a74e22bb-3313-4dc4-af28-6c2bd1351c0f", "address", true, "reply"},
		{"bounce_rfc822.eml", "a74e22bb-3313-4dc4-af28-6c2bd1351c0f", "address", true, "bounce"},
		{"autoreply.eml", "a74e22bb-3313-4dc4-af28-6c2bd1351c0f", "address", true, "auto-reply"},
		{"forged.eml", "a74e22bb", "subject", false, "reply"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			code, out, errs := traceRun(t, "", "trace", "--json", "--from", "fleet@example.com", filepath.Join(traceFixtures, tt.file))
			if code != 0 {
				t.Fatalf("exit %d, err %q", code, errs)
			}
			// Bounces and auto-replies are said on standard error only.
			if tt.kind != "reply" && !strings.Contains(errs, tt.kind[:4]) {
				t.Errorf("stderr %q: want a note that the message is a %s", errs, tt.kind)
			}
			// A script reading the contract's keys.
			var three struct {
				Resource string `json:"resource"`
				Source   string `json:"source"`
				Exact    bool   `json:"exact"`
				Kind     string `json:"kind"`
			}
			dec := json.NewDecoder(strings.NewReader(out))
			if err := dec.Decode(&three); err != nil {
				t.Fatalf("output %q: %v", out, err)
			}
			if three.Resource != tt.resource || three.Source != tt.source || three.Exact != tt.exact || three.Kind != tt.kind {
				t.Errorf("got %+v, want %s %s %v %s", three, tt.resource, tt.source, tt.exact, tt.kind)
			}
			var all map[string]any
			json.Unmarshal([]byte(out), &all)
			if len(all) != 4 {
				t.Errorf("output %s: want exactly the contract's keys resource, source, exact, kind", out)
			}
			if !strings.HasPrefix(out, `{"resource":`) || !strings.HasSuffix(out, "}\n") {
				t.Errorf("output %q: want one JSON object per line, resource first", out)
			}
		})
	}
}

func TestInspect(t *testing.T) {
	code, out, errs := traceRun(t, "", "inspect", filepath.Join(traceFixtures, "html_attachments.eml"))
	if code != 0 {
		t.Fatalf("exit %d, err %q", code, errs)
	}
	var got struct {
		From    string            `json:"from"`
		To      []string          `json:"to"`
		Headers map[string]string `json:"headers"`
		Content struct {
			ContentType string           `json:"content-type"`
			Parts       []map[string]any `json:"parts"`
		} `json:"content"`
		Reply struct {
			Text        string `json:"text"`
			Attachments []struct {
				Filename    string `json:"filename"`
				ContentType string `json:"content-type"`
				Size        int    `json:"size"`
			} `json:"attachments"`
		} `json:"reply"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if got.From != "francois@garage.example" || len(got.To) != 1 || got.Headers["subject"] != "RE\u00a0: [a74e22bb] Vehicle check" {
		t.Errorf("from %q to %q subject %q", got.From, got.To, got.Headers["subject"])
	}
	if got.Content.ContentType != "multipart/mixed" || len(got.Content.Parts) != 5 {
		t.Errorf("content %s with %d parts, want multipart/mixed with 5", got.Content.ContentType, len(got.Content.Parts))
	}
	if p := got.Content.Parts[1]; p["body-encoding"] != "base64" || p["filename"] != "rapport véhicule.pdf" {
		t.Errorf("pdf part = %v", p)
	}
	if got.Reply.Text != "Voici le rapport et la photo du véhicule." {
		t.Errorf("reply text = %q", got.Reply.Text)
	}
	if len(got.Reply.Attachments) != 3 || got.Reply.Attachments[0].Filename != "rapport véhicule.pdf" || got.Reply.Attachments[0].Size != 45 {
		t.Errorf("attachments = %+v", got.Reply.Attachments)
	}
	for _, want := range []string{"\n  \"from\"", "\n  \"reply\""} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q (indented JSON)", want)
		}
	}
}

func TestInspect_errors(t *testing.T) {
	for _, tt := range []struct {
		name, stdin string
		args        []string
		code        int
	}{
		{"stdin", "Subject: hi\n\nbody\n", []string{"inspect", "-"}, 0},
		{"empty", "", []string{"inspect"}, 2},
		{"missing", "", []string{"inspect", "no-such.eml"}, 2},
		{"two files", "", []string{"inspect", "a", "b"}, 2},
		{"bad --from", "Subject: hi\n\nbody\n", []string{"inspect", "--from", "x"}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if code, out, errs := traceRun(t, tt.stdin, tt.args...); code != tt.code {
				t.Errorf("exit %d, want %d (out %q, err %q)", code, tt.code, out, errs)
			}
		})
	}
}

func TestInspect_trace(t *testing.T) {
	code, out, errs := traceRun(t, "", "inspect", "--from", "fleet@example.com", filepath.Join(traceFixtures, "bounce_headers.eml"))
	if code != 0 {
		t.Fatalf("exit %d, err %q", code, errs)
	}
	var got struct {
		Trace map[string]any `json:"trace"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Trace["resource"] != "a74e22bb-3313-4dc4-af28-6c2bd1351c0f" || got.Trace["kind"] != "bounce" {
		t.Errorf("trace = %v", got.Trace)
	}
	_, out, _ = traceRun(t, "", "inspect", filepath.Join(traceFixtures, "bounce_headers.eml"))
	if strings.Contains(out, `"trace"`) {
		t.Error("trace without --from")
	}
}

func TestTraceSource_contractWords(t *testing.T) {
	tests := []struct {
		in   identity.Source
		want string
	}{
		{identity.SourceAddress, "address"},
		{identity.SourceInReplyTo, "in-reply-to"},
		{identity.SourceReferences, "references"},
		{identity.SourceSubject, "subject"},
		{identity.SourceMessageID, "in-reply-to"}, // a bounce's original: ours, exactly
	}
	for _, tt := range tests {
		if got := traceSource(tt.in); got != tt.want {
			t.Errorf("traceSource(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
