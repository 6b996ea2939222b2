package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mailtrail/mailtrail/identity"
)

// e2eReply injects, through Postfix, a partner's reply to a fresh resource
// for the application, and returns the resource and the reply's Message-ID.
func e2eReply(t *testing.T, cfg e2eConfig, app identity.App) (resource, msgID string) {
	t.Helper()
	resource = identity.New()
	to, err := app.ReplyTo(resource)
	if err != nil {
		t.Fatal(err)
	}
	msgID = fmt.Sprintf("<e2e-cli-%s@partner.%s>", resource, cfg.domain)
	msg := fmt.Sprintf("From: Partner <partner@%s>\r\nTo: %s\r\nSubject: Re: check %s\r\nMessage-ID: %s\r\n"+
		"Date: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nChecked.\r\n",
		cfg.domain, to, resource[:8], msgID, time.Now().Format(time.RFC1123Z))
	e2eSMTP(t, cfg.smtpAddr, "partner@"+cfg.domain, to, []byte(msg))
	return resource, msgID
}

// e2eLine returns the outcome field of the line of stdout about resource.
func e2eLine(t *testing.T, stdout, resource string) []string {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if f := strings.Split(l, "\t"); len(f) >= 5 && f[3] == resource {
			return f
		}
	}
	t.Fatalf("no line for resource %s in:\n%s", resource, stdout)
	return nil
}

// TestE2E_inboxCLI runs "mailtrail inbox" against Dovecot the way an
// operator does: --exec deciding the outcome, --watch woken by IDLE, and a
// wrong password.
func TestE2E_inboxCLI(t *testing.T) {
	cfg := e2eSetup(t)
	app := identity.App{Name: "app", Domain: cfg.domain}
	appBox := e2eIMAP(t, cfg.appIMAP)
	e2eEmpty(t, appBox, "INBOX")

	t.Run("--exec exit status decides", func(t *testing.T) {
		resOK, idOK := e2eReply(t, cfg, app)
		resBad, idBad := e2eReply(t, cfg, app)
		e2eWait(t, appBox, "INBOX", "Message-Id", idOK)
		e2eWait(t, appBox, "INBOX", "Message-Id", idBad)
		// The command reads the message as JSON on stdin and accepts only
		// the first resource.
		code, stdout, stderr := e2eRun(t, "inbox", "--imap", cfg.appIMAP, "--from", app.String(),
			"--exec", `grep -q '"resource": *"`+resOK+`"'`)
		if code != 0 {
			t.Fatalf("mailtrail inbox --exec exited %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
		if f := e2eLine(t, stdout, resOK); f[4] != "processed" {
			t.Errorf("accepted message: outcome %q, want processed", f[4])
		}
		if f := e2eLine(t, stdout, resBad); f[4] != "failed" || len(f) < 6 || !strings.Contains(f[5], "exit status 1") {
			t.Errorf("refused message: line %q, want failed with the exit status", f)
		}
		e2eWait(t, appBox, "processed", "Message-Id", idOK)
		e2eWait(t, appBox, "failed", "Message-Id", idBad)
	})

	t.Run("--watch is woken by IDLE", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		stdout := &syncBuffer{onLine: cancel} // stop after the first message
		stderr := &sinkBuffer{}
		idling := &e2eLogWatch{word: "imap: idling", seen: make(chan struct{}, 1)}
		e := &env{stdin: strings.NewReader(""), stdout: stdout, stderr: io.MultiWriter(stderr, idling),
			getenv: func(string) string { return "" }}
		done := make(chan int, 1)
		// --interval is long so that only IDLE can bring the message in
		// before the deadline.
		go func() {
			done <- run(ctx, e, []string{"inbox", "--imap", cfg.appIMAP, "--from", app.String(),
				"--watch", "--interval", "1h", "-v"})
		}()
		select {
		case <-idling.seen:
		case code := <-done:
			t.Fatalf("mailtrail inbox --watch exited %d before idling\nstderr: %s", code, stderr)
		}
		res, id := e2eReply(t, cfg, app)
		code := <-done
		if ctx.Err() == context.DeadlineExceeded {
			t.Fatalf("mailtrail inbox --watch did not take the message (IDLE never woke?)\nstderr: %s", stderr)
		}
		if code != 0 {
			t.Errorf("mailtrail inbox --watch after Ctrl-C exited %d, want 0\nstderr: %s", code, stderr)
		}
		if f := e2eLine(t, stdout.String(), res); f[4] != "processed" {
			t.Errorf("outcome %q, want processed", f[4])
		}
		e2eWait(t, appBox, "processed", "Message-Id", id)
	})

	t.Run("wrong password", func(t *testing.T) {
		const wrong = "Wr0ngPassw0rd"
		u := strings.Replace(cfg.appIMAP, ":secret@", ":"+wrong+"@", 1)
		if u == cfg.appIMAP {
			t.Skipf("MAILTRAIL_E2E_IMAP_APP %s has no password secret to replace", cfg.appIMAP)
		}
		code, stdout, stderr := e2eRun(t, "inbox", "--imap", u, "--from", app.String())
		if code != 1 || !strings.Contains(stderr, "login refused") {
			t.Errorf("mailtrail inbox with a wrong password: exit %d, stderr %q; want exit 1 saying the login was refused", code, stderr)
		}
		if strings.Contains(stdout+stderr, wrong) {
			t.Errorf("output shows the password:\n%s%s", stdout, stderr)
		}
	})
}
