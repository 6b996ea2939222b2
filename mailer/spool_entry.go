package mailer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// SpoolEntry is the envelope and delivery state of one spooled message: the
// content of its ID.json file.
type SpoolEntry struct {
	ID        string    `json:"id"`
	Key       string    `json:"key,omitempty"`       // the EnqueueKey key, "" for Enqueue
	From      string    `json:"from"`                // MAIL FROM
	To        []string  `json:"to"`                  // RCPT TO: the recipients still to deliver to
	Delivered []string  `json:"delivered,omitempty"` // recipients that took it in a partial delivery
	MessageID string    `json:"message_id,omitempty"`
	Resource  string    `json:"resource,omitempty"`
	Size      int       `json:"size"`                       // octets of ID.eml
	Enqueued  time.Time `json:"enqueued"`                   // when Enqueue wrote it
	Attempts  int       `json:"attempts"`                   // delivery attempts so far
	Unknown   int       `json:"unknown_outcomes,omitempty"` // attempts whose outcome was unknown
	Next      time.Time `json:"next_attempt,omitzero"`      // not before then, while queued
	Done      time.Time `json:"done,omitzero"`              // when it left queue/
	LastError string    `json:"last_error,omitempty"`       // the last attempt's error

	// State is the folder the entry was found in; it is not stored.
	State SpoolState `json:"-"`
}

// SpoolFailure is the server's answer to a message that left the queue
// without being sent: the content of ID.error.json beside it in failed/ or
// unknown/.
type SpoolFailure struct {
	Time     time.Time       `json:"time"`
	Attempts int             `json:"attempts"`
	Class    string          `json:"class"`          // "permanent", "unknown" or "expired"
	Op       string          `json:"op,omitempty"`   // the SMTP step, as in SendError.Op
	Code     int             `json:"code,omitempty"` // the SMTP reply code
	Enhanced string          `json:"enhanced,omitempty"`
	Reply    string          `json:"reply,omitempty"` // the server's text
	Rejected []SpoolRejected `json:"rejected,omitempty"`
	Accepted []string        `json:"accepted,omitempty"`
	Error    string          `json:"error"` // the whole error, one line
}

// SpoolRejected is one recipient's refusal in a SpoolFailure.
type SpoolRejected struct {
	Rcpt     string `json:"rcpt"`
	Code     int    `json:"code"`
	Enhanced string `json:"enhanced,omitempty"`
	Reply    string `json:"reply,omitempty"`
}

// SpoolResult is what one delivery attempt did, given to
// SpoolOptions.OnResult. State is StateSent, StateFailed or StateUnknown
// when the message left the queue, and StateQueued when it waits for a
// retry at Entry.Next.
type SpoolResult struct {
	Entry SpoolEntry
	State SpoolState
	Err   error // nil when sent
}

func (e *SpoolEntry) marshal() ([]byte, error) { return jsonLine(e) }

func readSpoolEntry(path string, state SpoolState) (*SpoolEntry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	e := new(SpoolEntry)
	if err := json.Unmarshal(b, e); err != nil {
		// A sent message's .json is rewritten in place, and a read
		// racing that write may see part of each: read it once more.
		if b, err = os.ReadFile(path); err != nil {
			return nil, err
		}
		e = new(SpoolEntry)
		if err := json.Unmarshal(b, e); err != nil {
			return nil, fmt.Errorf("mailer: spool: %s: %w", path, err)
		}
	}
	e.State = state
	return e, nil
}

// failureOf describes err for ID.error.json.
func failureOf(err error, class string, e *SpoolEntry, now time.Time) *SpoolFailure {
	f := &SpoolFailure{Time: now.UTC(), Attempts: e.Attempts, Class: class, Error: err.Error()}
	var se *SendError
	if errors.As(err, &se) {
		f.Op, f.Code, f.Enhanced, f.Reply = se.Op, se.Code, se.Enhanced, se.Msg
		for _, r := range se.Rejected {
			f.Rejected = append(f.Rejected, SpoolRejected{Rcpt: r.Rcpt, Code: r.Code, Enhanced: r.Enhanced, Reply: r.Msg})
		}
		f.Accepted = append(f.Accepted, se.Accepted...)
	}
	return f
}

// Lookup returns the entry with that id or key, in whichever folder it is.
// It returns ErrSpoolNotFound when there is none.
func (s *Spool) Lookup(id string) (*SpoolEntry, error) {
	if strings.ContainsAny(id, `/\`) || id == "" || id[0] == '.' {
		return nil, ErrSpoolNotFound
	}
	return s.find(id)
}

// find looks for id's .json in every folder, queue first.
func (s *Spool) find(id string) (*SpoolEntry, error) {
	for _, st := range spoolStates {
		e, err := readSpoolEntry(s.Path(st, id, ".json"), st)
		if err == nil {
			return e, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, ErrSpoolNotFound
}

// exists reports whether id's .json is in some folder, and in which,
// looking in queue/ first as find does.
func (s *Spool) exists(id string) (SpoolState, bool, error) {
	for _, st := range spoolStates {
		_, err := os.Lstat(s.Path(st, id, ".json"))
		if err == nil {
			return st, true, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return 0, false, err
		}
	}
	return 0, false, nil
}

// Failure returns the ID.error.json of a message in failed/ or unknown/.
func (s *Spool) Failure(id string) (*SpoolFailure, error) {
	e, err := s.Lookup(id)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(s.Path(e.State, id, ".error.json"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrSpoolNotFound
		}
		return nil, err
	}
	f := new(SpoolFailure)
	if err := json.Unmarshal(b, f); err != nil {
		return nil, fmt.Errorf("mailer: spool: %s.error.json: %w", id, err)
	}
	return f, nil
}

// List returns the entries in one state's folder, oldest first. It reads
// every .json file of the folder: meant for tools and tests, not for a
// loop over a large queue.
func (s *Spool) List(state SpoolState) ([]*SpoolEntry, error) {
	ids, err := s.ids(state)
	if err != nil {
		return nil, err
	}
	out := make([]*SpoolEntry, 0, len(ids))
	for _, id := range ids {
		e, err := readSpoolEntry(s.Path(state, id, ".json"), state)
		if errors.Is(err, fs.ErrNotExist) {
			continue // moved meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Enqueued.Before(out[j].Enqueued) })
	return out, nil
}

// Count returns how many messages each folder holds.
func (s *Spool) Count() (map[SpoolState]int, error) {
	n := make(map[SpoolState]int, len(spoolStates))
	for _, st := range spoolStates {
		ids, err := s.ids(st)
		if err != nil {
			return nil, err
		}
		n[st] = len(ids)
	}
	return n, nil
}

// IDs returns the ids (keys, for EnqueueKey) of the messages in one state's
// folder, in no particular order. It reads the folder only, not the
// files: a cheap way to learn which of many ids a spool holds before
// looking them up one by one, each of which may try every folder.
func (s *Spool) IDs(state SpoolState) ([]string, error) { return s.ids(state) }

// ids lists the ids of a folder's .json files (not .error.json).
func (s *Spool) ids(state SpoolState) ([]string, error) {
	des, err := os.ReadDir(filepath.Join(s.dir, state.String()))
	if err != nil {
		return nil, fmt.Errorf("mailer: spool: %w", err)
	}
	ids := make([]string, 0, len(des))
	for _, de := range des {
		name := de.Name()
		if strings.HasSuffix(name, ".json") && !strings.HasSuffix(name, ".error.json") {
			ids = append(ids, strings.TrimSuffix(name, ".json"))
		}
	}
	return ids, nil
}

// jsonLine marshals v indented, with a final newline, for files people read.
func jsonLine(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("mailer: spool: %w", err)
	}
	return append(b, '\n'), nil
}
