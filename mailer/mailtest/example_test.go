package mailtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

func Example() {
	// In a test, mailtest.NewServer(t) does this and closes it at the end.
	srv, err := mailtest.Listen("127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	msg := "From: app@example.test\r\nTo: ops@example.test\r\nSubject: Work order 42\r\n\r\nHello.\r\n"
	err = smtp.SendMail(srv.Addr(), nil, "app@example.test", []string{"ops@example.test"}, []byte(msg))
	if err != nil {
		panic(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := srv.WaitMessages(ctx, 1)
	if err != nil {
		panic(err)
	}
	m, _ := mail.ReadMessage(strings.NewReader(string(got[0].Data)))
	fmt.Println("from:", got[0].From)
	fmt.Println("to:", got[0].To)
	fmt.Println("subject:", m.Header.Get("Subject"))
	// Output:
	// from: app@example.test
	// to: [ops@example.test]
	// subject: Work order 42
}

func ExampleRejectRcptFor() {
	srv, err := mailtest.Listen("127.0.0.1:0", mailtest.RejectRcptFor("gone@example.test", 550))
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	err = smtp.SendMail(srv.Addr(), nil, "app@example.test", []string{"gone@example.test"}, []byte("Subject: x\r\n\r\nx\r\n"))
	var reply *textproto.Error
	if errors.As(err, &reply) {
		fmt.Println(reply.Code, reply.Msg)
	}
	fmt.Println("accepted:", len(srv.Messages()))
	// Output:
	// 550 5.1.1 mailtest: injected fault
	// accepted: 0
}

// A development sink: hand each message to a function instead of keeping it.
func ExampleOnMessage() {
	saved := make(chan mailtest.Message, 1)
	srv, err := mailtest.Listen("127.0.0.1:0",
		mailtest.DiscardMessages(),
		mailtest.OnMessage(func(m mailtest.Message) { saved <- m }), // e.g. write an .eml file
	)
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	err = smtp.SendMail(srv.Addr(), nil, "app@example.test", []string{"ops@example.test"}, []byte("Subject: hi\r\n\r\nhi\r\n"))
	if err != nil {
		panic(err)
	}
	m := <-saved
	fmt.Println(m.From, m.To, len(srv.Messages()), srv.Stats().Messages)
	// Output:
	// app@example.test [ops@example.test] 0 1
}
