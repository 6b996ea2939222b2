package outbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/mailtrail/mailtrail/internal/atomicfile"
)

// enqueueReq is one message waiting to be made durable.
type enqueueReq struct {
	e    *Entry
	data []byte
	err  error // set by commitGroup
}

// commitBatch is the requests of one caller, done when all are committed.
type commitBatch struct {
	reqs []*enqueueReq
	done chan struct{}
}

// committer makes enqueued messages durable in groups (group commit): the
// first caller to arrive writes the messages of every caller waiting into
// one segment file, fsyncs it, renames it into queue/ and fsyncs the folder,
// once for all. Callers that arrive meanwhile form the next group.
// EnqueueBatch hands in a whole group at once; concurrent Enqueue calls
// form groups too.
type committer struct {
	mu      sync.Mutex
	pending []*commitBatch
	running bool
}

// commit makes reqs durable and returns once each one's .json is in queue/
// and the folder is fsynced, or with each one's error in req.err.
func (s *Folder) commit(reqs []*enqueueReq) {
	b := &commitBatch{reqs: reqs, done: make(chan struct{})}
	c := &s.committer
	c.mu.Lock()
	c.pending = append(c.pending, b)
	if c.running {
		c.mu.Unlock()
		<-b.done
		return
	}
	c.running = true
	for len(c.pending) > 0 {
		batches := c.pending
		c.pending = nil
		c.mu.Unlock()
		var group []*enqueueReq
		for _, b := range batches {
			group = append(group, b.reqs...)
		}
		s.commitGroup(group)
		for _, b := range batches {
			close(b.done)
		}
		c.mu.Lock()
	}
	c.running = false
	c.mu.Unlock()
	<-b.done
}

// commitGroup writes group as one segment: to tmp/, fsynced, renamed into
// queue/ (the commit), and the folder fsynced. Run, when it is going on,
// takes the segment's messages at once.
func (s *Folder) commitGroup(group []*enqueueReq) {
	entries := make([]*Entry, len(group))
	data := make([][]byte, len(group))
	for i, r := range group {
		entries[i], data[i] = r.e, r.data
	}
	name := newID(s.opts.Now()) + segExt
	err := s.writeSegment(name, entries, data)
	for _, r := range group {
		r.err = err
	}
	if err != nil {
		return
	}
	dues, err := s.adoptSegment(name, true)
	if err != nil {
		s.log.Warn("outbox: read segment", "segment", name, "err", err)
	}
	for _, d := range dues {
		s.sched.add(d.id, d.at)
	}
}

// writeSegment writes and commits one segment.
func (s *Folder) writeSegment(name string, entries []*Entry, data [][]byte) error {
	b, err := encodeSegment(entries, data)
	if err == nil {
		var tmp string
		if tmp, err = s.writeTemp(name, b, true); err == nil {
			if err = os.Rename(tmp, s.segmentPath(StateQueued, name)); err != nil {
				os.Remove(tmp)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("outbox %s: write %s: %w", s.dir, name, err)
	}
	if err := atomicfile.SyncDir(filepath.Join(s.dir, dirOf(StateQueued))); err != nil {
		return fmt.Errorf("outbox %s: fsync queue: %w", s.dir, err)
	}
	return nil
}

// createTemp writes data to a new file in tmp/ and returns it open,
// neither fsynced nor closed.
func (s *Folder) createTemp(name string, data []byte) (*os.File, error) {
	s.mu.Lock()
	s.tmpSeq++
	seq := s.tmpSeq
	s.mu.Unlock()
	path := filepath.Join(s.dir, "tmp", strconv.Itoa(os.Getpid())+"."+strconv.FormatUint(seq, 10)+"."+name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return f, nil
}
