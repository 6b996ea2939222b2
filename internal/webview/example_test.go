package webview_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/mailtrail/mailtrail/internal/webview"
)

// A Mailbox names each message after the time it arrived and its
// Message-ID, so that a listing sorts newest first.
func ExampleMailbox() {
	dir, err := os.MkdirTemp("", "sink")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	mb, err := webview.OpenMailbox(dir)
	if err != nil {
		log.Fatal(err)
	}
	defer mb.Close()

	at := time.Date(2026, 11, 21, 5, 0, 0, 0, time.UTC)
	for i, id := range []string{"<fleet+a74e22bb.k3@example.test>", "<strange/id:1@example.test>"} {
		raw := fmt.Sprintf("Message-ID: %s\r\nSubject: message %d\r\n\r\nHello.\r\n", id, i)
		if _, err := mb.Save([]byte(raw), at.Add(time.Duration(i)*time.Second)); err != nil {
			log.Fatal(err)
		}
	}
	names, err := mb.List()
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range names {
		raw, _ := mb.Read(name)
		subject, _ := webview.Subject(raw)
		fmt.Println(name, "·", subject)
	}
	// Output:
	// 20261121T050001.000000000Z_strange_id_1@example.test.eml · message 1
	// 20261121T050000.000000000Z_fleet+a74e22bb.k3@example.test.eml · message 0
}

// Listen refuses an address other people could reach unless told to.
func ExampleListen() {
	_, err := webview.Listen(context.Background(), "0.0.0.0:8080", false)
	fmt.Println(err)
	// Output: webview: refusing to listen on a non-loopback address: 0.0.0.0:8080
}
