package outbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/mailtrail/mailtrail/internal/atomicfile"
)

// enqueueReq is one message waiting for its files to be made durable.
type enqueueReq struct {
	id        string
	eml, json *os.File // written, not yet fsynced, still open
	err       error    // set by commitGroup
}

// commitBatch is the requests of one caller, done when all are committed.
type commitBatch struct {
	reqs []*enqueueReq
	done chan struct{}
}

// committer makes enqueued files durable in groups (group commit): the
// first caller to arrive commits the files of every caller waiting, renames
// them into queue/ and fsyncs the folder once for all. Callers that arrive
// meanwhile form the next group. A group of at least syncfsMinGroup messages
// is made durable with one syncfs(2) where the platform has it (one journal
// commit for the lot); a smaller one, or one elsewhere, fsyncs its files in
// parallel so that the file system can merge them into few journal commits.
// EnqueueBatch hands in a whole group at once; concurrent Enqueue calls
// form groups too.
type committer struct {
	mu      sync.Mutex
	pending []*commitBatch
	running bool
}

// syncfsMinGroup is the smallest group made durable with one syncfs rather
// than one fsync per file: syncfs also writes out whatever else is dirty on
// the file system, which a lone message should not wait for.
const syncfsMinGroup = 4

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

func (s *Folder) commitGroup(group []*enqueueReq) {
	if s.groupSync && len(group) >= syncfsMinGroup {
		s.syncGroupFS(group)
	} else {
		s.syncGroupFiles(group)
	}
	ok := 0
	for _, r := range group {
		if r.err == nil {
			// The .eml goes first: a .json in queue/ always has its message.
			r.err = os.Rename(r.eml.Name(), s.Path(StateQueued, r.id, ".eml"))
			if r.err == nil {
				if r.err = os.Rename(r.json.Name(), s.Path(StateQueued, r.id, ".json")); r.err != nil {
					os.Remove(s.Path(StateQueued, r.id, ".eml"))
				}
			}
		}
		if r.err != nil {
			os.Remove(r.eml.Name())
			os.Remove(r.json.Name())
			r.err = fmt.Errorf("outbox %s: write %s: %w", s.dir, r.id, r.err)
			continue
		}
		ok++
	}
	if ok > 0 {
		if err := atomicfile.SyncDir(filepath.Join(s.dir, dirOf(StateQueued))); err != nil {
			for _, r := range group {
				if r.err == nil {
					r.err = fmt.Errorf("outbox %s: fsync queue: %w", s.dir, err)
				}
			}
		}
	}
}

// syncGroupFiles fsyncs and closes every file of the group, 32 at a time.
func (s *Folder) syncGroupFiles(group []*enqueueReq) {
	errs := make([]error, len(group))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i, r := range group {
		for _, f := range []*os.File{r.eml, r.json} {
			wg.Go(func() {
				sem <- struct{}{}
				err := f.Sync()
				<-sem
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					errs[i] = err // the same error from both files is fine
				}
			})
		}
	}
	wg.Wait()
	for i, r := range group {
		r.err = errs[i]
	}
}

// syncGroupFS closes every file of the group and makes them all durable
// with one syncfs of the folder's file system: their data, their inodes and
// their names in tmp/, so that the renames that follow move durable files.
func (s *Folder) syncGroupFS(group []*enqueueReq) {
	for _, r := range group {
		err := r.eml.Close()
		if cerr := r.json.Close(); err == nil {
			err = cerr
		}
		r.err = err
	}
	if err := syncFileSystem(filepath.Join(s.dir, "tmp")); err != nil {
		for _, r := range group {
			if r.err == nil {
				r.err = err
			}
		}
	}
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
