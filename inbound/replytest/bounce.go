package replytest

import (
	"fmt"
	"strconv"
	"strings"
)

// BounceShape is the form of a bounce built by [Bounce].
type BounceShape int

const (
	// DSN is an RFC 3464 delivery status notification as Postfix sends
	// it: multipart/report with a human part, message/delivery-status and
	// the whole original as message/rfc822 (the default).
	DSN BounceShape = iota
	// DSNHeaders is an RFC 3464 report that returns only the original's
	// header, as text/rfc822-headers (RFC 6522), as Gmail and Exchange do.
	DSNHeaders
	// AttachedOriginal is a bounce without RFC 3464: multipart/mixed with a
	// text and the original as message/rfc822, as Exim and some carriers
	// send it.
	AttachedOriginal
	// InlineOriginal is a plain-text bounce with the original copied after
	// "--- Below this line is a copy of the message.", as qmail sends it.
	InlineOriginal
)

// BounceShapes lists every BounceShape, for table tests.
var BounceShapes = []BounceShape{DSN, DSNHeaders, AttachedOriginal, InlineOriginal}

var bounceNames = map[BounceShape]string{DSN: "dsn", DSNHeaders: "dsn-headers", AttachedOriginal: "attached-original", InlineOriginal: "inline-original"}

// String returns the shape's name, such as "dsn-headers".
func (s BounceShape) String() string {
	if n, ok := bounceNames[s]; ok {
		return n
	}
	return "BounceShape(" + strconv.Itoa(int(s)) + ")"
}

func (s BounceShape) apply(c *config) { c.bounce = s }

// statusText is the reason a receiving server gives, by RFC 3463 status.
var statusText = map[string]string{
	"5.1.1": "Recipient address rejected: User unknown in virtual mailbox table",
	"5.1.2": "Host or domain name not found",
	"5.2.1": "Mailbox disabled, not accepting messages",
	"5.2.2": "Mailbox full",
	"4.2.2": "Mailbox full, try again later",
	"5.4.1": "Recipient address rejected: Access denied",
	"4.4.1": "Connection timed out",
	"4.7.1": "Greylisted, try again later",
	"5.7.1": "Message rejected as spam",
}

// Bounce builds the delivery failure report that the partner's mail server
// would send back for sent, for an RFC 3463 status such as "5.1.1" (user
// unknown; a 4.x.x status is a delay: "Action: delayed"). It goes to the
// original's From address with an empty Return-Path, for the original's
// first recipient. A [BounceShape] option picks the form (default DSN);
// [Date] sets the date. inbound.Trace reads every form as a bounce of the
// original's resource.
func Bounce(sent []byte, status string, opts ...Option) ([]byte, error) {
	c, ph, err := setup(opts)
	if err != nil {
		return nil, err
	}
	class, ok := statusClass(status)
	if !ok {
		return nil, fmt.Errorf("replytest: bounce status %q: want class.subject.detail with class 2, 4 or 5 (RFC 3463)", status)
	}
	o, err := readOriginal(sent)
	if err != nil {
		return nil, err
	}
	b := newBuilder(o, c, ph)
	r := newReport(b, o, status, class)
	m := &message{}
	m.add("Return-Path", "<>")
	m.add("Date", b.date.Format("Mon, 2 Jan 2006 15:04:05 -0700"))
	m.add("To", o.from.Address)
	m.add("Auto-Submitted", "auto-replied")
	switch c.bounce {
	case DSN:
		r.dsn(m)
	case DSNHeaders:
		r.dsnHeaders(m)
	case AttachedOriginal:
		r.attachedOriginal(m)
	default:
		r.inlineOriginal(m)
	}
	return m.bytes(), nil
}

// report holds what every form of a bounce says about one failure.
type report struct {
	rcpt, mta  string // the failed recipient and the reporting server
	diag       string // the server's reply: "550 5.1.1 <rcpt>: User unknown"
	delay      bool   // a 4.x.x status: still being retried
	action     string // "failed" or "delayed"
	subject    string
	status3464 string // the message/delivery-status body (RFC 3464)
	orig, head string // the original message, and its header block, LF-terminated
	bound, id  string // the MIME boundary and the report's Message-ID
}

func newReport(b *builder, o *original, status string, class byte) *report {
	r := &report{rcpt: b.email, mta: "mx." + b.partnerDomain(), delay: class == '4'}
	code := map[byte]string{'2': "250", '4': "450", '5': "550"}[class]
	reason := statusText[status]
	if reason == "" {
		reason = "Delivery failed"
	}
	r.diag = code + " " + status + " <" + r.rcpt + ">: " + reason
	r.action, r.subject = "failed", "Undelivered Mail Returned to Sender"
	if r.delay {
		r.action, r.subject = "delayed", "Delayed Mail (still being retried)"
	}
	r.orig = strings.TrimRight(strings.ReplaceAll(string(o.raw), "\r\n", "\n"), "\n") + "\n"
	r.head = strings.TrimRight(o.head, "\n") + "\n"
	r.status3464 = "Reporting-MTA: dns; " + r.mta + "\nArrival-Date: " + o.date.Format("Mon, 2 Jan 2006 15:04:05 -0700") + "\n\n" +
		"Final-Recipient: rfc822; " + r.rcpt + "\nOriginal-Recipient: rfc822;" + r.rcpt + "\nAction: " + r.action + "\nStatus: " + status +
		"\nRemote-MTA: dns; " + r.mta + "\nDiagnostic-Code: smtp; " + r.diag + "\n"
	r.bound = b.tok[:12] + "/" + r.mta
	r.id = "<" + b.tok[:20] + "@" + r.mta + ">"
	return r
}

// dsn writes Postfix's report: multipart/report with the whole original.
func (r *report) dsn(m *message) {
	m.add("From", "MAILER-DAEMON@"+r.mta+" (Mail Delivery System)")
	m.add("Subject", r.subject)
	m.add("Message-Id", r.id)
	m.add("MIME-Version", "1.0")
	m.add("Content-Type", "multipart/report; report-type=delivery-status;\n\tboundary=\""+r.bound+"\"")
	m.body = "This is a MIME-encapsulated message.\n\n" + multipart(r.bound,
		leaf{[]string{"Content-Description: Notification", "Content-Type: text/plain; charset=us-ascii"},
			"This is the mail system at host " + r.mta + ".\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<" + r.rcpt + ">: host " + r.mta + " said: " + r.diag + "\n"},
		leaf{[]string{"Content-Description: Delivery report", "Content-Type: message/delivery-status"}, r.status3464},
		leaf{[]string{"Content-Description: Undelivered Message", "Content-Type: message/rfc822"}, r.orig})
}

// dsnHeaders writes a report as Gmail and Exchange send it:
// multipart/report with the original's header only (text/rfc822-headers).
func (r *report) dsnHeaders(m *message) {
	m.add("From", "Mail Delivery Subsystem <mailer-daemon@"+r.mta+">")
	m.add("Subject", "Delivery Status Notification ("+map[bool]string{true: "Delay", false: "Failure"}[r.delay]+")")
	m.add("Message-ID", r.id)
	m.add("MIME-Version", "1.0")
	m.add("Content-Type", "multipart/report; report-type=delivery-status; boundary=\""+r.bound+"\"")
	m.body = multipart(r.bound,
		leaf{[]string{"Content-Type: text/plain; charset=UTF-8"}, "Your message wasn't delivered to " + r.rcpt + ".\n\nThe response from the remote server was:\n" + r.diag + "\n"},
		leaf{[]string{"Content-Type: message/delivery-status"}, r.status3464},
		leaf{[]string{"Content-Type: text/rfc822-headers"}, r.head})
}

// attachedOriginal writes a bounce as Exim sends it: multipart/mixed, no delivery
// status, the original attached.
func (r *report) attachedOriginal(m *message) {
	m.add("From", "Mail Delivery System <Mailer-Daemon@"+r.mta+">")
	m.add("Subject", "Mail delivery failed: returning message to sender")
	m.add("Message-Id", r.id)
	m.add("MIME-Version", "1.0")
	m.add("Content-Type", "multipart/mixed; boundary=\""+r.bound+"\"")
	m.body = multipart(r.bound,
		leaf{[]string{"Content-Type: text/plain; charset=us-ascii"}, "This message was created automatically by mail delivery software.\n\n" +
			"A message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  " +
			r.rcpt + "\n    " + r.diag + "\n"},
		leaf{[]string{"Content-Type: message/rfc822"}, r.orig})
}

// inlineOriginal writes a bounce as qmail sends it: plain text, the original copied
// below a marker line.
func (r *report) inlineOriginal(m *message) {
	m.add("From", "MAILER-DAEMON@"+r.mta)
	m.add("Subject", "failure notice")
	m.add("Message-ID", r.id)
	m.body = "Hi. This is the qmail-send program at " + r.mta + ".\nI'm afraid I wasn't able to deliver your message to the following addresses.\n" +
		"This is a permanent error; I've given up. Sorry it didn't work out.\n\n<" + r.rcpt + ">:\n" + r.diag + "\n\n" +
		"--- Below this line is a copy of the message.\n\n" + r.orig
}

// statusClass checks an RFC 3463 status code and returns its class.
func statusClass(s string) (byte, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || len(parts[0]) != 1 || !strings.Contains("245", parts[0]) {
		return 0, false
	}
	for _, p := range parts[1:] {
		if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 999 || len(p) > 3 {
			return 0, false
		}
	}
	return parts[0][0], true
}
