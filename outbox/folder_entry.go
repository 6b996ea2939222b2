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

// Keys returns the keys starting with prefix in every folder, and the
// state of each. It reads the folders, not the files.
func (s *Folder) Keys(ctx context.Context, prefix string) (map[string]State, error) {
	out := map[string]State{}
	for _, st := range states {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ids, err := s.ids(st)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if _, dup := out[id]; strings.HasPrefix(id, prefix) && !dup {
				out[id] = st // queue/ first, as find looks
			}
		}
	}
	return out, nil
}

// find looks for id's .json in every folder, queue first.
func (s *Folder) find(id string) (*Entry, error) {
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

// exists reports whether id's .json is in some folder, and in which,
// looking in queue/ first as find does.
func (s *Folder) exists(id string) (State, bool, error) {
	for _, st := range states {
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

// IDs returns the ids (keys, for EnqueueKey) of the messages in one state's
// folder, in no particular order. It reads the folder only, not the
// files: a cheap way to learn which of many ids a folder holds before
// looking them up one by one, each of which may try every folder.
func (s *Folder) IDs(state State) ([]string, error) { return s.ids(state) }

// ids lists the ids of a folder's .json files (not .error.json).
func (s *Folder) ids(state State) ([]string, error) {
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
