package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrail/mailtrail/internal/lineartest"
)

// segName is the name the segment files of these tests are read under.
const segName = "test.seg"

// openSegmentFile writes b to a segment file and opens it to read and
// append, as Run does.
func openSegmentFile(t testing.TB, dir string, b []byte) *os.File {
	t.Helper()
	path := filepath.Join(dir, segName)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// storeSegment returns the segment file the folder store writes for a
// batch of n messages, after a Run that delivered some of them: a real
// header, index, messages and log.
func storeSegment(t testing.TB, n, sent int) []byte {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	s, err := OpenFolder(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnqueueBatch(ctx, spoolBatchItems(n)); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	s1, err := OpenFolder(dir, &FolderOptions{Transport: &stopAfter{n: sent, stop: cancel}, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.Run(runCtx); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*", "*"+segExt))
	if err != nil || len(files) != 1 {
		t.Fatalf("segments %q (%v), want one", files, err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hostileSegments are segment files with lengths and records that lie.
func hostileSegments(t testing.TB) map[string][]byte {
	t.Helper()
	real := storeSegment(t, 5, 2)
	index := func(items string) []byte {
		idx := `{"messages":[` + items + `]}` + "\n"
		return []byte(segMagic + fmt.Sprint(len(idx)) + "\n" + idx + "0123456789")
	}
	many := bytes.Clone(real)
	for i := range 300 {
		many = fmt.Appendf(many, `{"id":"nope%d","state":"sent"}`+"\n", i)
	}
	return map[string][]byte{
		"real":             real,
		"huge index":       []byte(segMagic + "99999999999999\n{}"),
		"largest index":    []byte(segMagic + "9223372036854775807\n{}"),
		"index past end":   []byte(segMagic + "200\n" + `{"messages":[]}` + "\n"),
		"huge message":     index(`{"entry":{"id":"a","size":1099511627776},"offset":0}`),
		"huge offset":      index(`{"entry":{"id":"a","size":5},"offset":9223372036854775000}`),
		"message past end": index(`{"entry":{"id":"a","size":8},"offset":4}`),
		"truncated index":  real[:len(segMagic)+20],
		"garbage log":      append(bytes.Clone(real), "garbage\n{\n\x00\xff\n[]\n\"x\"\n"...),
		"torn tail":        append(bytes.Clone(real), `{"id":"`...),
		"many records":     many,
	}
}

// FuzzReadSegment reads arbitrary bytes as a segment file, and checks
// that a segment written by encodeSegment reads back exactly.
//
// file is read as a segment: reading never panics, never reads past the
// file nor allocates far beyond its size, and its errors name the
// segment. msgs, split at each NUL, are the messages of a segment
// written by encodeSegment, with records appended to its log (one cut
// short in the middle when the first message starts with an odd byte):
// its entries, message bytes and last records read back as written.
func FuzzReadSegment(f *testing.F) {
	for _, b := range hostileSegments(f) {
		f.Add(b, []byte("a\x00bc\x00\x00def"))
	}
	f.Add([]byte{}, []byte{})
	f.Add([]byte(segMagic), []byte("\x00\x00\x00"))
	dir := f.TempDir() // one for each fuzzing process, reused: inputs run one at a time
	f.Fuzz(func(t *testing.T, file, msgs []byte) {
		checkReadSegment(t, dir, file)
		checkSegmentRoundTrip(t, dir, bytes.Split(msgs, []byte{0}))
	})
}

// checkReadSegment reads file as a segment and checks what it finds.
func checkReadSegment(t *testing.T, dir string, file []byte) {
	f := openSegmentFile(t, dir, file)
	defer f.Close()
	var (
		seg      *segment
		last     map[string]segRecord
		torn     bool
		idxErr   error
		logErr   error
		messages = map[int][]byte{}
	)
	alloc := lineartest.Allocated(func() {
		seg, idxErr = readSegmentIndex(f, segName)
		if idxErr != nil {
			return
		}
		for i := range seg.items {
			data, err := segmentMessage(f, seg, i)
			if err != nil {
				t.Errorf("message %d of an index read: %v", i, err)
			}
			messages[i] = data
		}
		last, torn, logErr = readSegmentLog(f, seg)
	})
	if limit := uint64(4<<20 + 64*len(file)); alloc > limit {
		t.Errorf("allocated %d bytes reading a %d-byte segment, want ≤ %d", alloc, len(file), limit)
	}
	for _, err := range []error{idxErr, logErr} {
		if err != nil && !strings.Contains(err.Error(), segName) {
			t.Errorf("error %q does not name the segment", err)
		}
	}
	if idxErr != nil || logErr != nil {
		return
	}
	if seg.logAt > int64(len(file)) {
		t.Fatalf("log at %d in a %d-byte file", seg.logAt, len(file))
	}
	for i, it := range seg.items {
		at := seg.dataAt + it.Offset
		if want := file[at : at+int64(it.Entry.Size)]; !bytes.Equal(messages[i], want) {
			t.Errorf("message %d = %q, want %q", i, messages[i], want)
		}
	}
	for id, r := range last {
		if _, ok := seg.byID[id]; !ok || r.ID != id {
			t.Errorf("record %+v under id %q, not a message of the index", r, id)
		}
	}
	if want := int64(len(file)) > seg.logAt && file[len(file)-1] != '\n'; torn != want {
		t.Errorf("torn = %v, want %v", torn, want)
	}
}

// checkSegmentRoundTrip writes a segment of data with encodeSegment,
// appends records to its log as Run does, and reads it all back.
func checkSegmentRoundTrip(t *testing.T, dir string, data [][]byte) {
	entries := make([]*Entry, len(data))
	for i, d := range data {
		entries[i] = &Entry{ID: fmt.Sprintf("m%d", i), From: "a@x.test", To: []string{strings.ToValidUTF8(string(d), "?")}, Size: len(d),
			Failure: &Failure{Code: 550}}
	}
	b, err := encodeSegment(entries, data)
	if err != nil {
		t.Fatal(err)
	}
	f := openSegmentFile(t, dir, b)
	defer f.Close()
	seg, err := readSegmentIndex(f, segName)
	if err != nil {
		t.Fatalf("reading an encoded segment: %v", err)
	}
	if len(seg.items) != len(entries) {
		t.Fatalf("%d messages read, want %d", len(seg.items), len(entries))
	}
	for i, it := range seg.items {
		want := *entries[i]
		want.Failure = nil // not kept in a segment
		if got, want := mustJSON(t, it.Entry), mustJSON(t, &want); got != want {
			t.Errorf("entry %d = %s, want %s", i, got, want)
		}
		if got, err := segmentMessage(f, seg, i); err != nil || !bytes.Equal(got, data[i]) {
			t.Errorf("message %d = %q, %v; want %q", i, got, err, data[i])
		}
	}
	want, wantTorn := appendRecords(t, f, seg, data)
	last, torn, err := readSegmentLog(f, seg)
	if err != nil || torn != wantTorn {
		t.Fatalf("reading the log: torn %v, %v; want torn %v", torn, err, wantTorn)
	}
	if got, want := mustJSON(t, last), mustJSON(t, want); got != want {
		t.Errorf("last records = %s, want %s", got, want)
	}
}

// appendRecords appends to the log of seg, open in f, a record for each
// message whose first byte says which, and returns the last record of
// each, and whether the log ends in a torn record. A first message
// starting with an odd byte puts a record cut short by a crash in the
// middle (at the end when no record follows).
func appendRecords(t *testing.T, f *os.File, seg *segment, data [][]byte) (map[string]segRecord, bool) {
	var s Folder
	ls := &liveSeg{seg: seg, f: f}
	last := map[string]segRecord{}
	states := []State{StateQueued, StateSent, StateFailed, StateUnknown}
	for i, d := range data {
		if i == len(data)/2 && len(data[0]) > 0 && data[0][0]%2 == 1 {
			if _, err := f.WriteString(`{"id":"m0","state":"se`); err != nil {
				t.Fatal(err)
			}
			ls.torn = true
		}
		if len(d) == 0 {
			continue
		}
		r := segRecord{ID: seg.items[i].Entry.ID, State: states[int(d[0])%len(states)].String()}
		if r.State == "queued" {
			c := *seg.items[i].Entry
			c.Attempts = int(d[0])
			r.Entry = &c
		}
		if err := s.appendRecord(ls, r); err != nil {
			t.Fatal(err)
		}
		last[r.ID] = r
	}
	return last, ls.torn
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A segment whose header or index claims more bytes than the file holds
// is refused before anything that large is allocated, with an error
// naming the segment.
func TestReadSegmentIndex_lengthsPastTheEnd(t *testing.T) {
	hostile := hostileSegments(t)
	for _, tc := range []struct {
		name, want string
	}{
		{"huge index", "cut short"},
		{"largest index", "cut short"},
		{"index past end", "cut short"},
		{"huge message", "past the end of the file"},
		{"huge offset", "past the end of the file"},
		{"message past end", "past the end of the file"},
		{"truncated index", "cut short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := openSegmentFile(t, t.TempDir(), hostile[tc.name])
			defer f.Close()
			var err error
			alloc := lineartest.Allocated(func() { _, err = readSegmentIndex(f, segName) })
			if err == nil || !strings.Contains(err.Error(), segName) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one naming %s and saying %q", err, segName, tc.want)
			}
			if alloc > 1<<20 {
				t.Errorf("allocated %d bytes refusing a %d-byte segment", alloc, len(hostile[tc.name]))
			}
		})
	}
}

// TestReadSegment_linear proves by bytes allocated, not by time, that
// reading a segment's index and its log grows linearly with their size.
func TestReadSegment_linear(t *testing.T) {
	dir := t.TempDir()
	segmentOf := func(n int, log func(i int) string) string {
		entries := make([]*Entry, n)
		data := make([][]byte, n)
		for i := range entries {
			data[i] = []byte("Subject: x\r\n\r\nbody\r\n")
			entries[i] = &Entry{ID: fmt.Sprintf("m%d", i), To: []string{"a@x.test"}, Size: len(data[i])}
		}
		b, err := encodeSegment(entries, data)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			b = append(b, log(i)...)
		}
		path := filepath.Join(dir, fmt.Sprintf("%d-%d%s", n, len(b), segExt))
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	read := func(path string) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		seg, err := readSegmentIndex(f, segName)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := readSegmentLog(f, seg); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		log  func(i int) string
	}{
		{"many records", func(i int) string { return fmt.Sprintf(`{"id":"m%d","state":"sent"}`+"\n", i) }},
		{"many records of one message", func(int) string { return `{"id":"m0","state":"queued","entry":{"id":"m0","attempts":1}}` + "\n" }},
		{"many torn records", func(int) string { return `{"id":"m0","sta` + "\n" }},
		{"no log", func(int) string { return "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lineartest.Check(t, 500, func(n int) string { return segmentOf(n, tc.log) }, read)
		})
	}
}
