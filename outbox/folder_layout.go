package outbox

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mailtrail/mailtrail/internal/atomicfile"
)

// open creates the folders and repairs what a crash left behind.
func (s *Folder) open() error {
	s.syncers = make(map[State]*dirSyncer, len(states))
	for _, name := range []string{"tmp", "queue", "sent", "failed", "unknown"} {
		if err := os.MkdirAll(filepath.Join(s.dir, name), 0o750); err != nil {
			return err
		}
	}
	for _, st := range states {
		s.syncers[st] = &dirSyncer{path: filepath.Join(s.dir, dirOf(st))}
	}
	// Nothing in tmp/ was ever promised to anyone. Files younger than
	// orphanAge may belong to another process enqueueing right now.
	des, err := os.ReadDir(filepath.Join(s.dir, "tmp"))
	if err != nil {
		return err
	}
	for _, de := range des {
		if !s.orphan(de) {
			continue
		}
		if err := os.Remove(filepath.Join(s.dir, "tmp", de.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return s.repair()
}

// orphanAge is how old a half-written file must be before opening a
// folder removes it: several processes may enqueue into one folder, and a
// younger file may be in the middle of another's Enqueue.
const orphanAge = time.Minute

// orphan reports whether a leftover file is old enough to be removed.
func (s *Folder) orphan(de fs.DirEntry) bool {
	info, err := de.Info()
	return err == nil && s.opts.Now().Sub(info.ModTime()) > orphanAge
}

// repair finishes moves cut in half by a crash. A message's .json moves
// first (that is the commit), its .eml second, so an .eml whose .json is in
// another folder follows it; an .eml whose .json is nowhere was never
// enqueued (or was delivered and being deleted) and goes; a .json in queue/
// that also exists in another folder was moved and rewritten there. A Run
// of another process may be moving the same files meanwhile: a file gone
// before it could be moved was moved by that Run.
func (s *Folder) repair() error {
	for _, from := range states {
		dir := filepath.Join(s.dir, dirOf(from))
		des, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		has := make(map[string]bool, len(des))
		for _, de := range des {
			has[de.Name()] = true
		}
		for _, de := range des {
			name := de.Name()
			switch {
			case strings.HasSuffix(name, ".eml"):
				id := strings.TrimSuffix(name, ".eml")
				if has[id+".json"] {
					continue
				}
				to, ok := s.stateOf(id, from)
				if !ok {
					if !s.orphan(de) {
						continue // perhaps another process's Enqueue
					}
					s.log.Warn("outbox: removing a message that was never enqueued", "file", filepath.Join(dir, name))
					if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
						return err
					}
					continue
				}
				if err := os.Rename(filepath.Join(dir, name), s.Path(to, id, ".eml")); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err // gone: a Run going on elsewhere finished its move
				}
			case from == StateQueued && strings.HasSuffix(name, ".json") && !strings.HasSuffix(name, ".error.json"):
				id := strings.TrimSuffix(name, ".json")
				if to, ok := s.stateOf(id, from); ok {
					// Moved to a final folder and rewritten there, the
					// copy in queue/ left behind.
					s.log.Warn("outbox: finishing an interrupted move", "id", id, "to", to.String())
					if !has[id+".eml"] {
						os.Remove(filepath.Join(dir, name))
						continue
					}
					if err := os.Rename(filepath.Join(dir, id+".eml"), s.Path(to, id, ".eml")); err != nil && !errors.Is(err, fs.ErrNotExist) {
						return err
					}
					os.Remove(filepath.Join(dir, name))
				}
			}
		}
	}
	for _, st := range states {
		if err := s.syncers[st].sync(); err != nil {
			return err
		}
	}
	return nil
}

// stateOf finds the folder other than not that holds id's .json.
func (s *Folder) stateOf(id string, not State) (State, bool) {
	for _, st := range states {
		if st == not {
			continue
		}
		if _, err := os.Lstat(s.Path(st, id, ".json")); err == nil {
			return st, true
		}
	}
	return 0, false
}

// writeTemp writes data to a new closed file in tmp/, fsynced when sync is
// set, and returns its path.
func (s *Folder) writeTemp(name string, data []byte, sync bool) (string, error) {
	f, err := s.createTemp(name, data)
	if err != nil {
		return "", err
	}
	if sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// replaceFile atomically replaces path with data (temp file and rename),
// without fsync: losing the update to a power cut only loses bookkeeping.
func (s *Folder) replaceFile(path string, data []byte) error {
	tmp, err := s.writeTemp(filepath.Base(path), data, false)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// inPlaceMax is the largest content rewriteInPlace writes: one page, which
// the kernel copies in one step, so that a process killed during the write
// leaves either the old content or the new one.
const inPlaceMax = 4096

// rewriteInPlace overwrites the JSON file at path with data, padded with
// spaces before its final newline to at least the file's size so that no
// truncation is needed, in one write at offset 0. It reports false, having
// changed nothing, when that cannot be done; the caller then replaces the
// file.
func rewriteInPlace(path string, data []byte) bool {
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return false
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return false
	}
	if pad := int(info.Size()) - len(data); pad > 0 {
		data = append(append(data[:len(data)-1:len(data)-1], bytes.Repeat([]byte(" "), pad)...), '\n')
	}
	if len(data) > inPlaceMax {
		return false
	}
	n, err := f.WriteAt(data, 0)
	return err == nil && n == len(data)
}

// move takes a queued message to a final folder: the .json first (the
// commit), rewritten with e's final state just before, then the .eml. failure,
// when not nil, is written beside it first. With to == StateSent and
// DeleteSent, both files are deleted instead, .json first.
func (s *Folder) move(e *Entry, to State, failure *Failure) error {
	id := e.ID
	if to == StateSent && s.opts.DeleteSent {
		if err := os.Remove(s.Path(StateQueued, id, ".json")); err != nil {
			return err
		}
		os.Remove(s.Path(StateQueued, id, ".eml"))
		s.syncers[StateQueued].dirty()
		return nil
	}
	if failure != nil {
		b, err := jsonLine(failure)
		if err != nil {
			return err
		}
		if err := s.replaceFile(s.Path(to, id, ".error.json"), b); err != nil {
			return err
		}
	}
	// The .json gets its final content before it moves, so that whoever
	// reads it in its new folder reads the final state.
	b, err := e.marshal()
	if err != nil {
		return err
	}
	// A sent message's .json is rewritten in place: replacing it would
	// take a new inode and free the old one for every message, and on a
	// file system that skips recently freed inodes when it allocates (ext4
	// without a journal) each later file of the folder would cost more.
	// What it holds is bookkeeping: a crash before the rename below leaves
	// the message queued, to be sent again, as the promise allows.
	if to != StateSent || !rewriteInPlace(s.Path(StateQueued, id, ".json"), b) {
		if err := s.replaceFile(s.Path(StateQueued, id, ".json"), b); err != nil {
			return err
		}
	}
	if err := os.Rename(s.Path(StateQueued, id, ".json"), s.Path(to, id, ".json")); err != nil {
		return err
	}
	e.State = to
	if err := os.Rename(s.Path(StateQueued, id, ".eml"), s.Path(to, id, ".eml")); err != nil {
		return err
	}
	s.syncers[StateQueued].dirty()
	s.syncers[to].dirty()
	return nil
}

// dirSyncer fsyncs one directory, sharing one fsync among the callers that
// ask at the same time (group commit): a caller waits for an fsync that
// started after it asked.
type dirSyncer struct {
	path string

	mu      sync.Mutex
	cond    *sync.Cond
	running bool
	want    uint64 // requests so far
	done    uint64 // requests covered by a finished fsync
	err     error  // of the last fsync
	isDirty bool
}

func (d *dirSyncer) sync() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cond == nil {
		d.cond = sync.NewCond(&d.mu)
	}
	d.want++
	me := d.want
	for d.done < me {
		if d.running {
			d.cond.Wait()
			continue
		}
		d.running = true
		target := d.want
		d.isDirty = false
		d.mu.Unlock()
		err := atomicfile.SyncDir(d.path)
		if err != nil {
			err = fmt.Errorf("fsync %s: %w", d.path, err)
		}
		d.mu.Lock()
		d.running = false
		d.done, d.err = target, err
		d.cond.Broadcast()
	}
	return d.err
}

// dirty notes a change that a later flush must make durable.
func (d *dirSyncer) dirty() {
	d.mu.Lock()
	d.isDirty = true
	d.mu.Unlock()
}

// flush fsyncs the directory if it changed since the last fsync.
func (d *dirSyncer) flush() error {
	d.mu.Lock()
	dirty := d.isDirty
	d.mu.Unlock()
	if !dirty {
		return nil
	}
	return d.sync()
}
