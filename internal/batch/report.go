package batch

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Status is what became of one record.
type Status string

// The statuses of a report line.
const (
	StatusSent    Status = "sent"    // accepted by the server (or written to the outbox)
	StatusFailed  Status = "failed"  // refused for good, or given up
	StatusInvalid Status = "invalid" // the record or its message is not valid: nothing sent
	StatusUnknown Status = "unknown" // the final "." went out, the reply never came
	StatusQueued  Status = "queued"  // still waiting for a retry in the spool
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

// Key is the ledger key of a record: its line number and resource.
func Key(line int, resource string) string {
	if resource == "" {
		return fmt.Sprintf("L%07d", line)
	}
	return fmt.Sprintf("L%07d-%s", line, resource)
}

// ReportWriter writes a report as JSON Lines, one Entry a line, into a
// temporary file beside path that Close renames to path: a report is
// either the previous one or complete. It is safe for concurrent use.
type ReportWriter struct {
	path string
	f    *os.File
	mu   sync.Mutex
	w    *bufio.Writer
	err  error
}

// CreateReport starts a report that Close writes to path.
func CreateReport(path string) (*ReportWriter, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
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
	r.err = enc.Encode(e) // one line, newline included
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
		err = r.f.Sync()
	}
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(r.f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(r.f.Name(), r.path)
	}
	if err != nil {
		os.Remove(r.f.Name())
		return fmt.Errorf("batch: report %s: %w", r.path, err)
	}
	r.err = errors.New("batch: report closed")
	return nil
}

// Abort drops the report being written; the previous one, if any, stays.
func (r *ReportWriter) Abort() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.f.Close()
	os.Remove(r.f.Name())
	r.err = errors.New("batch: report closed")
}

// ReadLedger reads a previous report and returns, by Key, the entries of
// the records it says were sent. A missing file is an empty ledger; lines
// that do not parse are skipped (a report cut short by a crash).
func ReadLedger(path string) (map[string]Entry, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]Entry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("batch: report: %w", err)
	}
	defer f.Close()
	return readLedger(f)
}

func readLedger(r io.Reader) (map[string]Entry, error) {
	out := map[string]Entry{}
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
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("batch: report: %w", err)
		}
	}
}
