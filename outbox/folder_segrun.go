package outbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sync"
	"time"
)

// liveSeg is a segment of queue/ that this process's Run delivers from.
type liveSeg struct {
	seg   *segment
	f     *os.File // open to read the messages and append to the log
	mu    sync.Mutex
	left  int  // messages neither sent nor moved out; guarded by segRun.mu
	torn  bool // the log ends in a torn record: the next starts on a new line
	dirty bool // appended to since the last fsync
}

// liveMsg is one queued message of a live segment.
type liveMsg struct {
	ls *liveSeg
	i  int
	e  *Entry // its latest entry; guarded by segRun.mu
}

// segRun is what Run knows of the segments it delivers from.
type segRun struct {
	adopt  sync.Mutex // one adoptSegment at a time
	mu     sync.Mutex
	active bool
	segs   map[string]*liveSeg // by file name
	msgs   map[string]*liveMsg // by message id
	done   map[string]bool     // segments this Run finished
}

// startSegments resets the live segments for a new Run.
func (s *Folder) startSegments() {
	r := &s.live
	r.mu.Lock()
	r.active, r.segs, r.msgs, r.done = true, map[string]*liveSeg{}, map[string]*liveMsg{}, map[string]bool{}
	r.mu.Unlock()
}

// stopSegments makes the logs of the live segments durable and closes
// them, when Run ends.
func (s *Folder) stopSegments() {
	r := &s.live
	r.mu.Lock()
	segs := r.segs
	r.active, r.segs, r.msgs, r.done = false, nil, nil, nil
	r.mu.Unlock()
	for _, ls := range segs {
		s.syncLog(ls)
		ls.f.Close()
	}
}

// flushSegments fsyncs the logs appended to since the last flush: losing
// a record to a power cut only sends a message again.
func (s *Folder) flushSegments() {
	r := &s.live
	r.mu.Lock()
	segs := make([]*liveSeg, 0, len(r.segs))
	for _, ls := range r.segs {
		segs = append(segs, ls)
	}
	r.mu.Unlock()
	for _, ls := range segs {
		s.syncLog(ls)
	}
}

func (s *Folder) syncLog(ls *liveSeg) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if !ls.dirty {
		return
	}
	ls.dirty = false
	if err := ls.f.Sync(); err != nil {
		s.log.Warn("outbox: fsync", "segment", ls.seg.name, "err", err)
	}
}

// dueMsg is a queued message for the scheduler.
type dueMsg struct {
	id string
	at time.Time
}

// adoptSegment makes the segment name of queue/ live and returns its
// queued messages. fresh is for a segment this process just committed,
// whose log is empty. A segment with nothing left queued (a crash came
// before it moved) moves to sent/ now. It does nothing when Run is not
// running or knows the segment already.
func (s *Folder) adoptSegment(name string, fresh bool) ([]dueMsg, error) {
	r := &s.live
	r.adopt.Lock()
	defer r.adopt.Unlock()
	r.mu.Lock()
	known := !r.active || r.segs[name] != nil || r.done[name]
	r.mu.Unlock()
	if known {
		return nil, nil
	}
	ls, last, err := s.openLive(name)
	if ls == nil || err != nil {
		return nil, err
	}
	msgs, out := s.queuedInSegment(ls, last, fresh)
	ls.left = len(msgs)
	r.mu.Lock()
	if !r.active {
		r.mu.Unlock()
		ls.f.Close()
		return nil, nil
	}
	if ls.left == 0 {
		r.done[name] = true
	} else {
		r.segs[name] = ls
		for id, m := range msgs {
			r.msgs[id] = m
		}
	}
	r.mu.Unlock()
	if ls.left == 0 {
		s.finishSegment(ls)
	}
	return out, nil
}

// openLive opens the segment name of queue/ to read and append to, with
// the last record of each of its messages. It returns a nil liveSeg and
// no error when the segment has moved to sent/ meanwhile.
func (s *Folder) openLive(name string) (*liveSeg, map[string]segRecord, error) {
	f, seg, where, err := s.openSegment(name, StateQueued, os.O_RDWR|os.O_APPEND)
	if err != nil || where != StateQueued {
		if f != nil {
			f.Close()
		}
		if errors.Is(err, fs.ErrNotExist) || where != StateQueued {
			return nil, nil, nil // moved to sent/ meanwhile
		}
		return nil, nil, err
	}
	last, torn, err := readSegmentLog(f, seg)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return &liveSeg{seg: seg, f: f, torn: torn}, last, nil
}

// queuedInSegment returns the messages of ls still queued, by id and for
// the scheduler, given the last record of each. fresh is for a segment
// this process just committed, whose log is empty.
func (s *Folder) queuedInSegment(ls *liveSeg, last map[string]segRecord, fresh bool) (map[string]*liveMsg, []dueMsg) {
	msgs := map[string]*liveMsg{}
	var out []dueMsg
	for i, it := range ls.seg.items {
		e := it.Entry
		if rec, ok := last[e.ID]; ok {
			st, _ := segRecordState(rec)
			if st != StateQueued {
				continue
			}
			if rec.Entry != nil {
				e = rec.Entry
			}
		} else if !fresh {
			// Moved out to its own files by a Run that crashed before
			// it could say so here.
			if st, ok := s.ownFiles(e.ID); ok {
				s.appendRecord(ls, segRecord{ID: e.ID, State: st.String()})
				continue
			}
		}
		c := *e
		c.State = StateQueued
		msgs[e.ID] = &liveMsg{ls: ls, i: i, e: &c}
		out = append(out, dueMsg{id: e.ID, at: c.Next})
	}
	return msgs, out
}

// ownFiles reports whether id has its own .json in queue/, failed/ or
// unknown/, and in which.
func (s *Folder) ownFiles(id string) (State, bool) {
	for _, st := range []State{StateQueued, StateFailed, StateUnknown} {
		if _, err := os.Lstat(s.Path(st, id, ".json")); err == nil {
			return st, true
		}
	}
	return 0, false
}

// liveMessage returns the live segment message with that id, or nil.
func (s *Folder) liveMessage(id string) *liveMsg {
	r := &s.live
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.msgs[id]
}

// loadLive returns a copy of the message's latest entry and its bytes.
func (s *Folder) loadLive(m *liveMsg) (*Entry, []byte, error) {
	s.live.mu.Lock()
	e := *m.e
	s.live.mu.Unlock()
	e.To, e.Delivered = slices.Clone(e.To), slices.Clone(e.Delivered)
	data, err := segmentMessage(m.ls.f, m.ls.seg, m.i)
	return &e, data, err
}

// appendRecord appends r to the log of ls in one write.
func (s *Folder) appendRecord(ls *liveSeg, r segRecord) error {
	b, err := json.Marshal(&r)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	b = append(b, '\n')
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.torn {
		b = append([]byte{'\n'}, b...)
	}
	if _, err := ls.f.Write(b); err != nil {
		return fmt.Errorf("outbox: %s: %w", ls.seg.name, err)
	}
	ls.torn, ls.dirty = false, true
	return nil
}

// fileLive records a decision on a segment's message: a retry or a
// delivery is a record in the segment's log; a failure moves the message
// out to its own files in failed/ or unknown/ first.
func (s *Folder) fileLive(m *liveMsg, e *Entry, st State, failure *Failure, data []byte) error {
	if st == StateFailed || st == StateUnknown {
		if err := s.moveOut(e, st, failure, data); err != nil {
			return err
		}
	}
	rec := segRecord{ID: e.ID, State: st.String()}
	if st == StateQueued || st == StateSent {
		rec.Entry = e
	}
	if err := s.appendRecord(m.ls, rec); err != nil {
		return err
	}
	e.State = st
	r := &s.live
	r.mu.Lock()
	if st == StateQueued {
		c := *e
		m.e = &c
		r.mu.Unlock()
		return nil
	}
	delete(r.msgs, e.ID)
	m.ls.left--
	finished := m.ls.left == 0
	if finished {
		delete(r.segs, m.ls.seg.name)
		r.done[m.ls.seg.name] = true
	}
	r.mu.Unlock()
	if finished {
		s.finishSegment(m.ls)
	}
	return nil
}

// moveOut writes a segment's message as its own files in failed/ or
// unknown/ (with its Failure beside it), the .json last, each fsynced
// with its folder: its record in the segment's log comes after.
func (s *Folder) moveOut(e *Entry, to State, failure *Failure, data []byte) error {
	c := *e
	c.State = to
	js, err := c.marshal()
	if err != nil {
		return err
	}
	type file struct {
		ext  string
		data []byte
	}
	files := []file{{".eml", data}}
	if failure != nil {
		b, err := jsonLine(failure)
		if err != nil {
			return err
		}
		files = append(files, file{".error.json", b})
	}
	files = append(files, file{".json", js})
	for _, f := range files {
		tmp, err := s.writeTemp(e.ID+f.ext, f.data, true)
		if err != nil {
			return err
		}
		if err := os.Rename(tmp, s.Path(to, e.ID, f.ext)); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	return s.syncers[to].sync()
}

// finishSegment moves a segment with nothing left queued to sent/, or
// deletes it with DeleteSent, its log fsynced first.
func (s *Folder) finishSegment(ls *liveSeg) {
	name := ls.seg.name
	ls.mu.Lock()
	err := ls.f.Sync()
	ls.dirty = false
	ls.f.Close()
	ls.mu.Unlock()
	if err == nil {
		if s.opts.DeleteSent {
			err = os.Remove(s.segmentPath(StateQueued, name))
		} else {
			err = os.Rename(s.segmentPath(StateQueued, name), s.segmentPath(StateSent, name))
			s.syncers[StateSent].dirty()
		}
		s.syncers[StateQueued].dirty()
	}
	if err != nil {
		s.log.Error("outbox: file segment", "segment", name, "err", err)
	}
}
