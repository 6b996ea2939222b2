package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// inspectOutput is the part of inspect's output these tests read.
type inspectOutput struct {
	Headers map[string]string `json:"headers"`
	Reply   struct {
		Text      string         `json:"text"`
		TextType  string         `json:"text-type"`
		Signature string         `json:"signature"`
		Data      map[string]any `json:"data"`
		DataType  string         `json:"data-type"`
	} `json:"reply"`
	Trace map[string]any `json:"trace"`
}

func inspectDecode(t *testing.T, out string) inspectOutput {
	t.Helper()
	var got inspectOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	return got
}

// TestInspect_reply checks the reply keys: structured data with where it
// came from, the text and the signature taken off it.
func TestInspect_reply(t *testing.T) {
	tests := []struct {
		file, text, textType, signature, dataType string
		data                                      map[string]string // dotted key: value
	}{
		{"json_part.eml", "Status: done", "text/plain", "", "application/json",
			map[string]string{"Status": "done", "Vehicle.Plate_Number": "AB-123-CD", "Vehicle.mileage": "48213"}},
		{"outlook.eml", "", "text/plain", "Mit freundlichen Grüßen\nHans Müller", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			code, out, errs := traceRun(t, "", "inspect", filepath.Join(traceFixtures, tt.file))
			if code != 0 {
				t.Fatalf("exit %d, err %q", code, errs)
			}
			got := inspectDecode(t, out).Reply
			if tt.text != "" && got.Text != tt.text {
				t.Errorf("reply.text = %q, want %q", got.Text, tt.text)
			}
			if got.TextType != tt.textType || got.Signature != tt.signature || got.DataType != tt.dataType {
				t.Errorf("reply text-type %q signature %q data-type %q, want %q %q %q",
					got.TextType, got.Signature, got.DataType, tt.textType, tt.signature, tt.dataType)
			}
			if len(tt.data) == 0 && got.Data != nil {
				t.Errorf("reply.data = %v, want null", got.Data)
			}
			for key, want := range tt.data {
				var cur any = got.Data
				for _, k := range strings.Split(key, ".") {
					m, _ := cur.(map[string]any)
					cur = m[k]
				}
				if s, _ := json.Marshal(cur); strings.Trim(string(s), `"`) != want {
					t.Errorf("reply.data.%s = %s, want %s", key, s, want)
				}
			}
		})
	}
}

// TestInspect_literal: the JSON is for people to read: "<", ">" and "&"
// stay as they are, not \u003c.
func TestInspect_literal(t *testing.T) {
	stdin := "From: \"Müller, Hans\" <h.mueller@werkstatt.example>\nSubject: A & B\n\nx < y\n"
	code, out, errs := traceRun(t, stdin, "inspect")
	if code != 0 {
		t.Fatalf("exit %d, err %q", code, errs)
	}
	for _, want := range []string{`"Müller, Hans\" <h.mueller@werkstatt.example>"`, `"A & B"`, `"x < y`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}

// TestInspect_traceMatchesTrace: inspect --from says what trace --json
// says, in the contract's words, for every source.
func TestInspect_traceMatchesTrace(t *testing.T) {
	const rid = "a74e22bb-3313-4dc4-af28-6c2bd1351c0f"
	bounceByMessageID := "From: MAILER-DAEMON@mx.garage.example\nTo: fleet@example.com\nSubject: Undelivered Mail\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n" +
		"--b\nContent-Type: message/delivery-status\n\nAction: failed\n" +
		"--b\nContent-Type: text/rfc822-headers\n\nFrom: fleet@example.com\nMessage-ID: <fleet+" + rid + ".3xkq7nbn2adqgmhwrd6a@example.com>\n" +
		"--b--\n"
	tests := []struct{ name, stdin, file string }{
		{"bounce through the original's Message-ID", bounceByMessageID, "-"},
		{"gmail", "", filepath.Join(traceFixtures, "gmail.eml")},
		{"subject only", "", filepath.Join(traceFixtures, "forged.eml")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, traceOut, errs := traceRun(t, tt.stdin, "trace", "--json", "--from", "fleet@example.com", tt.file)
			if code != 0 {
				t.Fatalf("trace: exit %d, err %q", code, errs)
			}
			var want map[string]any
			if err := json.Unmarshal([]byte(traceOut), &want); err != nil {
				t.Fatal(err)
			}
			code, out, errs := traceRun(t, tt.stdin, "inspect", "--from", "Fleet desk <fleet@example.com>", tt.file)
			if code != 0 {
				t.Fatalf("inspect: exit %d, err %q", code, errs)
			}
			got := inspectDecode(t, out).Trace
			for k, v := range want {
				if got[k] != v {
					t.Errorf("inspect trace.%s = %v, trace --json says %v", k, got[k], v)
				}
			}
			if got["kind"] == nil {
				t.Errorf("inspect trace = %v, want a kind", got)
			}
		})
	}
}

// TestInspect_help checks that every line of the example in --help is
// indented like the first, so that none reads as part of the flag list.
func TestInspect_help(t *testing.T) {
	code, _, errs := traceRun(t, "", "inspect", "--help")
	_, example, ok := strings.Cut(errs, "\nexample:\n")
	if code != 0 || !ok {
		t.Fatalf("exit %d, help %q", code, errs)
	}
	for _, line := range strings.Split(strings.TrimRight(example, "\n"), "\n") {
		if !strings.HasPrefix(line, "  mailtrail inspect ") {
			t.Errorf("example line %q, want it to start with %q", line, "  mailtrail inspect ")
		}
	}
}
