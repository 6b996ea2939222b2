package mailer

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/emersion/go-smtp"
)

// Classes of send failure. A *SendError matches exactly one of ErrTransient,
// ErrPermanent and ErrUnknownOutcome with errors.Is, and may match any of
// ErrTimeout, ErrTLS and ErrAuth besides, which say what went wrong.
var (
	// ErrTransient marks a failure worth retrying later: a 4xx reply, a
	// refused or dropped connection, a timeout before the end of the
	// message, and a RCPT answered 552 (RFC 5321 §4.5.3.1.10 asks clients
	// to treat that as 452, "too many recipients").
	ErrTransient = errors.New("mailer: temporary failure")

	// ErrPermanent marks a failure that the same message will meet again:
	// a 5xx reply, a certificate that does not verify, a server that does
	// not offer a required extension.
	ErrPermanent = errors.New("mailer: permanent failure")

	// ErrUnknownOutcome marks a message whose final "." was sent but whose
	// reply never came (timeout, reset, ctx cancelled). The server may
	// have queued it. It is neither transient nor permanent: retrying may
	// deliver it twice, so a caller decides, ideally with the same
	// Message-ID so that receivers can spot the duplicate.
	ErrUnknownOutcome = errors.New("mailer: outcome unknown")

	// ErrTimeout marks a failure caused by a dial, command or data timeout.
	ErrTimeout = errors.New("mailer: timeout")

	// ErrTLS marks a TLS failure: a handshake or certificate error, or a
	// server that does not offer STARTTLS when it is required. The
	// transport never falls back to plaintext and sends no AUTH then.
	ErrTLS = errors.New("mailer: tls failure")

	// ErrAuth marks a refused SMTP authentication (typically 535 5.7.8),
	// or a server that offers no usable mechanism. It is permanent: the
	// same credentials fail again. Its text never holds the password.
	ErrAuth = errors.New("mailer: authentication failed")
)

// Operations named in SendError.Op: the step of the SMTP session that failed.
const (
	OpDial     = "dial"     // TCP connection
	OpTLS      = "tls"      // TLS handshake (implicit TLS or after STARTTLS)
	OpGreeting = "greeting" // the server's 220 banner
	OpHello    = "ehlo"     // EHLO / HELO
	OpStartTLS = "starttls" // the STARTTLS command or its absence
	OpAuth     = "auth"     // AUTH
	OpMail     = "mail"     // MAIL FROM
	OpRcpt     = "rcpt"     // RCPT TO
	OpData     = "data"     // DATA, the body, and the reply to the final "."
	OpReset    = "rset"     // RSET
	OpQuit     = "quit"     // QUIT
)

// sendClass is the retry class of a SendError.
type sendClass int

const (
	sendTransient sendClass = iota
	sendPermanent
	sendUnknown
)

// SendError describes a failed or partly failed SMTP send. It carries the
// server's reply when there was one. Use errors.As to get it and errors.Is
// with ErrTransient, ErrPermanent, ErrUnknownOutcome, ErrTimeout, ErrTLS or
// ErrAuth to branch on it; never match its text.
//
// A partial delivery is a SendError too: Op is OpRcpt, Accepted lists the
// recipients the server took the message for (it answered 250 after DATA)
// and Rejected the others. Retrying such a message must address only the
// rejected recipients whose RcptError.Temporary is true, or it is delivered
// twice to the accepted ones.
type SendError struct {
	Op       string      // the failed step, one of the Op constants
	Code     int         // the SMTP reply code, 0 when there was no reply
	Enhanced string      // the RFC 3463 enhanced status code, as "5.1.1", or ""
	Msg      string      // the server's reply text
	Rcpt     string      // the recipient concerned, for a single RCPT failure
	Rejected []RcptError // every recipient refused at RCPT, in order
	Accepted []string    // recipients that got the message in a partial delivery
	Err      error       // the underlying cause (network, TLS, context), or nil

	class sendClass
}

// RcptError is the server's refusal of one recipient at RCPT TO.
type RcptError struct {
	Rcpt     string // the address as sent
	Code     int    // the SMTP reply code
	Enhanced string // the enhanced status code, or ""
	Msg      string // the server's reply text
}

// Temporary reports whether the refusal may succeed later: a 4xx code, or
// 552, which RFC 5321 §4.5.3.1.10 says to treat as 452 at RCPT.
func (r RcptError) Temporary() bool {
	return classifyReply(OpRcpt, r.Code) == sendTransient
}

// Error returns the refusal as "<rcpt>: 550 5.1.1 text".
func (r RcptError) Error() string {
	return fmt.Sprintf("<%s>: %s", r.Rcpt, smtpReplyText(r.Code, r.Enhanced, r.Msg))
}

// Error returns a one-line description such as
// "mailer: rcpt <b@x.test>: 550 5.1.1 no such user".
func (e *SendError) Error() string {
	var b strings.Builder
	b.WriteString("mailer: ")
	b.WriteString(e.Op)
	if e.Rcpt != "" {
		fmt.Fprintf(&b, " <%s>", e.Rcpt)
	}
	switch {
	case e.Op == OpRcpt && e.Rcpt == "" && len(e.Rejected) > 0:
		total := len(e.Rejected) + len(e.Accepted)
		fmt.Fprintf(&b, ": %d of %d recipients rejected", len(e.Rejected), total)
		for i, r := range e.Rejected {
			if i == 0 {
				b.WriteString(": ")
			} else {
				b.WriteString("; ")
			}
			b.WriteString(r.Error())
		}
	case e.Code != 0:
		b.WriteString(": ")
		b.WriteString(smtpReplyText(e.Code, e.Enhanced, e.Msg))
	}
	if e.class == sendUnknown {
		b.WriteString(": outcome unknown, the server may have accepted the message")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause, so that errors.Is(err,
// context.Canceled) or errors.As(err, *x509.UnknownAuthorityError) work.
func (e *SendError) Unwrap() error { return e.Err }

// Temporary reports whether sending the same message again later may
// succeed. It is false for an unknown outcome.
func (e *SendError) Temporary() bool { return e.class == sendTransient }

// Is makes errors.Is match the class and kind sentinels of this package.
func (e *SendError) Is(target error) bool {
	switch target {
	case ErrTransient:
		return e.class == sendTransient
	case ErrPermanent:
		return e.class == sendPermanent
	case ErrUnknownOutcome:
		return e.class == sendUnknown
	case ErrTimeout:
		return isTimeoutErr(e.Err)
	case ErrTLS:
		return e.Op == OpTLS || e.Op == OpStartTLS
	case ErrAuth:
		// A refusal; a 454 or a dropped connection during AUTH is transient.
		return e.Op == OpAuth && e.class == sendPermanent
	}
	return false
}

func smtpReplyText(code int, enhanced, msg string) string {
	parts := make([]string, 0, 3)
	parts = append(parts, fmt.Sprintf("%03d", code))
	if enhanced != "" {
		parts = append(parts, enhanced)
	}
	if msg != "" {
		// Multi-line replies come joined with "\n"; keep the error on one line.
		parts = append(parts, strings.ReplaceAll(msg, "\n", " / "))
	}
	return strings.Join(parts, " ")
}

// classifyReply maps a reply code at op to a retry class (RFC 5321 §4.2.1).
func classifyReply(op string, code int) sendClass {
	switch {
	case op == OpRcpt && code == 552:
		// RFC 5321 §4.5.3.1.10: "too many recipients" sent as 552 is to be
		// treated as the temporary 452.
		return sendTransient
	case code >= 500 && code < 600:
		return sendPermanent
	default:
		// 4xx, and unexpected 2xx/3xx replies: a confused server may do
		// better later; the caller's retry budget bounds this.
		return sendTransient
	}
}

// replyError builds a SendError from a server reply.
func replyError(op string, se *smtp.SMTPError) *SendError {
	e := &SendError{Op: op, Code: se.Code, Msg: se.Message, class: classifyReply(op, se.Code)}
	if se.EnhancedCode != smtp.EnhancedCodeNotSet && se.EnhancedCode != smtp.NoEnhancedCode {
		c := se.EnhancedCode
		e.Enhanced = fmt.Sprintf("%d.%d.%d", c[0], c[1], c[2])
	}
	return e
}

// classifySend turns any error met at op into a *SendError. afterDot says the
// final "." of the message was written, so a lost reply leaves the outcome
// unknown.
func classifySend(op string, err error, afterDot bool) *SendError {
	if se, ok := errors.AsType[*SendError](err); ok {
		return se
	}
	if se, ok := errors.AsType[*smtp.SMTPError](err); ok {
		return replyError(op, se)
	}
	e := &SendError{Op: op, Err: err, class: sendTransient}
	switch {
	case afterDot:
		e.class = sendUnknown
	case isTLSVerifyErr(err):
		// A certificate that does not verify will not verify on retry either.
		e.Op = OpTLS
		e.class = sendPermanent
	}
	return e
}

// isTimeout reports whether err is a deadline or timeout error.
func isTimeoutErr(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isTLSVerify reports whether err is a certificate verification failure.
func isTLSVerifyErr(err error) bool {
	var (
		ve  *tls.CertificateVerificationError
		ua  x509.UnknownAuthorityError
		hn  x509.HostnameError
		ci  x509.CertificateInvalidError
		rec tls.RecordHeaderError
	)
	return errors.As(err, &ve) || errors.As(err, &ua) || errors.As(err, &hn) ||
		errors.As(err, &ci) || errors.As(err, &rec)
}
