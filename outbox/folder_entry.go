package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// marshal gives the content of ID.json; the Failure has its own file.
func (e *Entry) marshal() ([]byte, error) {
	c := *e
	c.Failure = nil
	return jsonLine(&c)
}

func readEntry(path string, state State) (*Entry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	e := new(Entry)
	if err := json.Unmarshal(b, e); err != nil {
		// A sent message's .json is rewritten in place, and a read
		// racing that write may see part of each: read it once more.
		if b, err = os.ReadFile(path); err != nil {
			return nil, err
		}
		e = new(Entry)
		if err := json.Unmarshal(b, e); err != nil {
			return nil, fmt.Errorf("outbox: %s: %w", path, err)
		}
	}
	e.State = state
	return e, nil
}

// Lookup returns the entry with that id or key, in whichever folder it is,
// with its Failure when it is failed or unknown. It returns ErrNotFound
// when there is none.
func (s *Folder) Lookup(ctx context.Context, id string) (*Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if strings.ContainsAny(id, `/\`) || id == "" || id[0] == '.' {
		return nil, ErrNotFound
	}
	e, err := s.find(id)
	if err == nil && (e.State == StateFailed || e.State == StateUnknown) {
		if e.Failure, err = s.readFailure(e.State, id); errors.Is(err, ErrNotFound) {
			err = nil
		}
	}
	return e, err
}

// Message returns the bytes of the message with that id or key, as they
// are sent, in whichever state it is; ErrNotFound when there is none.
func (s *Folder) Message(ctx context.Context, id string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if strings.ContainsAny(id, `/\`) || id == "" || id[0] == '.' {
		return nil, ErrNotFound
	}
	for range 2 {
		e, err := s.findOwn(id)
		if err == nil {
			return os.ReadFile(s.Path(e.State, id, ".eml"))
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		_, ref, err := s.findInSegments(id)
		if errors.Is(err, errMovedOut) {
			continue
		}
		if err != nil {
			return nil, err
		}
		f, seg, _, err := s.openSegment(ref.name, ref.where, os.O_RDONLY)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return segmentMessage(f, seg, seg.byID[id])
	}
	return nil, ErrNotFound
}

// Keys returns the keys starting with prefix in every folder, and the
// state of each. It reads the folders and the segments' indexes and logs,
// not the messages' own files.
func (s *Folder) Keys(ctx context.Context, prefix string) (map[string]State, error) {
	out := map[string]State{}
	for _, st := range states {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ids, err := s.ownIDs(st)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if _, dup := out[id]; strings.HasPrefix(id, prefix) && !dup {
				out[id] = st // queue/ first, as find looks
			}
		}
	}
	err := s.segmentEntries(func(_ *segment, _ int, e *Entry) {
		if _, dup := out[e.ID]; strings.HasPrefix(e.ID, prefix) && !dup {
			out[e.ID] = e.State
		}
	})
	return out, err
}

// find looks for id's .json in every folder, queue first, then in the
// segments.
func (s *Folder) find(id string) (*Entry, error) {
	for range 2 {
		e, err := s.findOwn(id)
		if !errors.Is(err, ErrNotFound) {
			return e, err
		}
		e, _, err = s.findInSegments(id)
		if !errors.Is(err, errMovedOut) {
			return e, err
		}
		// Moved out of its segment to its own files meanwhile.
	}
	return nil, ErrNotFound
}

// findOwn looks for id's own .json in every folder, queue first.
func (s *Folder) findOwn(id string) (*Entry, error) {
	for _, st := range states {
		e, err := readEntry(s.Path(st, id, ".json"), st)
		if err == nil {
			return e, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, ErrNotFound
}

// exists reports whether a message with that id is in the folder, in its
// own files or in a segment.
func (s *Folder) exists(id string) (bool, error) {
	for _, st := range states {
		_, err := os.Lstat(s.Path(st, id, ".json"))
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
	}
	inSegment, err := s.segmentsHolding()
	if err != nil {
		return false, err
	}
	return inSegment(id), nil
}

// holding returns whether a message id is in the folder, as exists does,
// for many ids: it lists each folder once rather than looking up each id
// in each. A lookup in a folder waits while the folder is fsynced, and
// Run fsyncs queue/ and sent/ as it delivers.
func (s *Folder) holding() (func(id string) bool, error) {
	own := map[string]bool{}
	for _, st := range states {
		ids, err := s.ownIDs(st)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			own[id] = true
		}
	}
	inSegment, err := s.segmentsHolding()
	if err != nil {
		return nil, err
	}
	return func(id string) bool { return own[id] || inSegment(id) }, nil
}

// IDs returns the ids (keys, for EnqueueKey) of the messages in one
// state, in no particular order. It reads the folder and the segments'
// indexes and logs, not the messages: a cheap way to learn which of many
// ids a folder holds before looking them up one by one.
func (s *Folder) IDs(state State) ([]string, error) {
	ids, err := s.ownIDs(state)
	if err != nil {
		return nil, err
	}
	if state != StateQueued && state != StateSent {
		return ids, nil // segments hold only queued and sent messages
	}
	err = s.segmentEntries(func(_ *segment, _ int, e *Entry) {
		if e.State == state {
			ids = append(ids, e.ID)
		}
	})
	return ids, err
}

// ownIDs lists the ids of a folder's .json files (not .error.json): the
// messages with their own files.
func (s *Folder) ownIDs(state State) ([]string, error) {
	des, err := os.ReadDir(filepath.Join(s.dir, dirOf(state)))
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
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
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return append(b, '\n'), nil
}
