package mailtest

import (
	"strconv"
	"strings"
	"sync"

	"github.com/emersion/go-smtp"
)

// Stage is the point of an SMTP session where a Fault acts.
type Stage int

const (
	// StageGreeting is the connection's opening, where the 220 banner goes.
	StageGreeting Stage = iota + 1
	// StageAuth is the AUTH command.
	StageAuth
	// StageMail is the MAIL FROM command.
	StageMail
	// StageRcpt is a RCPT TO command (one recipient, see Fault.Rcpt).
	StageRcpt
	// StageData is the message body, after the 354: Drop closes the
	// connection after Fault.After bytes of it, Stall stops reading there.
	// Reply acts as at StageDataEnd.
	StageData
	// StageDataEnd is the reply to the final ".".
	StageDataEnd
	// StageAccepted is just after the 250 that accepted a message: Reply
	// sends its code unsolicited and closes the connection (as a server
	// closing an idle connection with 421 does), Drop closes it.
	StageAccepted
	// StageDataCommand is the DATA command, before its 354: Reply answers
	// Fault.Code in its place (the session goes on), Drop and Stall as
	// elsewhere. It acts on plaintext and implicit-TLS sessions, not on
	// commands sent after STARTTLS.
	StageDataCommand
)

var stageNames = map[Stage]string{
	StageGreeting: "greeting", StageAuth: "auth", StageMail: "mail", StageRcpt: "rcpt",
	StageData: "data", StageDataEnd: "data-end", StageAccepted: "accepted", StageDataCommand: "data-command",
}

// String returns the stage's name, such as "rcpt".
func (s Stage) String() string {
	if n, ok := stageNames[s]; ok {
		return n
	}
	return "Stage(" + strconv.Itoa(int(s)) + ")"
}

// Action is what a Fault does.
type Action int

const (
	// Reply answers Fault.Code instead of the normal reply.
	Reply Action = iota
	// Drop closes the connection without a reply.
	Drop
	// Stall never answers; the connection hangs until the client gives up
	// or the server is closed.
	Stall
)

// String returns "reply", "drop" or "stall".
func (a Action) String() string {
	switch a {
	case Reply:
		return "reply"
	case Drop:
		return "drop"
	case Stall:
		return "stall"
	}
	return "Action(" + strconv.Itoa(int(a)) + ")"
}

// Fault makes the server misbehave at one stage. The zero Action is Reply.
// Faults are tried in the order given to the server; the first that
// matches acts.
type Fault struct {
	Stage  Stage
	Action Action
	// Code is the reply code for Reply, such as 421, 451, 452, 550, 552
	// or 554.
	Code int
	// Enhanced is the RFC 3463 code, such as "4.3.2"; "" picks a usual one
	// for Code.
	Enhanced string
	// Text is the reply text; "" means "mailtest: injected fault".
	Text string
	// Rcpt limits a StageRcpt fault to this address (case-insensitive);
	// "" means every recipient.
	Rcpt string
	// After is how many body bytes a StageData fault reads before acting.
	After int
	// Times limits the fault to the first Times events it matches, after
	// which the server behaves ("reject the first 2 then accept"); zero
	// means every time.
	Times int
}

// WithFault adds a fault. See Fault and its shortcuts RejectGreeting,
// RejectMail, RejectRcpt, RejectRcptFor, RejectDataCommand, RejectData, DropMidData,
// DropAfterData and StallAt.
func WithFault(f Fault) Option {
	return func(c *config) { c.faults = append(c.faults, &fault{Fault: f}) }
}

// RejectGreeting makes the server answer code (such as 421 or 554) instead
// of its 220 banner and close the connection.
func RejectGreeting(code int) Option {
	return WithFault(Fault{Stage: StageGreeting, Code: code})
}

// RejectMail makes the server answer code to every MAIL FROM.
func RejectMail(code int) Option { return WithFault(Fault{Stage: StageMail, Code: code}) }

// RejectRcpt makes the server answer code to every RCPT TO.
func RejectRcpt(code int) Option { return WithFault(Fault{Stage: StageRcpt, Code: code}) }

// RejectRcptFor makes the server answer code to RCPT TO for addr only.
func RejectRcptFor(addr string, code int) Option {
	return WithFault(Fault{Stage: StageRcpt, Rcpt: addr, Code: code})
}

// RejectDataCommand makes the server answer code (such as 451 or 554) to
// the DATA command instead of 354. See StageDataCommand for its limits.
func RejectDataCommand(code int) Option {
	return WithFault(Fault{Stage: StageDataCommand, Code: code})
}

// RejectData makes the server answer code (such as 451, 552 or 554) to the
// final "." of every message.
func RejectData(code int) Option { return WithFault(Fault{Stage: StageDataEnd, Code: code}) }

// DropMidData makes the server close the connection after reading after
// bytes of the body, before the final ".".
//
// A client sees this as a reset before its "." only while it is still
// writing, that is with a body larger than the socket buffers (16 MB is
// safe on loopback). A small body and its "." are already sent when the
// connection drops, so the client cannot tell this from a reply lost after
// the "." (see DropAfterData).
func DropMidData(after int) Option {
	return WithFault(Fault{Stage: StageData, Action: Drop, After: after})
}

// DropAfterData makes the server read the whole message, record it as
// accepted, and close the connection without replying to the final ".".
func DropAfterData() Option { return WithFault(Fault{Stage: StageDataEnd, Action: Drop}) }

// StallAt makes the server stop answering at stage.
func StallAt(stage Stage) Option { return WithFault(Fault{Stage: stage, Action: Stall}) }

// fault is a Fault with its use count.
type fault struct {
	Fault
	mu   sync.Mutex
	used int
}

// take reports whether f applies to an event at stage (for rcpt, at
// StageRcpt) and counts the use.
func (f *fault) take(stage Stage, rcpt string) bool {
	if f.Stage != stage {
		return false
	}
	if stage == StageRcpt && f.Rcpt != "" && !strings.EqualFold(f.Rcpt, rcpt) {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Times > 0 && f.used >= f.Times {
		return false
	}
	f.used++
	return true
}

// usualEnhanced maps common reply codes to their usual enhanced codes.
var usualEnhanced = map[int]smtp.EnhancedCode{
	421: {4, 3, 2}, 450: {4, 2, 1}, 451: {4, 3, 0}, 452: {4, 5, 3}, 454: {4, 7, 0},
	530: {5, 7, 0}, 535: {5, 7, 8}, 550: {5, 1, 1}, 552: {5, 3, 4}, 553: {5, 1, 3}, 554: {5, 7, 1},
}

// reply returns the fault's reply as an *smtp.SMTPError.
func (f *fault) reply() *smtp.SMTPError {
	e := &smtp.SMTPError{Code: f.Code, Message: f.Text}
	if e.Code == 0 {
		e.Code = 451
	}
	if e.Message == "" {
		e.Message = "mailtest: injected fault"
	}
	if ec, ok := parseEnhanced(f.Enhanced); ok {
		e.EnhancedCode = ec
	} else if ec, ok := usualEnhanced[e.Code]; ok {
		e.EnhancedCode = ec
	}
	return e
}

func parseEnhanced(s string) (smtp.EnhancedCode, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return smtp.EnhancedCode{}, false
	}
	var ec smtp.EnhancedCode
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 999 {
			return smtp.EnhancedCode{}, false
		}
		ec[i] = n
	}
	return ec, true
}

// line formats the fault's reply as one SMTP reply line with CRLF.
func (f *fault) line() string {
	e := f.reply()
	s := strconv.Itoa(e.Code) + " "
	if e.EnhancedCode != smtp.EnhancedCodeNotSet {
		s += strconv.Itoa(e.EnhancedCode[0]) + "." + strconv.Itoa(e.EnhancedCode[1]) + "." + strconv.Itoa(e.EnhancedCode[2]) + " "
	}
	return s + strings.NewReplacer("\r", " ", "\n", " ").Replace(e.Message) + "\r\n"
}
