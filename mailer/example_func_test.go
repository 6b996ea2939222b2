package mailer_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailtrail/mailtrail/mailer"
	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// A library caller says where messages go; with nothing chosen New says
// how to choose.
func ExampleNew() {
	_, err := mailer.New(mailer.Config{
		Identity: mailer.Identity{From: "Fleet desk <fleet@example.com>"},
		Transport: mailer.TransportConfig{
			Getenv: func(string) string { return "" }, // as if MAILTRAIL_SMTP_URL were unset
		},
	})
	fmt.Println(errors.Is(err, mailer.ErrNoTransport))
	fmt.Println(err)

	m, err := mailer.New(mailer.Config{
		Identity: mailer.Identity{From: "Fleet desk <fleet@example.com>"},
		Transport: mailer.TransportConfig{
			URL: "smtps://mail.example.com", // New makes no connection: the first Send does
		},
	})
	fmt.Println(err)
	m.Close()
	// Output:
	// true
	// mailer: config: no transport chosen: set Transport.URL (or Transport.SMTP, or MAILTRAIL_SMTP_URL) such as smtp://user:pass@mail.example.com:587 to send, Transport.URL "file:DIR" or Transport.Use (NewFileTransport) to write .eml files into a folder, or Outbox to enqueue
	// <nil>
}

func ExampleNewFileTransport() {
	dir, _ := os.MkdirTemp("", "mail")
	defer os.RemoveAll(dir)
	m, err := mailer.New(mailer.Config{
		Identity: mailer.Identity{From: "fleet@example.com", NewToken: func() string { return "k3x9" }},
		Render:   mailer.RenderConfig{Templates: templatesFS},
		Transport: mailer.TransportConfig{
			Use: mailer.NewFileTransport(dir, nil), // or URL: "file:" + dir
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	rc, err := m.Send(context.Background(), &mailer.Message{Template: "vehicle-check", To: []string{"partner@example.net"}, Resource: "WO-42", Data: vehicle})
	if err != nil {
		fmt.Println(err)
		return
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	fmt.Println(len(files), filepath.Dir(rc.Path) == dir, strings.HasSuffix(rc.Path, "-fleet+WO-42.k3x9@example.com.eml"))
	// Output: 1 true true
}

func ExampleRedirect() {
	srv, err := mailtest.Listen("127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	m, err := mailer.New(mailer.Config{
		Identity:  mailer.Identity{From: "fleet@example.com"},
		Render:    mailer.RenderConfig{Templates: templatesFS},
		Transport: mailer.TransportConfig{URL: srv.URL()},
		Hooks: mailer.Hooks{
			BeforeSend: mailer.Redirect("staging-inbox@example.com"), // a staging system writes to no partner
		},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	_, err = m.Send(context.Background(), &mailer.Message{Template: "vehicle-check", To: []string{"partner@example.net"}, Cc: []string{"boss@example.net"}, Resource: "WO-42", Data: vehicle})
	fmt.Println(err)
	got := srv.Messages()
	fmt.Println(len(got), got[0].To)
	// Output:
	// <nil>
	// 1 [staging-inbox@example.com]
}
