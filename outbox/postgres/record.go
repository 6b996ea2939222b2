package postgres

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/mailtrail/mailtrail/mailer"
)

// record is what the worker keeps of a message's attempts, as the job's
// River output (metadata "output"): River keeps it across retries, so each
// attempt starts from what the previous ones recorded.
type record struct {
	// State is "failed" or "unknown" once the message left the queue
	// without being sent; "" while it waits for an attempt.
	State     string    `json:"state,omitempty"`
	Attempts  int       `json:"attempts"`
	Unknown   int       `json:"unknown_outcomes,omitempty"`
	Delivered []string  `json:"delivered,omitempty"` // recipients that took it in a partial delivery
	LastError string    `json:"last_error,omitempty"`
	Next      time.Time `json:"next_attempt,omitzero"`
	Failure   *Failure  `json:"failure,omitempty"`
}

// Failure is the server's answer to a message that left the queue without
// being sent.
type Failure struct {
	Time     time.Time      `json:"time"`
	Class    string         `json:"class"`          // "permanent", "unknown" or "expired"
	Op       string         `json:"op,omitempty"`   // the SMTP step, as in mailer.SendError.Op
	Code     int            `json:"code,omitempty"` // the SMTP reply code
	Enhanced string         `json:"enhanced,omitempty"`
	Reply    string         `json:"reply,omitempty"` // the server's text
	Rejected []RejectedRcpt `json:"rejected,omitempty"`
	Accepted []string       `json:"accepted,omitempty"`
	Error    string         `json:"error"` // the whole error, one line
}

// RejectedRcpt is one recipient's refusal in a Failure.
type RejectedRcpt struct {
	Rcpt     string `json:"rcpt"`
	Code     int    `json:"code"`
	Enhanced string `json:"enhanced,omitempty"`
	Reply    string `json:"reply,omitempty"`
}

// failureOf describes err for a record.
func failureOf(err error, class string, now time.Time) *Failure {
	f := &Failure{Time: now.UTC(), Class: class, Error: err.Error()}
	var se *mailer.SendError
	if errors.As(err, &se) {
		f.Op, f.Code, f.Enhanced, f.Reply = se.Op, se.Code, se.Enhanced, se.Msg
		for _, r := range se.Rejected {
			f.Rejected = append(f.Rejected, RejectedRcpt{Rcpt: r.Rcpt, Code: r.Code, Enhanced: r.Enhanced, Reply: r.Msg})
		}
		f.Accepted = append(f.Accepted, se.Accepted...)
	}
	return f
}

// recordOf reads the record of a job; the zero record when there is none.
func recordOf(j *rivertype.JobRow) record {
	var r record
	if out := j.Output(); len(out) > 0 {
		_ = json.Unmarshal(out, &r) // a record not ours reads as none
	}
	return r
}
