package mailer

import (
	"bufio"
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/mailer/mailtest"
)

// pipeliningServer is a raw SMTP server offering PIPELINING that answers
// nothing of a transaction until it has read MAIL, every RCPT and DATA:
// a client that waits for MAIL's reply before the next command stalls.
// rcptCodes answers the RCPTs in turn. It serves one connection and sends
// what it read, line by line, on the returned channel.
func pipeliningServer(t *testing.T, rcptCodes ...int) (port int, heard <-chan []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan []string, 1)
	go func() {
		var lines []string
		defer func() { ch <- lines }()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(c)
		say := func(s string) { c.Write([]byte(s + "\r\n")) }
		// read reads one line; the connection's end or an error ends
		// the server.
		read := func() string {
			l, err := r.ReadString('\n')
			if err != nil {
				runtime.Goexit()
			}
			l = strings.TrimRight(l, "\r\n")
			lines = append(lines, l)
			return l
		}
		say("220 pipe.test ESMTP")
		read() // EHLO
		say("250-pipe.test\r\n250-PIPELINING\r\n250 8BITMIME")
		var group []string
		for !strings.HasPrefix(read(), "DATA") {
			group = append(group, lines[len(lines)-1])
		}
		// Every command of the group came before any reply.
		say("250 2.1.0 sender ok")
		accepted := 0
		for i := range group[1:] {
			code := 250
			if i < len(rcptCodes) {
				code = rcptCodes[i]
			}
			if code == 250 {
				accepted++
				say("250 2.1.5 ok")
			} else {
				say("550 5.1.1 no such user")
			}
		}
		if accepted == 0 {
			say("554 5.5.1 no valid recipients")
			if strings.HasPrefix(read(), "RSET") {
				say("250 ok")
			}
			read() // QUIT
			say("221 bye")
			return
		}
		say("354 go ahead")
		for read() != "." {
		}
		say("250 2.0.0 queued")
		read() // QUIT
		say("221 bye")
	}()
	return ln.Addr().(*net.TCPAddr).Port, ch
}

func pipeTransport(port int) *transport {
	return newTransport(&SMTPConfig{Host: "127.0.0.1", Port: port, Security: SecurityNone,
		DialTimeout: 2 * time.Second, CommandTimeout: 2 * time.Second, DataTimeout: 2 * time.Second}, nil)
}

// TestTransport_pipelinesCommands: MAIL, both RCPTs and DATA leave before
// any reply is read, and the message arrives whole.
func TestTransport_pipelinesCommands(t *testing.T) {
	port, heard := pipeliningServer(t)
	tr := pipeTransport(port)
	if err := tr.send(context.Background(), "app@x.test", []string{"b@x.test", "c@x.test"}, []byte(testMsg)); err != nil {
		t.Fatalf("send() = %v", err)
	}
	tr.close()
	lines := <-heard
	want := []string{"MAIL FROM:<app@x.test> BODY=8BITMIME", "RCPT TO:<b@x.test>", "RCPT TO:<c@x.test>", "DATA"}
	if len(lines) < 5 || strings.Join(lines[1:5], "|") != strings.Join(want, "|") {
		t.Fatalf("server read %q, want EHLO then %q", lines, want)
	}
	body := strings.Join(lines[5:], "\r\n")
	if !strings.Contains(body, strings.TrimRight(strings.Split(testMsg, "\r\n")[0], "\r\n")) || !strings.Contains(body, "\r\n.") {
		t.Errorf("server read body %q", body)
	}
}

// TestTransport_pipelinedRcptRejected: one RCPT of a pipelined group
// refused: the message goes to the other, the error names the refused one.
func TestTransport_pipelinedRcptRejected(t *testing.T) {
	port, heard := pipeliningServer(t, 250, 550)
	tr := pipeTransport(port)
	err := tr.send(context.Background(), "app@x.test", []string{"b@x.test", "c@x.test"}, []byte(testMsg))
	se := asSendError(t, err)
	wantClass(t, err, ErrPermanent)
	if se.Op != OpRcpt || len(se.Rejected) != 1 || se.Rejected[0].Rcpt != "c@x.test" || se.Rejected[0].Code != 550 ||
		strings.Join(se.Accepted, ",") != "b@x.test" {
		t.Errorf("send() = %+v, want c@x.test refused (550), b@x.test accepted", se)
	}
	tr.close()
	<-heard
}

// TestTransport_pipelinedAllRcptsRejected: every RCPT of the group
// refused and DATA with them: RSET, nothing sent.
func TestTransport_pipelinedAllRcptsRejected(t *testing.T) {
	port, heard := pipeliningServer(t, 550, 550)
	tr := pipeTransport(port)
	err := tr.send(context.Background(), "app@x.test", []string{"b@x.test", "c@x.test"}, []byte(testMsg))
	se := asSendError(t, err)
	wantClass(t, err, ErrPermanent)
	if se.Op != OpRcpt || len(se.Rejected) != 2 || len(se.Accepted) != 0 {
		t.Errorf("send() = %+v, want both refused", se)
	}
	tr.close()
	lines := <-heard
	if !strings.Contains(strings.Join(lines, "|"), "|RSET|") {
		t.Errorf("server read %q, want an RSET after the refused DATA", lines)
	}
}

// TestTransport_pipelinedMailRejectedKeepsStep: a refused MAIL in a
// pipelined group; the replies to its RCPT and DATA are read, and the
// next message goes over the same connection.
func TestTransport_pipelinedMailRejectedKeepsStep(t *testing.T) {
	srv := mailtest.NewServer(t, mailtest.WithFault(mailtest.Fault{Stage: mailtest.StageMail, Code: 451, Times: 1}))
	tr, _ := testTransport(t, srv, nil)
	if err := send(tr, "b@x.test"); !errors.Is(err, ErrTransient) {
		t.Fatalf("first send() = %v, want ErrTransient", err)
	}
	if err := send(tr, "b@x.test"); err != nil {
		t.Fatalf("second send() = %v", err)
	}
	if st := srv.Stats(); st.Connections != 1 || st.Messages != 1 {
		t.Errorf("Stats() = %+v, want 1 connection, 1 message", st)
	}
}

// TestTransport_noPipelining: with NoPipelining the client waits for each
// reply, so the server that answers only whole groups never hears DATA.
func TestTransport_noPipelining(t *testing.T) {
	port, heard := pipeliningServer(t)
	tr := pipeTransport(port)
	tr.cfg.NoPipelining = true
	tr.cfg.CommandTimeout = 300 * time.Millisecond
	err := tr.send(context.Background(), "app@x.test", []string{"b@x.test"}, []byte(testMsg))
	if se := asSendError(t, err); se.Op != OpMail || !errors.Is(err, ErrTimeout) {
		t.Errorf("send() = %v, want MAIL's reply to time out", err)
	}
	tr.close()
	if lines := <-heard; len(lines) != 2 || lines[1] != "MAIL FROM:<app@x.test> BODY=8BITMIME" {
		t.Errorf("server read %q, want EHLO, MAIL and nothing more", lines)
	}
}
