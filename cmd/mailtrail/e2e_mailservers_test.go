package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/mailtrail/mailtrail/identity"
	mtimap "github.com/mailtrail/mailtrail/inbound/imap"
)

// The end-to-end test runs against the Postfix and Dovecot that
// .ci/mailservers.sh starts:
//
//	sudo .ci/mailservers.sh start
//	MAILTRAIL_E2E_MAILSERVERS=1 go test ./cmd/mailtrail -run E2E -v
//	sudo .ci/mailservers.sh stop
//
// The addresses can be changed with the variables that
// ".ci/mailservers.sh env" prints.

const e2eEnv = "MAILTRAIL_E2E_MAILSERVERS"

type e2eConfig struct {
	smtpURL    string // for mailtrail send
	smtpAddr   string // host:port, for injecting replies
	appIMAP    string
	partnerIMA string
	domain     string
}

func e2eSetup(t *testing.T) e2eConfig {
	t.Helper()
	if os.Getenv(e2eEnv) != "1" {
		t.Skipf("end-to-end test with Postfix and Dovecot skipped: start them with "+
			"`sudo .ci/mailservers.sh start` and set %s=1", e2eEnv)
	}
	get := func(name, def string) string {
		if v := os.Getenv(name); v != "" {
			return v
		}
		return def
	}
	c := e2eConfig{
		smtpURL:    get("MAILTRAIL_E2E_SMTP", "smtp+insecure://127.0.0.1:2525"),
		appIMAP:    get("MAILTRAIL_E2E_IMAP_APP", "imap+insecure://app:secret@127.0.0.1:1143"),
		partnerIMA: get("MAILTRAIL_E2E_IMAP_PARTNER", "imap+insecure://partner:secret@127.0.0.1:1143"),
		domain:     get("MAILTRAIL_E2E_DOMAIN", "example.test"),
	}
	u, err := url.Parse(c.smtpURL)
	if err != nil {
		t.Fatalf("MAILTRAIL_E2E_SMTP: %v", err)
	}
	c.smtpAddr = u.Host
	// The variable says the servers are up; if they do not answer, that is
	// a failure, not a reason to skip (CI would pass without the test).
	for _, raw := range []string{c.smtpURL, c.appIMAP} {
		u, _ := url.Parse(raw)
		conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
		if err != nil {
			t.Fatalf("%s=1 but %s does not answer (%v): run `sudo .ci/mailservers.sh start`", e2eEnv, u.Host, err)
		}
		conn.Close()
	}
	return c
}

// e2eIMAP logs in to a Dovecot mailbox given by an imap+insecure:// URL.
func e2eIMAP(t *testing.T, raw string) *imapclient.Client {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	c, err := imapclient.DialInsecure(u.Host, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", u.Host, err)
	}
	pass, _ := u.User.Password()
	if err := c.Login(u.User.Username(), pass).Wait(); err != nil {
		c.Close()
		t.Fatalf("login %s: %v", u.User.Username(), err)
	}
	t.Cleanup(func() { c.Logout().Wait(); c.Close() })
	return c
}

// e2eMessages returns the messages of mailbox, or nil when it does not exist.
func e2eMessages(t *testing.T, c *imapclient.Client, mailbox string) [][]byte {
	t.Helper()
	if _, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return nil
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted}}, nil).Wait()
	if err != nil {
		t.Fatalf("search %s: %v", mailbox, err)
	}
	uids := found.AllUIDs()
	if len(uids) == 0 {
		return nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true,
		BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		t.Fatalf("fetch %s: %v", mailbox, err)
	}
	var out [][]byte
	for _, m := range msgs {
		out = append(out, m.FindBodySection(section))
	}
	return out
}

// e2eWait waits until mailbox holds a message whose header field name
// contains want, and returns it. Delivery through Postfix is asynchronous;
// this waits for it, it does not time it.
func e2eWait(t *testing.T, c *imapclient.Client, mailbox, name, want string) *mail.Message {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		for _, raw := range e2eMessages(t, c, mailbox) {
			m, err := mail.ReadMessage(bytes.NewReader(raw))
			if err == nil && strings.Contains(m.Header.Get(name), want) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message with %s: %s arrived in %s (see /var/log/mailtrail-e2e/postfix.log)", name, want, mailbox)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// e2eEmpty removes every message from the app's mailboxes, so that earlier
// runs do not disturb this one.
func e2eEmpty(t *testing.T, c *imapclient.Client, mailboxes ...string) {
	t.Helper()
	for _, mb := range mailboxes {
		if _, err := c.Select(mb, nil).Wait(); err != nil {
			continue
		}
		found, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
		if err != nil || len(found.AllUIDs()) == 0 {
			continue
		}
		set := imap.UIDSetNum(found.AllUIDs()...)
		if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true,
			Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			t.Fatalf("empty %s: %v", mb, err)
		}
		if err := c.UIDExpunge(set).Close(); err != nil {
			t.Fatalf("empty %s: %v", mb, err)
		}
	}
}

// e2eSMTP injects msg as a mail client's submission would, in plain text
// (loopback; Postfix may offer STARTTLS with a certificate for no name).
func e2eSMTP(t *testing.T, addr, from, to string, msg []byte) {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatalf("inject: dial %s: %v", addr, err)
	}
	defer c.Close()
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("inject a message for %s via %s: %s: %v", to, addr, what, err)
		}
	}
	step("EHLO", c.Hello("partner.example.test"))
	step("MAIL", c.Mail(from))
	step("RCPT", c.Rcpt(to))
	w, err := c.Data()
	step("DATA", err)
	_, err = w.Write(msg)
	step("DATA", err)
	step("end of DATA", w.Close())
	step("QUIT", c.Quit())
}

func e2eRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code = run(ctx, e, args)
	return code, out.String(), errb.String()
}

func TestE2E_mailservers(t *testing.T) {
	cfg := e2eSetup(t)
	app := identity.App{Name: "app", Domain: cfg.domain}
	appAddr := app.String()
	partnerAddr := "partner@" + cfg.domain
	resource := identity.New()
	tag := fmt.Sprintf("%d", time.Now().UnixNano())

	appBox := e2eIMAP(t, cfg.appIMAP)
	partnerBox := e2eIMAP(t, cfg.partnerIMA)
	e2eEmpty(t, appBox, "INBOX", "processed", "failed")

	// 1. mailtrail send, through Postfix, to the partner.
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "vehicle-check.md")
	data := filepath.Join(dir, "data.json")
	os.WriteFile(tmpl, []byte("---\nsubject: Vehicle check "+tag+"\n---\nHello {{name}},\n\nplease check plate **{{plate}}**.\n"), 0o644)
	os.WriteFile(data, []byte(`{"name": "Partner", "plate": "AB-123-CD"}`), 0o644)
	code, stdout, stderr := e2eRun(t, "send", "--template", tmpl, "--data", data,
		"--from", appAddr, "--to", partnerAddr, "--resource", resource, "--smtp", cfg.smtpURL)
	if code != 0 {
		t.Fatalf("mailtrail send exited %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}

	// 2. Postfix delivered it to the partner's Maildir; Dovecot serves it.
	sent := e2eWait(t, partnerBox, "INBOX", "Subject", "Vehicle check "+tag)
	replyTo := sent.Header.Get("Reply-To")
	if !strings.Contains(strings.ToLower(replyTo), "app+") {
		t.Fatalf("delivered message has Reply-To %q, want our plus address", replyTo)
	}
	origID := sent.Header.Get("Message-Id")

	// 3. The partner replies, as a mail client would: to the Reply-To, in
	// the thread; the reply is injected through Postfix for the app.
	replyAddr, err := mail.ParseAddress(replyTo)
	if err != nil {
		t.Fatalf("Reply-To %q: %v", replyTo, err)
	}
	replyID := fmt.Sprintf("<e2e-reply-%s@partner.%s>", tag, cfg.domain)
	reply := fmt.Sprintf("From: Partner <%s>\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: %s\r\n"+
		"In-Reply-To: %s\r\nReferences: %s %s\r\nDate: %s\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\nChecked, all good.\r\n\r\n"+
		"On a day, app wrote:\r\n> Hello Partner,\r\n",
		partnerAddr, replyAddr.Address, sent.Header.Get("Subject"), replyID,
		origID, sent.Header.Get("References"), origID, time.Now().Format(time.RFC1123Z))
	e2eSMTP(t, cfg.smtpAddr, partnerAddr, replyAddr.Address, []byte(reply))

	// A malformed message: broken header fields, no identifier anywhere.
	junkID := fmt.Sprintf("<e2e-junk-%s@partner.%s>", tag, cfg.domain)
	junk := fmt.Sprintf("From: \r\nTo: undisclosed-recipients:;\r\nSubject: =?bogus?Q?=ZZ?=\r\n"+
		"Message-ID: %s\r\nContent-Type: multipart/mixed; boundary=\"nowhere\"\r\n\r\nno boundary at all\r\n", junkID)
	e2eSMTP(t, cfg.smtpAddr, partnerAddr, appAddr, []byte(junk))

	e2eWait(t, appBox, "INBOX", "Message-Id", replyID)
	e2eWait(t, appBox, "INBOX", "Message-Id", junkID)

	// 4. mailtrail inbox takes both from Dovecot and files them.
	code, stdout, stderr = e2eRun(t, "inbox", "--imap", cfg.appIMAP, "--from", appAddr)
	if code != 0 {
		t.Fatalf("mailtrail inbox exited %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	t.Logf("mailtrail inbox:\n%s%s", stdout, stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("mailtrail inbox printed %d lines, want 2:\n%s", len(lines), stdout)
	}
	var sawReply, sawJunk bool
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) < 5 {
			t.Fatalf("line %q: want UID, from, subject, resource, outcome", l)
		}
		switch {
		case f[3] == resource:
			sawReply = true
			if f[4] != "processed" {
				t.Errorf("reply: outcome %q, want processed (line %q)", f[4], l)
			}
		case f[3] == "-":
			sawJunk = true
			if f[4] != "failed" {
				t.Errorf("malformed message: outcome %q, want failed (line %q)", f[4], l)
			}
		default:
			t.Errorf("line %q: traced to %q, want %s or none", l, f[3], resource)
		}
	}
	if !sawReply || !sawJunk {
		t.Errorf("want one line for the reply (resource %s) and one for the malformed message:\n%s", resource, stdout)
	}

	// 5. Dovecot shows where they went.
	e2eWait(t, appBox, "processed", "Message-Id", replyID)
	e2eWait(t, appBox, "failed", "Message-Id", junkID)
	if left := e2eMessages(t, appBox, "INBOX"); len(left) != 0 {
		t.Errorf("INBOX still holds %d messages, want 0", len(left))
	}
}

// e2eLogWatch is a log sink that signals each line containing a word.
type e2eLogWatch struct {
	word string
	seen chan struct{}
}

func (w *e2eLogWatch) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(w.word)) {
		select {
		case w.seen <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// TestE2E_dovecot runs the Poller itself against Dovecot: TLS both ways,
// both move modes, the errors a real server gives, and IDLE.
func TestE2E_dovecot(t *testing.T) {
	cfg := e2eSetup(t)
	imapsURL := os.Getenv("MAILTRAIL_E2E_IMAPS_APP")
	startTLSURL := os.Getenv("MAILTRAIL_E2E_STARTTLS_APP")
	caFile := os.Getenv("MAILTRAIL_E2E_CA")
	if imapsURL == "" {
		imapsURL = "imaps://app:secret@127.0.0.1:1993"
	}
	if startTLSURL == "" {
		startTLSURL = "imap://app:secret@127.0.0.1:1143"
	}
	if caFile == "" {
		caFile = "/etc/mailtrail-e2e/tls.crt"
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatalf("the servers' certificate: %v (see .ci/mailservers.sh)", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", caFile)
	}
	trusted := &tls.Config{RootCAs: roots}
	app := identity.App{Name: "app", Domain: cfg.domain}
	appBox := e2eIMAP(t, cfg.appIMAP)

	// deliver sends a reply for a fresh resource through Postfix, waits for
	// Dovecot to have it, and returns the resource.
	deliver := func(t *testing.T) string {
		t.Helper()
		res := identity.New()
		to, err := app.ReplyTo(res)
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("<e2e-%s@partner.%s>", res, cfg.domain)
		msg := fmt.Sprintf("From: partner@%s\r\nTo: %s\r\nSubject: Re: check\r\nMessage-ID: %s\r\n\r\nok\r\n", cfg.domain, to, id)
		e2eSMTP(t, cfg.smtpAddr, "partner@"+cfg.domain, to, []byte(msg))
		e2eWait(t, appBox, "INBOX", "Message-Id", id)
		return res
	}
	pollOne := func(t *testing.T, p *mtimap.Poller, want string) {
		t.Helper()
		var got []string
		p.App = app
		p.Filed = func(m *mtimap.Mail) {
			if m.Trace != nil && m.Outcome == mtimap.OutcomeProcessed {
				got = append(got, m.Trace.Resource)
			}
		}
		if err := p.Poll(context.Background(), func(context.Context, *mtimap.Mail) error { return nil }); err != nil {
			t.Fatalf("Poll() = %v", err)
		}
		if len(got) != 1 || got[0] != want {
			t.Fatalf("processed %q, want [%s]", got, want)
		}
	}

	e2eEmpty(t, appBox, "INBOX")
	t.Run("imaps with UID MOVE", func(t *testing.T) {
		res := deliver(t)
		pollOne(t, &mtimap.Poller{URL: imapsURL, TLSConfig: trusted}, res)
	})
	t.Run("STARTTLS with copy and delete", func(t *testing.T) {
		res := deliver(t)
		pollOne(t, &mtimap.Poller{URL: startTLSURL, TLSConfig: trusted, MoveMode: mtimap.MoveCopyDelete}, res)
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		p := &mtimap.Poller{URL: imapsURL}
		err := p.Poll(context.Background(), func(context.Context, *mtimap.Mail) error { return nil })
		if !errors.Is(err, mtimap.ErrTLS) {
			t.Fatalf("Poll() = %v, want ErrTLS", err)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		p := &mtimap.Poller{URL: strings.Replace(imapsURL, ":secret@", ":wrong@", 1), TLSConfig: trusted}
		err := p.Poll(context.Background(), func(context.Context, *mtimap.Mail) error { return nil })
		if !errors.Is(err, mtimap.ErrAuth) || strings.Contains(err.Error(), "wrong") {
			t.Fatalf("Poll() = %v, want ErrAuth without the password", err)
		}
	})
	t.Run("Watch wakes up with IDLE", func(t *testing.T) {
		idling := &e2eLogWatch{word: "imap: idling", seen: make(chan struct{}, 1)}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var got string
		p := &mtimap.Poller{
			URL: imapsURL, TLSConfig: trusted, App: app,
			IdleRecheck: time.Hour, // only IDLE can bring the message in time
			Logger:      slog.New(slog.NewTextHandler(idling, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Filed: func(m *mtimap.Mail) {
				if m.Trace != nil {
					got = m.Trace.Resource
				}
				cancel()
			},
		}
		done := make(chan error, 1)
		go func() { done <- p.Watch(ctx, func(context.Context, *mtimap.Mail) error { return nil }) }()
		select {
		case <-idling.seen:
		case err := <-done:
			t.Fatalf("Watch() = %v before idling", err)
		}
		res := deliver(t)
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Watch() = %v, want context.Canceled after the message (IDLE never woke?)", err)
		}
		if got != res {
			t.Errorf("Watch processed %q, want %s", got, res)
		}
	})
}
