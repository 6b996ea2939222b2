package mailer

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// enqueueReq is one Enqueue waiting for its files to be made durable.
type enqueueReq struct {
	id        string
	eml, json *os.File // written, not yet fsynced, still open
	done      chan error
}

// committer makes enqueued files durable in groups (group commit): the
// first caller to arrive fsyncs the files of every caller waiting, in
// parallel so that the file system can merge them into one journal commit,
// renames them into queue/ and fsyncs the folder once for all. Callers
// that arrive meanwhile form the next group. A lone caller pays the same
// three fsyncs as without grouping; a hundred concurrent callers pay about
// as much as one.
type committer struct {
	mu      sync.Mutex
	pending []*enqueueReq
	running bool
}

// commit makes r durable and returns once its .json is in queue/ and the
// folder is fsynced, or with the error that stopped it.
func (s *Spool) commit(r *enqueueReq) error {
	c := &s.committer
	c.mu.Lock()
	c.pending = append(c.pending, r)
	if c.running {
		c.mu.Unlock()
		return <-r.done
	}
	c.running = true
	for len(c.pending) > 0 {
		group := c.pending
		c.pending = nil
		c.mu.Unlock()
		s.commitGroup(group)
		c.mu.Lock()
	}
	c.running = false
	c.mu.Unlock()
	return <-r.done
}

func (s *Spool) commitGroup(group []*enqueueReq) {
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
	ok := 0
	for i, r := range group {
		if errs[i] == nil {
			// The .eml goes first: a .json in queue/ always has its message.
			errs[i] = os.Rename(r.eml.Name(), s.Path(StateQueued, r.id, ".eml"))
			if errs[i] == nil {
				if errs[i] = os.Rename(r.json.Name(), s.Path(StateQueued, r.id, ".json")); errs[i] != nil {
					os.Remove(s.Path(StateQueued, r.id, ".eml"))
				}
			}
		}
		if errs[i] != nil {
			os.Remove(r.eml.Name())
			os.Remove(r.json.Name())
			errs[i] = fmt.Errorf("mailer: spool: write %s: %w", r.id, errs[i])
			continue
		}
		ok++
	}
	if ok > 0 {
		if err := syncDir(filepath.Join(s.dir, StateQueued.String())); err != nil {
			for i := range errs {
				if errs[i] == nil {
					errs[i] = fmt.Errorf("mailer: spool: fsync queue: %w", err)
				}
			}
		}
	}
	for i, r := range group {
		r.done <- errs[i]
	}
}

// createTemp writes data to a new file in tmp/ and returns it open,
// neither fsynced nor closed.
func (s *Spool) createTemp(name string, data []byte) (*os.File, error) {
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
