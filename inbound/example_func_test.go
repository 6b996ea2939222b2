package inbound_test

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/mailtrail/mailtrail/inbound"
)

func ExampleClassify() {
	for _, raw := range []string{
		exampleReply,
		"From: Jean <jean@garage.example>\r\nAuto-Submitted: auto-replied\r\nSubject: Absent\r\n\r\nBack on Monday.\r\n",
		"From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\nSubject: Undelivered Mail\r\n\r\nThe message could not be delivered.\r\n",
	} {
		m, err := inbound.Parse(strings.NewReader(raw))
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(inbound.Classify(m))
	}
	// Output:
	// reply
	// auto-reply
	// bounce
}

func ExampleDecodeHeader() {
	fmt.Println(inbound.DecodeHeader("=?UTF-8?Q?R=C3=A9p._:_[a74e22bb]?= =?ISO-8859-1?Q?Contr=F4le?="))
	fmt.Println(inbound.DecodeHeader("R\xe9ponse")) // raw 8-bit, not UTF-8: read as Windows-1252
	// Output:
	// Rép. : [a74e22bb]Contrôle
	// Réponse
}

func ExampleParseWith() {
	big := "Subject: big\r\n\r\n" + strings.Repeat("x", 2000)
	_, err := inbound.ParseWith(strings.NewReader(big), &inbound.Options{MaxSize: 1000})
	var se *inbound.SizeError
	fmt.Println(errors.As(err, &se), errors.Is(err, inbound.ErrTooLarge), se.Limit)

	m, _ := inbound.ParseWith(strings.NewReader(exampleReply), &inbound.Options{EnvelopeFrom: "bounces@garage.example"})
	fmt.Println(m.From) // the SMTP envelope, when the caller knows it
	// Output:
	// true true 1000
	// bounces@garage.example
}

func ExampleParseContext() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a caller that gave up
	_, err := inbound.ParseContext(ctx, strings.NewReader(exampleReply), nil)
	fmt.Println(errors.Is(err, context.Canceled))
	// Output: true
}

func ExampleParseBytes() {
	data := []byte("From: a@example.com\r\nSubject: hi\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nCaf\xe9\r\n")
	m, err := inbound.ParseBytes(context.Background(), data, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := m.Content.Text()
	fmt.Printf("%s %q\n", m.Subject(), text)
	h := mail.Header(m.Header)
	fmt.Println(h.Get("From"))
	// Output:
	// hi "Café\n"
	// a@example.com
}
