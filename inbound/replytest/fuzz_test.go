package replytest_test

import (
	"bytes"
	"testing"

	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/inbound/replytest"
)

// FuzzReply feeds every builder arbitrary "sent" messages: none may
// panic, and whatever they build must parse.
func FuzzReply(f *testing.F) {
	f.Add(sentMessage, uint8(0))
	f.Add([]byte("From: =?utf-8?q?=C3=A9?= <a@b>\r\nTo: x\r\nReferences: <<<\r\n\r\n"), uint8(7))
	f.Fuzz(func(t *testing.T, sent []byte, pick uint8) {
		client := replytest.Clients[int(pick)%len(replytest.Clients)]
		lang := replytest.Languages[int(pick)%len(replytest.Languages)]
		shape := replytest.Shapes[int(pick)%len(replytest.Shapes)]
		outs := [][]byte{}
		if raw, err := replytest.Reply(sent, client, lang, shape); err == nil {
			outs = append(outs, raw)
		}
		if raw, err := replytest.Bounce(sent, "5.1.1", replytest.BounceShapes[int(pick)%4]); err == nil {
			outs = append(outs, raw)
		}
		if raw, err := replytest.AutoReply(sent, replytest.AutoShapes[int(pick)%2]); err == nil {
			outs = append(outs, raw)
		}
		for _, raw := range outs {
			if _, err := inbound.Parse(bytes.NewReader(raw)); err != nil {
				t.Errorf("built a message inbound cannot parse: %v\n%q", err, raw)
			}
		}
	})
}
