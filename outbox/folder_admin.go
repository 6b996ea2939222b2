package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"time"
)

// Counts returns how many messages each state holds. It reads the
// folders and the segments' indexes and logs, not the messages' own files.
func (s *Folder) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	for _, st := range states {
		if err := ctx.Err(); err != nil {
			return c, err
		}
		ids, err := s.IDs(st)
		if err != nil {
			return c, err
		}
		switch st {
		case StateQueued:
			c.Queued = len(ids)
		case StateSent:
			c.Sent = len(ids)
		case StateFailed:
			c.Failed = len(ids)
		case StateUnknown:
			c.Unknown = len(ids)
		}
	}
	return c, nil
}

// List returns the entries in one state, oldest first, with the server's
// answer (ID.error.json) in Failure for failed and unknown ones. It reads
// every .json file of the state's folder and every segment: meant for
// tools and tests, not for a loop over a large queue.
func (s *Folder) List(ctx context.Context, state State) ([]*Entry, error) {
	ids, err := s.ownIDs(state)
	if err != nil {
		return nil, err
	}
	out := make([]*Entry, 0, len(ids))
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, err := readEntry(s.Path(state, id, ".json"), state)
		if errors.Is(err, fs.ErrNotExist) {
			continue // moved meanwhile
		}
		if err != nil {
			return nil, err
		}
		if state == StateFailed || state == StateUnknown {
			if e.Failure, err = s.readFailure(state, id); err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
		}
		out = append(out, e)
	}
	if state == StateQueued || state == StateSent {
		seen := make(map[string]bool, len(out))
		for _, e := range out {
			seen[e.ID] = true
		}
		err := s.segmentEntries(func(_ *segment, _ int, e *Entry) {
			if e.State == state && !seen[e.ID] {
				out = append(out, e)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Enqueued.Before(out[j].Enqueued) })
	return out, nil
}

// Retry queues again the failed or unknown messages with those ids (or
// keys), for an attempt now, with the same bytes and Message-ID; their
// MaxAge counts afresh from now. Each moves back to queue/ as a person
// would move it by hand: the .eml first, then the .json (the commit),
// and the folder is fsynced. It returns how many it queued; an id that
// names no failed or unknown message gives an error wrapping ErrNotFound,
// and the others are still queued.
func (s *Folder) Retry(ctx context.Context, ids []string) (int, error) {
	n := 0
	var errs []error
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		e, err := s.Lookup(ctx, id)
		if err == nil && e.State != StateFailed && e.State != StateUnknown {
			err = fmt.Errorf("%w: %s is %s, not failed or unknown", ErrNotFound, id, e.State)
		} else if err != nil {
			err = fmt.Errorf("%w: %s", err, id)
		}
		if err == nil {
			err = s.requeue(e)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	if n > 0 {
		if err := s.syncers[StateQueued].sync(); err != nil {
			errs = append(errs, fmt.Errorf("outbox: %w", err))
		}
	}
	return n, errors.Join(errs...)
}

// RetryState queues again every message in failed/ or unknown/, as Retry
// does, and returns how many.
func (s *Folder) RetryState(ctx context.Context, state State) (int, error) {
	if state != StateFailed && state != StateUnknown {
		return 0, fmt.Errorf("outbox: retry: want the failed or unknown state, not %s", state)
	}
	ids, err := s.ownIDs(state)
	if err != nil {
		return 0, err
	}
	return s.Retry(ctx, ids)
}

// requeue moves a failed or unknown message back to queue/: its .json is
// rewritten in place with the new state, the .eml moves, then the .json;
// the .error.json goes last.
func (s *Folder) requeue(e *Entry) error {
	from, id := e.State, e.ID
	now := s.opts.Now().UTC()
	e.Next, e.Retried, e.Done = now, now, time.Time{}
	b, err := e.marshal()
	if err != nil {
		return err
	}
	if err := s.replaceFile(s.Path(from, id, ".json"), b); err != nil {
		return fmt.Errorf("outbox: retry %s: %w", id, err)
	}
	if err := os.Rename(s.Path(from, id, ".eml"), s.Path(StateQueued, id, ".eml")); err != nil {
		return fmt.Errorf("outbox: retry %s: %w", id, err)
	}
	if err := os.Rename(s.Path(from, id, ".json"), s.Path(StateQueued, id, ".json")); err != nil {
		os.Rename(s.Path(StateQueued, id, ".eml"), s.Path(from, id, ".eml"))
		return fmt.Errorf("outbox: retry %s: %w", id, err)
	}
	os.Remove(s.Path(from, id, ".error.json"))
	s.syncers[from].dirty()
	e.State = StateQueued
	s.sched.addIfRunning(id, now)
	return nil
}

// readFailure reads the ID.error.json of a message in state's folder.
func (s *Folder) readFailure(state State, id string) (*Failure, error) {
	b, err := os.ReadFile(s.Path(state, id, ".error.json"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	f := new(Failure)
	if err := json.Unmarshal(b, f); err != nil {
		return nil, fmt.Errorf("outbox: %s.error.json: %w", id, err)
	}
	return f, nil
}
