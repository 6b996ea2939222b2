package replytest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/inbound/reply"
	"github.com/mailtrail/mailtrail/inbound/replytest"
)

// TestBounce_readBack builds every form of bounce for a permanent and a
// temporary status and checks that inbound reads each as a bounce of the
// original's resource, traced exactly through the original.
func TestBounce_readBack(t *testing.T) {
	orig := sent(t, resource)
	for _, shape := range replytest.BounceShapes {
		for _, status := range []string{"5.1.1", "4.2.2"} {
			t.Run(fmt.Sprintf("%s/%s", shape, status), func(t *testing.T) {
				raw, err := replytest.Bounce(orig, status, shape)
				if err != nil {
					t.Fatal(err)
				}
				m, tr, err := read(t, raw)
				if err != nil || tr.Resource != resource || !tr.Exact || tr.Kind != inbound.Bounce {
					t.Fatalf("Trace() = %+v, %v; want %s exactly, a bounce\n%s", tr, err, resource, raw)
				}
				if !strings.Contains(string(raw), status) || !strings.Contains(string(raw), "jean.dupont@garage.example") {
					t.Errorf("bounce does not name the status %s and the recipient:\n%s", status, raw)
				}
				if got := m.Header.Get("Return-Path"); got != "<>" {
					t.Errorf("Return-Path = %q, want <>", got)
				}
				if shape == replytest.DSN || shape == replytest.DSNHeaders {
					action := map[bool]string{true: "delayed", false: "failed"}[status[0] == '4']
					if !strings.Contains(string(raw), "Action: "+action+"\r\n") {
						t.Errorf("delivery-status lacks Action: %s\n%s", action, raw)
					}
					if _, ok := m.BouncedHeader(); !ok {
						t.Error("BouncedHeader() found no original in an RFC 3464 report")
					}
				}
			})
		}
	}
	for _, bad := range []string{"", "5.1", "6.1.1", "5.x.1", "5.1.1000"} {
		if _, err := replytest.Bounce(orig, bad); err == nil {
			t.Errorf("Bounce(%q) = nil error", bad)
		}
	}
}

// TestAutoReply_readBack builds a vacation answer and an Exchange
// out-of-office in every language and checks that each is read as an
// automatic reply about the resource, with its text.
func TestAutoReply_readBack(t *testing.T) {
	orig := sent(t, resource)
	for _, shape := range replytest.AutoShapes {
		for _, lang := range replytest.Languages {
			t.Run(fmt.Sprintf("%s/%s", shape, lang), func(t *testing.T) {
				raw, err := replytest.AutoReply(orig, shape, lang)
				if err != nil {
					t.Fatal(err)
				}
				m, tr, err := read(t, raw)
				if err != nil || tr.Resource != resource || !tr.Exact || tr.Kind != inbound.AutoReply {
					t.Fatalf("Trace() = %+v, %v; want %s exactly, an auto-reply\n%s", tr, err, resource, raw)
				}
				if r := reply.Parse(m); r.Text == "" {
					t.Errorf("ParseReply().Text is empty\n%s", raw)
				}
			})
		}
	}
}
