package mailer

import (
	"context"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// BenchmarkTransport_send sends over one reused connection to mailtest.
// Compare with BenchmarkTransport_floor, go-smtp's bare client on the same
// server: the ratio is the transport's overhead (deadlines, ctx, checks).
func BenchmarkTransport_send(b *testing.B) {
	srv := mailtest.NewServer(b, mailtest.DiscardMessages())
	cfg, err := ParseSMTPURL(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	tr := newTransport(cfg, nil)
	defer tr.close()
	data := []byte(testMsg)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := tr.send(ctx, "app@x.test", []string{"b@x.test"}, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTransport_floor is the floor for BenchmarkTransport_send.
func BenchmarkTransport_floor(b *testing.B) {
	srv := mailtest.NewServer(b, mailtest.DiscardMessages())
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.SetBytes(int64(len(testMsg)))
	for b.Loop() {
		if err := c.SendMail("app@x.test", []string{"b@x.test"}, strings.NewReader(testMsg)); err != nil {
			b.Fatal(err)
		}
	}
}
