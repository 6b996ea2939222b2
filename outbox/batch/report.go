package batch

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/mailtrail/mailtrail/internal/atomicfile"
)

// Status is what became of one record.
type Status string

// The statuses of a report line.
const (
	StatusSent    Status = "sent"    // accepted by the server (or written by the file transport)
	StatusFailed  Status = "failed"  // refused for good, or given up
	StatusInvalid Status = "invalid" // the record or its message is not valid: nothing sent
	StatusUnknown Status = "unknown" // the final "." went out, the reply never came
	StatusQueued  Status = "queued"  // still waiting in the outbox for a retry, or not enqueued yet
	// StatusEnqueued: stored in the outbox, for workers elsewhere to
	// deliver (a batch that only enqueues).
	StatusEnqueued Status = "enqueued"
)

// Entry is one line of a report: one record's outcome.
type Entry struct {
	Line      int    `json:"line"`
	To        string `json:"to,omitempty"` // the recipients, comma-separated
	Resource  string `json:"resource,omitempty"`
	MessageID string `json:"message_id,omitempty"`
	Status    Status `json:"status"`
	Error     string `json:"error,omitempty"`
	// Previously marks a record that an earlier run had already sent
	// (or filed): this run left it alone.
	Previously bool `json:"previously,omitempty"`
}

// Key is the ledger key of a record: "L", its line number (at least 7
// digits, so that keys sort by line), and "-" and its resource when it has
// one.
func Key(line int, resource string) string {
	if resource == "" {
		return fmt.Sprintf("L%07d", line)
	}
	return fmt.Sprintf("L%07d-%s", line, resource)
}

// KeyLine reads the line number back out of a Key: the digits after the
// "L", however many there are.
func KeyLine(key string) (int, bool) {
	if !strings.HasPrefix(key, "L") {
		return 0, false
	}
	digits := key[1:]
	if i := strings.IndexByte(digits, '-'); i >= 0 {
		digits = digits[:i]
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 || digits[0] == '+' {
		return 0, false
	}
	return n, true
}

// ReportWriter writes a report as JSON Lines, one Entry a line, into a
// temporary file beside path (".NAME.tmp-*") that Close renames to path: a
// report is either the previous one or complete. Each line is handed to
// the operating system as it is written, so that the temporary file of a
// run that crashed still tells what went out; ReadLedger reads it. It is
// safe for concurrent use.
type ReportWriter struct {
	path string
	f    *atomicfile.File
	mu   sync.Mutex
	w    *bufio.Writer
	err  error
}

// CreateReport starts a report that Close writes to path.
func CreateReport(path string) (*ReportWriter, error) {
	f, err := atomicfile.Create(path)
	if err != nil {
		return nil, fmt.Errorf("batch: report: %w", err)
	}
	return &ReportWriter{path: path, f: f, w: bufio.NewWriter(f)}, nil
}

// Write adds one entry.
func (r *ReportWriter) Write(e Entry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	// Message-IDs keep their angle brackets readable.
	enc := json.NewEncoder(r.w)
	enc.SetEscapeHTML(false)
	if r.err = enc.Encode(e); r.err == nil { // one line, newline included
		r.err = r.w.Flush()
	}
	return r.err
}

// Close flushes the report, fsyncs it and renames it into place.
func (r *ReportWriter) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.err
	if err == nil {
		err = r.w.Flush()
	}
	if err == nil {
		err = r.f.Commit(0o644)
	} else {
		r.f.Abort()
	}
	if err != nil {
		return fmt.Errorf("batch: report %s: %w", r.path, err)
	}
	r.err = errors.New("batch: report closed")
	// The temporary files of crashed runs: what they say is in this one.
	for _, old := range atomicfile.Leftovers(r.path) {
		os.Remove(old)
	}
	return nil
}

// Stop ends a report without replacing path, for a run that failed: the
// lines written so far stay in the temporary file, where the next
// ReadLedger finds them and the next successful Close removes them.
func (r *ReportWriter) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.w.Flush()
	r.f.Close()
	r.err = errors.New("batch: report closed")
}

// ReadLedger reads a previous report, and the temporary files that runs
// which crashed left beside it, and returns, by Key, the entries of the
// records they say were sent. A missing file is an empty ledger; lines that
// do not parse are skipped (a line cut short by a crash).
func ReadLedger(path string) (map[string]Entry, error) {
	out := map[string]Entry{}
	for _, p := range append([]string{path}, atomicfile.Leftovers(path)...) {
		f, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("batch: report: %w", err)
		}
		err = readLedger(f, out)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func readLedger(r io.Reader, out map[string]Entry) error {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if s := strings.TrimSpace(line); s != "" {
			var e Entry
			if json.Unmarshal([]byte(s), &e) == nil && e.Status == StatusSent && e.Line > 0 {
				out[Key(e.Line, e.Resource)] = e
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("batch: report: %w", err)
		}
	}
}
