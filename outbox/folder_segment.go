package outbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A segment is one file holding a group of messages enqueued together:
//
//	mailtrail-outbox-segment 1 LEN\n    the header; LEN is the index's length
//	{"messages":[{"entry":{…},"offset":N},…]}\n    the index: each Entry as enqueued
//	message bytes, one after the other    (offset N from the end of the index)
//	{"id":…,"state":…,"entry":{…}}\n    the log: one record a line, appended
//
// The header, index and messages are written once, fsynced, and renamed
// into queue/ (the commit). The log that follows says what became of each
// message since: "queued" (a retry is due at entry.next_attempt), "sent",
// or "failed" or "unknown" when the message was moved out to its own files
// in that folder. A message's last record is its state; one with none is
// queued as enqueued. When no message of a segment is left queued, the
// segment moves to sent/ (or is deleted, with DeleteSent).
const (
	segMagic = "mailtrail-outbox-segment 1 "
	segExt   = ".seg"
)

// segItem is one message in a segment's index.
type segItem struct {
	Entry  *Entry `json:"entry"`
	Offset int64  `json:"offset"` // of its bytes, from the end of the index
}

// segRecord is one line of a segment's log.
type segRecord struct {
	ID    string `json:"id"`
	State string `json:"state"` // "queued", "sent", "failed" or "unknown"
	Entry *Entry `json:"entry,omitempty"`
}

// segment is the index of a segment file: what never changes once it is
// committed.
type segment struct {
	name   string
	items  []segItem
	byID   map[string]int
	dataAt int64 // where the first message's bytes start
	logAt  int64 // where the log starts, after the last message
}

// encodeSegment returns a segment's file content: entries and their
// messages' bytes, with an empty log.
func encodeSegment(entries []*Entry, data [][]byte) ([]byte, error) {
	items := make([]segItem, len(entries))
	var off int64
	for i, e := range entries {
		c := *e
		c.Failure = nil
		items[i] = segItem{Entry: &c, Offset: off}
		off += int64(len(data[i]))
	}
	idx, err := json.Marshal(struct {
		Messages []segItem `json:"messages"`
	}{items})
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	idx = append(idx, '\n')
	head := segMagic + strconv.Itoa(len(idx)) + "\n"
	buf := make([]byte, 0, len(head)+len(idx)+int(off))
	buf = append(append(buf, head...), idx...)
	for _, d := range data {
		buf = append(buf, d...)
	}
	return buf, nil
}

// readSegmentIndex reads the header and index of the segment file f. It
// trusts no length in it beyond the file's size: a header or an index
// claiming more is refused before anything that large is allocated.
func readSegmentIndex(f *os.File, name string) (*segment, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	head := make([]byte, len(segMagic)+24)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	line, _, ok := bytes.Cut(head[:n], []byte("\n"))
	size, serr := strconv.Atoi(strings.TrimPrefix(string(line), segMagic))
	if !ok || !bytes.HasPrefix(line, []byte(segMagic)) || serr != nil || size <= 0 {
		return nil, fmt.Errorf("outbox: %s: not a segment (bad header)", name)
	}
	dataAt := int64(len(line)+1) + int64(size)
	if int64(size) > info.Size() || dataAt > info.Size() {
		return nil, fmt.Errorf("outbox: %s: cut short (%d bytes, the index ends at %d)", name, info.Size(), dataAt)
	}
	idx := make([]byte, size)
	if _, err := f.ReadAt(idx, int64(len(line)+1)); err != nil {
		return nil, fmt.Errorf("outbox: %s: index: %w", name, err)
	}
	var v struct {
		Messages []segItem `json:"messages"`
	}
	if err := json.Unmarshal(idx, &v); err != nil {
		return nil, fmt.Errorf("outbox: %s: index: %w", name, err)
	}
	seg := &segment{name: name, items: v.Messages, byID: make(map[string]int, len(v.Messages)), dataAt: dataAt, logAt: dataAt}
	for i, it := range v.Messages {
		if it.Entry == nil || it.Entry.ID == "" || it.Offset < 0 || it.Entry.Size < 0 {
			return nil, fmt.Errorf("outbox: %s: index: bad message %d", name, i)
		}
		if room := info.Size() - dataAt; it.Offset > room || int64(it.Entry.Size) > room-it.Offset {
			return nil, fmt.Errorf("outbox: %s: index: message %d (%d bytes at %d) past the end of the file (%d bytes)",
				name, i, it.Entry.Size, dataAt+it.Offset, info.Size())
		}
		seg.byID[it.Entry.ID] = i
		seg.logAt = max(seg.logAt, dataAt+it.Offset+int64(it.Entry.Size))
	}
	return seg, nil
}

// readSegmentLog reads the log of the segment file f: the last record of
// each message, by id. torn reports a last line cut short by a crash,
// which is ignored (the next record starts on a new line).
func readSegmentLog(f *os.File, seg *segment) (last map[string]segRecord, torn bool, err error) {
	info, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	last = map[string]segRecord{}
	if info.Size() < seg.logAt {
		return nil, false, fmt.Errorf("outbox: %s: cut short (%d bytes, want at least %d)", seg.name, info.Size(), seg.logAt)
	}
	if info.Size() == seg.logAt {
		return last, false, nil
	}
	b := make([]byte, info.Size()-seg.logAt)
	if _, err := f.ReadAt(b, seg.logAt); err != nil && !errors.Is(err, io.EOF) {
		return nil, false, err
	}
	torn = b[len(b)-1] != '\n'
	for line := range bytes.Lines(b) {
		var r segRecord
		if json.Unmarshal(line, &r) != nil {
			continue // a record torn by a crash
		}
		if _, ok := seg.byID[r.ID]; ok && r.ID != "" {
			last[r.ID] = r
		}
	}
	return last, torn, nil
}

// segRecordState reads a record's state.
func segRecordState(r segRecord) (State, bool) {
	st, err := ParseState(r.State)
	return st, err == nil
}

// segmentPath returns the path of a segment in queue/ or sent/.
func (s *Folder) segmentPath(where State, name string) string {
	return filepath.Join(s.dir, dirOf(where), name)
}

// segmentNames lists the segments of queue/ and sent/ and where each is;
// one moved between the two while they were read is listed once.
func (s *Folder) segmentNames() (map[string]State, error) {
	out := map[string]State{}
	for _, st := range []State{StateSent, StateQueued} {
		des, err := os.ReadDir(filepath.Join(s.dir, dirOf(st)))
		if err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
		for _, de := range des {
			if strings.HasSuffix(de.Name(), segExt) {
				out[de.Name()] = st
			}
		}
	}
	return out, nil
}

// openSegment opens a segment found in where, or moved since to the other
// of queue/ and sent/, and returns its index and where it is now.
func (s *Folder) openSegment(name string, where State, flag int) (*os.File, *segment, State, error) {
	other := StateSent
	if where == StateSent {
		other = StateQueued
	}
	f, err := os.OpenFile(s.segmentPath(where, name), flag, 0)
	if errors.Is(err, fs.ErrNotExist) {
		where = other
		f, err = os.OpenFile(s.segmentPath(where, name), flag, 0)
	}
	if err != nil {
		return nil, nil, where, err
	}
	seg, err := s.segmentIndex(f, name)
	if err != nil {
		f.Close()
		return nil, nil, where, err
	}
	return f, seg, where, nil
}

// segmentIndex reads the index of the open segment f, and keeps its ids
// in the cache.
func (s *Folder) segmentIndex(f *os.File, name string) (*segment, error) {
	seg, err := readSegmentIndex(f, name)
	if err != nil {
		return nil, err
	}
	s.segIDs.put(name, seg.byID)
	return seg, nil
}

// readSegment returns the messages of a segment as they stand: each one's
// latest entry with its State, in index order; nil for one moved out to
// its own files (failed or unknown, perhaps queued again since).
func (s *Folder) readSegment(name string, where State) (*segment, []*Entry, error) {
	f, seg, _, err := s.openSegment(name, where, os.O_RDONLY)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	last, _, err := readSegmentLog(f, seg)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*Entry, len(seg.items))
	for i, it := range seg.items {
		r, ok := last[it.Entry.ID]
		if !ok {
			e := *it.Entry
			e.State = StateQueued
			out[i] = &e
			continue
		}
		st, ok := segRecordState(r)
		if !ok || st == StateFailed || st == StateUnknown {
			continue
		}
		e := *it.Entry
		if r.Entry != nil {
			e = *r.Entry
		}
		e.State = st
		out[i] = &e
	}
	return seg, out, nil
}

// segmentEntries calls fn with every message of every segment of queue/
// and sent/ as it stands (see readSegment). A segment gone while it was
// read (delivered and deleted) is skipped.
func (s *Folder) segmentEntries(fn func(seg *segment, i int, e *Entry)) error {
	names, err := s.segmentNames()
	if err != nil {
		return err
	}
	for name, where := range names {
		seg, ents, err := s.readSegment(name, where)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("outbox: %s: %w", name, err)
		}
		for i, e := range ents {
			if e != nil {
				fn(seg, i, e)
			}
		}
	}
	return nil
}

// segmentMessage reads the bytes of a segment's message i.
func segmentMessage(f *os.File, seg *segment, i int) ([]byte, error) {
	it := seg.items[i]
	data := make([]byte, it.Entry.Size)
	if _, err := f.ReadAt(data, seg.dataAt+it.Offset); err != nil {
		return nil, fmt.Errorf("outbox: %s: message %s: %w", seg.name, it.Entry.ID, err)
	}
	return data, nil
}
