package outbox

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/mailtrail/mailtrail/mailer"
)

// Rules are the delivery rules every store applies, in one place: how long
// to wait between attempts, when to give up, and what a failure means.
// The zero value of each field is the default.
type Rules struct {
	// MaxAge is how long a message may keep failing temporarily before
	// it is given up (StateFailed, class "expired"); zero means 5 days
	// (RFC 5321 §4.5.4.1: "the give-up time generally needs to be at
	// least 4-5 days"). It counts from the enqueue, or from the last
	// Retry by a person.
	MaxAge time.Duration
	// MinBackoff is the wait before the first retry; each further retry
	// waits twice as long, up to MaxBackoff, less a random jitter of up to
	// half. Zero means 1 minute.
	MinBackoff time.Duration
	// MaxBackoff caps the wait between two attempts; zero means 1 hour.
	MaxBackoff time.Duration
	// RetryUnknown retries a message whose outcome is unknown like a
	// temporary failure, with the same bytes and so the same Message-ID.
	// The zero value files it as StateUnknown for a person to decide.
	RetryUnknown bool
}

// Defaults of the zero fields of Rules and of the stores' options.
const (
	DefaultConcurrency = 2
	DefaultMaxAge      = 5 * 24 * time.Hour
	DefaultMinBackoff  = time.Minute
	DefaultMaxBackoff  = time.Hour
	DefaultPoll        = 5 * time.Second
)

// WithDefaults returns r with its zero fields set to the defaults.
func (r Rules) WithDefaults() Rules {
	if r.MaxAge <= 0 {
		r.MaxAge = DefaultMaxAge
	}
	if r.MinBackoff <= 0 {
		r.MinBackoff = DefaultMinBackoff
	}
	if r.MaxBackoff <= 0 {
		r.MaxBackoff = DefaultMaxBackoff
	}
	if r.MaxBackoff < r.MinBackoff {
		r.MaxBackoff = r.MinBackoff
	}
	return r
}

// Backoff returns the wait before retry number attempt (1 for the first):
// MinBackoff doubled per attempt up to MaxBackoff, less a random part of up
// to half ("equal jitter"), so that messages that failed together do not
// all come back together. r must have its defaults (WithDefaults).
func (r Rules) Backoff(attempt int) time.Duration {
	d := r.MinBackoff
	for i := 1; i < attempt && d < r.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, r.MaxBackoff)
	half := d / 2
	return d - half + time.Duration(rand.Int64N(int64(half)+1))
}

// Action is what a store does with a message after an attempt.
type Action int

// The actions of a Decision.
const (
	// Sent: the server accepted it; file it as StateSent.
	Sent Action = iota
	// Retry: a temporary failure of this message; keep it queued until
	// Decision.At. The attempt counts.
	Retry
	// Snooze: the server, not the message, failed (outage, refused
	// connection, TLS or credentials); keep it queued until Decision.At
	// without counting the attempt, and hold every other message of the
	// queue for Decision.Pause as well.
	Snooze
	// Fail: refused for good, or given up after MaxAge; file it as
	// StateFailed with Decision.Failure.
	Fail
	// Hold: the outcome is unknown (the final "." went out, the reply
	// never came); file it as StateUnknown with Decision.Failure, for a
	// person to decide. Never sent again automatically.
	Hold
	// Leave: the attempt was cut short before anything went out (the
	// store is stopping); leave the message as it was.
	Leave
)

// String returns the action's name in lower case.
func (a Action) String() string {
	switch a {
	case Sent:
		return "sent"
	case Retry:
		return "retry"
	case Snooze:
		return "snooze"
	case Fail:
		return "fail"
	case Hold:
		return "hold"
	case Leave:
		return "leave"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// State returns the state a message is in after the action.
func (a Action) State() State {
	switch a {
	case Sent:
		return StateSent
	case Fail:
		return StateFailed
	case Hold:
		return StateUnknown
	}
	return StateQueued
}

// Decision is what the rules say about one attempt.
type Decision struct {
	Action Action
	// At is when the message is due again, for Retry and Snooze.
	At time.Time
	// Pause is how long the whole queue waits, for Snooze.
	Pause time.Duration
	// Err is the error to record: the attempt's, or for a message given
	// up after MaxAge one that says so and wraps it. nil for Sent.
	Err error
	// Failure is what to keep beside a message filed as failed or
	// unknown: the server's answer. nil otherwise.
	Failure *Failure
}

// Decide applies the rules to the outcome err of one attempt of e, made at
// now: it updates e's bookkeeping (Attempts, Unknown, LastError, To and
// Delivered after a partial delivery, Next, Done) and says what the store
// must do. stopping says the store cut the attempt short (its context
// ended); serverFails counts the consecutive server-level failures,
// this one included, and sets the length of a Snooze's pause.
//
// The classes: nil is Sent. A failure concerning the server rather than
// the message (a refused dial, a 421 or 554 greeting, TLS, STARTTLS or
// AUTH) is Snooze: every message would meet it, none is at fault. An
// unknown outcome is Hold, or Retry with RetryUnknown. A partial delivery
// keeps only the temporarily refused recipients for a Retry (Fail when
// none is left). A permanent refusal is Fail, with the server's answer.
// Anything else, a temporary failure or an error nobody classified, is
// Retry with backoff. A Retry or Snooze that would fall due after MaxAge
// is Fail instead, of class "expired".
func (r Rules) Decide(e *Entry, err error, stopping bool, serverFails int, now time.Time) Decision {
	r = r.WithDefaults()
	var se *mailer.SendError
	errors.As(err, &se)
	switch {
	case err == nil:
		e.Attempts++
		e.LastError = ""
		return r.leave(e, Sent, nil, "", now)

	case stopping && !errors.Is(err, mailer.ErrUnknownOutcome):
		// Stopped before the final ".": nothing went out, and this was
		// not the message's fault.
		return Decision{Action: Leave}

	case ServerLevel(err):
		e.LastError = err.Error()
		pause := r.Backoff(min(serverFails, 64))
		d := r.again(e, err, now, now.Add(pause))
		if d.Action == Retry {
			d.Action, d.Pause = Snooze, pause
		}
		return d

	case errors.Is(err, mailer.ErrUnknownOutcome):
		e.Attempts++
		e.Unknown++
		e.LastError = err.Error()
		if !r.RetryUnknown {
			return r.leave(e, Hold, err, "unknown", now)
		}
		return r.again(e, err, now, now.Add(r.Backoff(e.Attempts)))

	case se != nil && len(se.Accepted) > 0:
		return r.partial(e, se, err, now)

	case errors.Is(err, mailer.ErrPermanent):
		e.Attempts++
		e.LastError = err.Error()
		return r.leave(e, Fail, err, "permanent", now)

	default: // mailer.ErrTransient, and errors nobody classified
		e.Attempts++
		e.LastError = err.Error()
		return r.again(e, err, now, now.Add(r.Backoff(e.Attempts)))
	}
}

// partial decides after a partial delivery (se, which err wraps): the
// accepted recipients are done; only the temporarily refused ones are
// retried, and with none of them the message has failed.
func (r Rules) partial(e *Entry, se *mailer.SendError, err error, now time.Time) Decision {
	e.Attempts++
	e.LastError = err.Error()
	e.Delivered = append(e.Delivered, se.Accepted...)
	var again []string
	for _, rj := range se.Rejected {
		if rj.Temporary() {
			again = append(again, rj.Rcpt)
		}
	}
	if len(again) == 0 {
		return r.leave(e, Fail, err, "permanent", now)
	}
	e.To = again
	return r.again(e, err, now, now.Add(r.Backoff(e.Attempts)))
}

// again keeps e queued until next, or gives it up when next is past MaxAge.
func (r Rules) again(e *Entry, err error, now, next time.Time) Decision {
	since := e.Enqueued
	if e.Retried.After(since) {
		since = e.Retried
	}
	if next.Sub(since) > r.MaxAge {
		err = fmt.Errorf("gave up after %d attempts over %s: %w", e.Attempts, now.Sub(since).Round(time.Second), err)
		return r.leave(e, Fail, err, "expired", now)
	}
	e.Next = next.UTC()
	return Decision{Action: Retry, At: e.Next, Err: err}
}

// leave files e out of the queue.
func (r Rules) leave(e *Entry, a Action, err error, class string, now time.Time) Decision {
	e.Done = now.UTC()
	e.Next = time.Time{}
	d := Decision{Action: a, Err: err}
	if err != nil {
		d.Failure = FailureOf(err, class, e.Attempts, now)
	}
	return d
}

// ServerLevel reports whether err concerns the server or the connection
// rather than the message: a dial, TLS, greeting, EHLO, STARTTLS or AUTH
// failure. Every message would meet it.
func ServerLevel(err error) bool {
	var se *mailer.SendError
	if !errors.As(err, &se) {
		return false
	}
	switch se.Op {
	case mailer.OpDial, mailer.OpTLS, mailer.OpGreeting, mailer.OpHello, mailer.OpStartTLS, mailer.OpAuth:
		return true
	}
	return false
}

// FailureOf describes err, of class "permanent", "unknown" or "expired",
// with the server's answer when err holds a *mailer.SendError.
func FailureOf(err error, class string, attempts int, now time.Time) *Failure {
	f := &Failure{Time: now.UTC(), Attempts: attempts, Class: class, Error: err.Error()}
	var se *mailer.SendError
	if errors.As(err, &se) {
		f.Op, f.Code, f.Enhanced, f.Reply = se.Op, se.Code, se.Enhanced, se.Msg
		for _, r := range se.Rejected {
			f.Rejected = append(f.Rejected, Rejected{Rcpt: r.Rcpt, Code: r.Code, Enhanced: r.Enhanced, Reply: r.Msg})
		}
		f.Accepted = append(f.Accepted, se.Accepted...)
	}
	return f
}
