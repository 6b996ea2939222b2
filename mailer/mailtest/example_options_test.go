package mailtest_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// exampleT stands for the *testing.T of a test in the examples below: it
// runs the cleanups NewServer registers when cleanup is called.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (*exampleT) Helper()                           {}
func (*exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (t *exampleT) Cleanup(f func())                { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// sendExample sends one small message to srv with net/smtp and prints the
// server's refusal, if any, as code and text.
func sendExample(srv *mailtest.Server, body string) {
	err := smtp.SendMail(srv.Addr(), nil, "app@example.test", []string{"ops@example.test"},
		[]byte("Subject: x\r\n\r\n"+body+"\r\n"))
	printReply(err)
}

func printReply(err error) {
	var reply *textproto.Error
	switch {
	case err == nil:
		fmt.Println("sent")
	case errors.As(err, &reply):
		fmt.Println(reply.Code, reply.Msg)
	default:
		fmt.Println("connection lost") // EOF, reset or broken pipe, by timing
	}
}

func ExampleNewServer() {
	t := &exampleT{} // in a test: the test's t, which closes the server at its end
	defer t.cleanup()
	srv := mailtest.NewServer(t, mailtest.RejectRcpt(451))
	sendExample(srv, "hello")
	// Output:
	// 451 4.3.0 mailtest: injected fault
}

func ExampleListen() {
	srv, err := mailtest.Listen("127.0.0.1:0") // outside tests: closed by Close
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	sendExample(srv, "hello")
	fmt.Println(len(srv.Messages()), strings.HasPrefix(srv.URL(), "smtp+insecure://127.0.0.1:"))
	// Output:
	// sent
	// 1 true
}

func ExampleRejectRcpt() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.RejectRcpt(550))
	defer srv.Close()
	sendExample(srv, "hello")
	// Output: 550 5.1.1 mailtest: injected fault
}

func ExampleRejectMail() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.RejectMail(421))
	defer srv.Close()
	sendExample(srv, "hello")
	// Output: 421 4.3.2 mailtest: injected fault
}

func ExampleRejectData() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.RejectData(554)) // after the whole message
	defer srv.Close()
	sendExample(srv, "hello")
	fmt.Println("accepted:", len(srv.Messages()))
	// Output:
	// 554 5.7.1 mailtest: injected fault
	// accepted: 0
}

func ExampleRejectDataCommand() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.RejectDataCommand(452)) // the DATA command itself
	defer srv.Close()
	sendExample(srv, "hello")
	// Output: 452 4.5.3 mailtest: injected fault
}

func ExampleRejectGreeting() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.RejectGreeting(421))
	defer srv.Close()
	sendExample(srv, "hello")
	// Output: 421 4.3.2 mailtest: injected fault
}

func ExampleWithFault() {
	// Refuse the first two attempts with a 451, then accept.
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.WithFault(mailtest.Fault{
		Stage: mailtest.StageRcpt, Code: 451, Text: "try later", Times: 2}))
	defer srv.Close()
	for range 3 {
		sendExample(srv, "hello")
	}
	// Output:
	// 451 4.3.0 try later
	// 451 4.3.0 try later
	// sent
}

func ExampleDropAfterData() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.DropAfterData())
	defer srv.Close()
	sendExample(srv, "hello")
	// The server kept the message but never said so: the client cannot
	// know, the case a sender must not resend blindly.
	fmt.Println("accepted:", len(srv.Messages()))
	// Output:
	// connection lost
	// accepted: 1
}

func ExampleDropMidData() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.DropMidData(1000))
	defer srv.Close()
	sendExample(srv, strings.Repeat("a line of the body\r\n", 1<<20)) // about 20 MB: still writing when dropped
	fmt.Println("accepted:", len(srv.Messages()))
	// Output:
	// connection lost
	// accepted: 0
}

func ExampleStallAt() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.StallAt(mailtest.StageGreeting))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond)) // a client's command timeout
	_, err = conn.Read(make([]byte, 1))
	var ne net.Error
	fmt.Println("timed out:", errors.As(err, &ne) && ne.Timeout())
	// Output: timed out: true
}

func ExampleIdleTimeout() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.IdleTimeout(50*time.Millisecond))
	defer srv.Close()
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	time.Sleep(500 * time.Millisecond) // idle well past the timeout
	fmt.Println("closed:", c.Noop() != nil)
	// Output: closed: true
}

func ExampleMaxMessageBytes() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.MaxMessageBytes(1000))
	defer srv.Close()
	sendExample(srv, strings.Repeat("a line of the body\r\n", 100))
	sendExample(srv, "small")
	// Output:
	// 552 5.3.4 Message too big
	// sent
}

func ExampleDiscardMessages() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.DiscardMessages())
	defer srv.Close()
	sendExample(srv, "hello")
	fmt.Println(len(srv.Messages()), srv.Stats().Messages)
	// Output:
	// sent
	// 0 1
}

func ExampleRequireAuth() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.RequireAuth("app", "secret"))
	defer srv.Close()
	sendExample(srv, "no auth")
	for _, pass := range []string{"wrong", "secret"} {
		auth := smtp.PlainAuth("", "app", pass, "127.0.0.1") // net/smtp allows PLAIN without TLS on loopback only
		printReply(smtp.SendMail(srv.Addr(), auth, "app@example.test", []string{"ops@example.test"}, []byte("Subject: x\r\n\r\nx\r\n")))
	}
	// Output:
	// 530 5.7.0 Authentication required
	// 535 5.7.8 Authentication failed
	// sent
}

func ExampleStartTLS() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.StartTLS())
	defer srv.Close()
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	ok, _ := c.Extension("STARTTLS")
	fmt.Println("offers STARTTLS:", ok)
	cfg := srv.ClientTLSConfig() // trusts the server's self-signed certificate
	cfg.ServerName = "127.0.0.1"
	fmt.Println("upgrade:", c.StartTLS(cfg))
	state, _ := c.TLSConnectionState()
	fmt.Println("TLS:", state.HandshakeComplete)
	// Output:
	// offers STARTTLS: true
	// upgrade: <nil>
	// TLS: true
}

func ExampleRequireTLS() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.RequireTLS())
	defer srv.Close()
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	printReply(c.Mail("app@example.test"))
	// Output: 530 5.7.0 Must issue a STARTTLS command first
}

func ExampleImplicitTLS() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.ImplicitTLS())
	defer srv.Close()
	conn, err := tls.Dial("tcp", srv.Addr(), srv.ClientTLSConfig())
	if err != nil {
		panic(err)
	}
	c, err := smtp.NewClient(conn, "127.0.0.1")
	if err != nil {
		panic(err)
	}
	defer c.Close()
	fmt.Println(strings.HasPrefix(srv.URL(), "smtps://"), c.Noop())
	// Output: true <nil>
}

func ExampleDeliver() {
	// A sink that stores each message before answering: a failed store is
	// a 451, so the client keeps the message and retries.
	stored := 0
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.Deliver(func(m mailtest.Message) error {
		if strings.Contains(string(m.Data), "disk full") {
			return errors.New("no space left on device")
		}
		stored++
		return nil
	}))
	defer srv.Close()
	sendExample(srv, "hello")
	sendExample(srv, "disk full")
	fmt.Println("stored:", stored)
	// Output:
	// sent
	// 451 4.3.0 Message could not be stored, try again later
	// stored: 1
}

func ExampleMaxConnections() {
	srv, _ := mailtest.Listen("127.0.0.1:0", mailtest.MaxConnections(1))
	defer srv.Close()
	first, err := smtp.Dial(srv.Addr())
	if err != nil {
		panic(err)
	}
	defer first.Close()
	_, err = smtp.Dial(srv.Addr()) // while the first is open
	printReply(err)
	// Output: 421 4.7.0 Too many connections, try again later
}
