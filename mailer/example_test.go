package mailer_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// templatesFS stands for os.DirFS("templates") or an embed.FS.
var templatesFS = fstest.MapFS{
	"vehicle-check.md": {Data: []byte(`---
subject: Vehicle check {{vehicle.plate_number}}
---
Dear partner,

Please check vehicle **{{vehicle.plate_number}}** located {{vehicle.address}}.
`)},
}

var vehicle = map[string]any{"vehicle": map[string]any{"plate_number": "AB-123-CD", "address": "3 rue de la Paix, Paris"}}

// With no SMTP server configured, Send writes each message into the local
// outbox folder.
func ExampleMailer_Send() {
	dir, _ := os.MkdirTemp("", "outbox")
	defer os.RemoveAll(dir)

	m, err := mailer.New(mailer.Config{
		Identity: mailer.Identity{
			From:     "Fleet desk <fleet@example.com>",
			NewToken: func() string { return "k3x9" }, // default random
		},
		Render: mailer.RenderConfig{Templates: templatesFS},
		Transport: mailer.TransportConfig{
			URL:    "file:" + dir,                     // default ./outbox
			Getenv: func(string) string { return "" }, // ignore MAILTRAIL_SMTP_URL here
		},
		Logger: slog.New(slog.DiscardHandler), // default slog.Default()
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()

	rc, err := m.Send(context.Background(), &mailer.Message{
		Template: "vehicle-check",
		To:       []string{"partner@example.net"},
		Resource: "WO-42",
		Data:     vehicle,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("resource:  ", rc.Resource)
	fmt.Println("message-id:", rc.MessageID)
	fmt.Println("file:      ", filepath.Ext(rc.Path))
	// Output:
	// resource:   WO-42
	// message-id: <fleet+WO-42.k3x9@example.com>
	// file:       .eml
}

// Send over SMTP, here to an in-process mailtest server.
func ExampleMailer_Send_smtp() {
	srv, err := mailtest.Listen("127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	m, err := mailer.New(mailer.Config{
		Identity: mailer.Identity{From: "fleet@example.com"},
		Render:   mailer.RenderConfig{Templates: templatesFS},
		Transport: mailer.TransportConfig{
			URL: srv.URL(), // smtp+insecure://127.0.0.1:port; in production smtp://user:pass@host:587
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()

	rc, err := m.Send(context.Background(), &mailer.Message{
		Template: "vehicle-check",
		To:       []string{"partner@example.net"},
		Resource: "WO-42",
		Data:     vehicle,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	got := srv.Messages()[0]
	msg, _ := mail.ReadMessage(bytes.NewReader(got.Data))
	fmt.Println("to:      ", got.To)
	fmt.Println("subject: ", msg.Header.Get("Subject"))
	fmt.Println("reply-to:", msg.Header.Get("Reply-To"))
	fmt.Println("resource:", rc.Resource)
	// Output:
	// to:       [partner@example.net]
	// subject:  [WO-42] Vehicle check AB-123-CD
	// reply-to: fleet+WO-42@example.com
	// resource: WO-42
}

// Send over SMTP with STARTTLS and AUTH, as in production, to a mailtest
// server in a test: the client trusts the server's test certificate
// through ClientTLSConfig.
func ExampleMailer_Send_starttls() {
	srv, err := mailtest.Listen("127.0.0.1:0", mailtest.RequireTLS(), mailtest.RequireAuth("fleet", "s3cret"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	smtp, err := mailer.ParseSMTPURL(srv.URL()) // smtp://fleet:s3cret@127.0.0.1:port
	if err != nil {
		fmt.Println(err)
		return
	}
	smtp.TLSConfig = srv.ClientTLSConfig()
	m, err := mailer.New(mailer.Config{
		Identity:  mailer.Identity{From: "fleet@example.com"},
		Render:    mailer.RenderConfig{Templates: templatesFS},
		Transport: mailer.TransportConfig{SMTP: smtp},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()

	_, err = m.Send(context.Background(), &mailer.Message{
		Template: "vehicle-check",
		To:       []string{"partner@example.net"},
		Resource: "WO-42",
		Data:     vehicle,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	got := srv.Messages()[0]
	fmt.Println("tls: ", got.TLS)
	fmt.Println("user:", got.User)
	fmt.Println("to:  ", got.To)
	// Output:
	// tls:  true
	// user: fleet
	// to:   [partner@example.net]
}

// Render gives the exact bytes Send would transmit.
func ExampleMailer_Render() {
	m, err := mailer.New(mailer.Config{
		Identity: mailer.Identity{From: "Fleet desk <fleet@example.com>", NewToken: func() string { return "k3x9" }},
		Render:   mailer.RenderConfig{Templates: templatesFS, Boundary: func(level int) string { return fmt.Sprintf("=_%d", level) }},
		Transport: mailer.TransportConfig{
			URL:    "smtp://mail.example.com:587", // Render makes no connection
			Getenv: func(string) string { return "" },
		},
		Now: func() time.Time { return time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	env, err := m.Render(context.Background(), &mailer.Message{
		Template: "vehicle-check",
		To:       []string{"partner@example.net"},
		Resource: "WO-42",
		Data:     vehicle,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(env.Data))
	for sc.Scan() && sc.Text() != "" { // the header block
		fmt.Println(strings.TrimSuffix(sc.Text(), "\r"))
	}
	// Output:
	// Date: Sat, 14 Mar 2026 09:26:53 +0000
	// From: Fleet desk <fleet@example.com>
	// To: partner@example.net
	// Reply-To: fleet+WO-42@example.com
	// Subject: [WO-42] Vehicle check AB-123-CD
	// Message-ID: <fleet+WO-42.k3x9@example.com>
	// References: <fleet+WO-42@example.com>
	// Thread-Topic: WO-42
	// Thread-Index: AQHcs5SxHwwXb5iphG+tfYM6P/jrOQ==
	// MIME-Version: 1.0
	// Auto-Submitted: auto-generated
	// X-Auto-Response-Suppress: OOF, AutoReply
	// Content-Type: multipart/alternative; boundary="=_0"
}

// A Renderer renders without a transport: for a preview, or to store
// the message and deliver it later.
func ExampleNewRenderer() {
	r, err := mailer.NewRenderer(mailer.Config{
		Identity: mailer.Identity{From: "Fleet desk <fleet@example.com>", NewToken: func() string { return "k3x9" }},
		Render:   mailer.RenderConfig{Templates: templatesFS, ListID: "Work orders <orders.example.com>"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	env, err := r.Render(context.Background(), &mailer.Message{
		Template: "vehicle-check",
		To:       []string{"partner@example.net"},
		Bcc:      []string{"archive@example.com"},
		Resource: "WO-42",
		Data:     vehicle,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	msg, _ := mail.ReadMessage(bytes.NewReader(env.Data))
	fmt.Println(env.From, env.To)
	fmt.Println(msg.Header.Get("Message-ID"))
	fmt.Println(msg.Header.Get("List-Id"))
	// Output:
	// fleet@example.com [partner@example.net archive@example.com]
	// <fleet+WO-42.k3x9@example.com>
	// Work orders <orders.example.com>
}

// LogSend logs every delivery with log/slog; here without timestamps, so
// that the output is stable.
func ExampleLogSend() {
	srv, err := mailtest.Listen("127.0.0.1:0", mailtest.RejectRcptFor("gone@example.net", 550))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	m, err := mailer.New(mailer.Config{
		Identity:  mailer.Identity{From: "fleet@example.com", NewToken: func() string { return "k3x9" }},
		Render:    mailer.RenderConfig{Templates: templatesFS},
		Transport: mailer.TransportConfig{URL: srv.URL()},
		Hooks:     mailer.Hooks{AfterSend: mailer.LogSend(logger)},
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()

	for _, to := range []string{"partner@example.net", "gone@example.net"} {
		m.Send(context.Background(), &mailer.Message{
			Template: "vehicle-check",
			To:       []string{to},
			Resource: "WO-42",
			Data:     vehicle,
		})
	}
	// Output:
	// level=INFO msg="mailer: sent" resource=WO-42 message_id=<fleet+WO-42.k3x9@example.com> recipients=1
	// level=ERROR msg="mailer: send failed" resource=WO-42 message_id=<fleet+WO-42.k3x9@example.com> recipients=1 class=permanent err="mailer: rcpt <gone@example.net>: 550 5.1.1 mailtest: injected fault"
}
