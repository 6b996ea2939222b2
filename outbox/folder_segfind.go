package outbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
)

// segIDCache keeps the ids of the segments read so far, by segment name:
// they never change. Only the ids are kept, so that a folder of many sent
// segments costs little memory; the entries are read again when needed.
type segIDCache struct {
	mu  sync.Mutex
	ids map[string]map[string]int // segment name -> message id -> index
}

func (c *segIDCache) get(name string) map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ids[name]
}

func (c *segIDCache) put(name string, ids map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids = map[string]map[string]int{}
	}
	c.ids[name] = ids
}

// keep forgets the segments not in names: deleted ones.
func (c *segIDCache) keep(names map[string]State) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name := range c.ids {
		if _, ok := names[name]; !ok {
			delete(c.ids, name)
		}
	}
}

// segRef is a segment listed in queue/ or sent/, with its messages' ids.
type segRef struct {
	name  string
	where State
	ids   map[string]int
}

// listSegments returns the segments now in queue/ and sent/ with their
// ids, each segment's index read once and its ids cached.
func (s *Folder) listSegments() ([]segRef, error) {
	names, err := s.segmentNames()
	if err != nil {
		return nil, err
	}
	s.segIDs.keep(names)
	out := make([]segRef, 0, len(names))
	for name, where := range names {
		ids := s.segIDs.get(name)
		if ids == nil {
			f, seg, _, err := s.openSegment(name, where, os.O_RDONLY)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("outbox: %s: %w", name, err)
			}
			f.Close()
			ids = seg.byID
		}
		out = append(out, segRef{name, where, ids})
	}
	return out, nil
}

// findInSegments returns the entry of id in a segment and the segment's
// reference, ErrNotFound, or errMovedOut for a message moved out of its
// segment to its own files.
func (s *Folder) findInSegments(id string) (*Entry, segRef, error) {
	refs, err := s.listSegments()
	if err != nil {
		return nil, segRef{}, err
	}
	for _, ref := range refs {
		i, ok := ref.ids[id]
		if !ok {
			continue
		}
		_, ents, err := s.readSegment(ref.name, ref.where)
		if err != nil {
			return nil, ref, fmt.Errorf("outbox: %s: %w", ref.name, err)
		}
		if ents[i] == nil {
			return nil, ref, errMovedOut
		}
		return ents[i], ref, nil
	}
	return nil, segRef{}, ErrNotFound
}

// errMovedOut is findInSegments' word for a message moved out of its
// segment to its own files.
var errMovedOut = errors.New("outbox: moved out of its segment")

// segmentsHolding returns whether one of the segments now in queue/ or
// sent/ holds a message id (in any state, moved out included).
func (s *Folder) segmentsHolding() (func(id string) bool, error) {
	refs, err := s.listSegments()
	if err != nil {
		return nil, err
	}
	return func(id string) bool {
		for _, ref := range refs {
			if _, ok := ref.ids[id]; ok {
				return true
			}
		}
		return false
	}, nil
}
