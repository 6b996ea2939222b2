package postgres

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/mailtrail/mailtrail/outbox"
)

// record is the delivery state of a message that its job's arguments do
// not hold: the bookkeeping of outbox.Entry that the rules update. The
// worker keeps it as the job's River output (metadata "output"), which
// River keeps across attempts, so each attempt starts from what the
// previous ones recorded.
type record struct {
	// State is "failed" or "unknown" once the message left the queue
	// without being sent; "" while it waits for an attempt.
	State     string          `json:"state,omitempty"`
	Attempts  int             `json:"attempts"`
	Unknown   int             `json:"unknown_outcomes,omitempty"`
	To        []string        `json:"to,omitempty"`        // recipients left after a partial delivery
	Delivered []string        `json:"delivered,omitempty"` // recipients that took it in a partial delivery
	LastError string          `json:"last_error,omitempty"`
	Next      time.Time       `json:"next_attempt,omitzero"`
	Retried   time.Time       `json:"retried,omitzero"` // when a person last queued it again
	Failure   *outbox.Failure `json:"failure,omitempty"`
}

// envelope is the envelope of a message without its bytes, kept in the
// job's metadata at enqueue: the worker sends to it, and listing messages
// reads it, never the bytes.
type envelope struct {
	Key       string   `json:"key,omitempty"`
	From      string   `json:"from"`
	To        []string `json:"to"`
	MessageID string   `json:"message_id,omitempty"`
	Resource  string   `json:"resource,omitempty"`
	Size      int      `json:"size"`
}

// jobMeta is what this package keeps in a job's metadata.
type jobMeta struct {
	Envelope envelope `json:"envelope"`
	Output   record   `json:"output"`
}

// metaOf reads a job's metadata; zero values for what is not there.
func metaOf(metadata []byte) jobMeta {
	var m jobMeta
	_ = json.Unmarshal(metadata, &m) // what is not ours reads as nothing
	return m
}

// entryOf makes the outbox.Entry of a job from its envelope and record.
func entryOf(id int64, a *envelope, rec *record, created time.Time) outbox.Entry {
	e := outbox.Entry{
		ID:        idOf(id, a.Key),
		Key:       a.Key,
		From:      a.From,
		To:        a.To,
		Delivered: rec.Delivered,
		MessageID: a.MessageID,
		Resource:  a.Resource,
		Size:      a.Size,
		Enqueued:  created,
		Retried:   rec.Retried,
		Attempts:  rec.Attempts,
		Unknown:   rec.Unknown,
		Next:      rec.Next,
		LastError: rec.LastError,
		Failure:   rec.Failure,
	}
	if len(rec.To) > 0 {
		e.To = rec.To
	}
	return e
}

// idOf returns a message's id: its key when it has one, as in the folder
// store, else its River job id.
func idOf(jobID int64, key string) string {
	if key != "" {
		return key
	}
	return strconv.FormatInt(jobID, 10)
}

// recordOfEntry keeps what the rules changed in e.
func recordOfEntry(e *outbox.Entry, a *envelope, state string, f *outbox.Failure) record {
	r := record{
		State:     state,
		Attempts:  e.Attempts,
		Unknown:   e.Unknown,
		Delivered: e.Delivered,
		LastError: e.LastError,
		Next:      e.Next,
		Retried:   e.Retried,
		Failure:   f,
	}
	if !slices.Equal(e.To, a.To) {
		r.To = e.To
	}
	return r
}
