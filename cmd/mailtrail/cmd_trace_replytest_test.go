package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailtrail/mailtrail/inbound/replytest"
)

// TestTrace_clientReplies runs trace --json and inspect, as a user would,
// on the replies every client writes in every language to a message that
// mailtrail render made, and on every form of bounce and automatic
// answer: each must trace to the resource, and inspect must show the
// partner's text.
func TestTrace_clientReplies(t *testing.T) {
	const rid = "a74e22bb-3313-4dc4-af28-6c2bd1351c0f"
	orig := traceRendered(t)
	dir := t.TempDir()
	type tcase struct {
		name, source, text string
		raw                []byte
	}
	var cases []tcase
	for _, client := range replytest.Clients {
		for _, lang := range replytest.Languages {
			raw, err := replytest.Reply(orig, client, lang, replytest.Text("Vu, merci."))
			if err != nil {
				t.Fatal(err)
			}
			cases = append(cases, tcase{fmt.Sprintf("%s-%s", client, lang), "address", "Vu, merci.", raw})
		}
	}
	for _, shape := range replytest.BounceShapes {
		raw, err := replytest.Bounce(orig, "5.1.1", shape)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, tcase{"bounce-" + shape.String(), "", "", raw})
	}
	for _, shape := range replytest.AutoShapes {
		raw, err := replytest.AutoReply(orig, shape)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, tcase{"auto-" + shape.String(), "in-reply-to", "", raw})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, tc.name+".eml")
			if err := os.WriteFile(file, tc.raw, 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errs := traceRun(t, "", "trace", "--from", "fleet@example.com", "--json", file)
			var got struct {
				Resource, Source string
				Exact            bool
			}
			if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil {
				t.Fatalf("trace --json: exit %d, %q (%v), stderr %q", code, out, err, errs)
			}
			if got.Resource != rid || !got.Exact || tc.source != "" && got.Source != tc.source {
				t.Errorf("trace --json = %+v, want %s exactly from %q", got, rid, tc.source)
			}
			if tc.text == "" {
				return
			}
			code, out, errs = traceRun(t, "", "inspect", "--from", "fleet@example.com", file)
			var insp struct {
				Reply struct{ Text string } `json:"reply"`
			}
			if err := json.Unmarshal([]byte(out), &insp); code != 0 || err != nil {
				t.Fatalf("inspect: exit %d (%v), stderr %q", code, err, errs)
			}
			if insp.Reply.Text != tc.text {
				t.Errorf("inspect reply.text = %q, want %q", insp.Reply.Text, tc.text)
			}
		})
	}
}
