package imap

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"unicode/utf8"
)

// Ledger remembers where handled messages were filed, keyed by [Mail.Key],
// so that a [Poller] files a message it finds again (after a crash between
// handling and moving, a lost connection, a changed UIDVALIDITY) without
// handling it twice. The outcome is recorded after the handler returns and
// before the message is moved; a crash between those two still hands the
// message over again.
//
// Keys are Message-IDs where there is one: two different messages with the
// same Message-ID (a broken client) would be taken for one. Entries are
// never removed by the Poller.
type Ledger interface {
	// Lookup returns the outcome recorded for key, if any.
	Lookup(ctx context.Context, key string) (o Outcome, ok bool, err error)
	// Record stores the outcome for key.
	Record(ctx context.Context, key string, o Outcome) error
}

// MemoryLedger is a Ledger in memory, for one process's lifetime: it keeps
// a long-running Watch from handling a message twice after a failed move.
// The zero value is ready to use; it is safe for concurrent use.
type MemoryLedger struct {
	mu sync.Mutex
	m  map[string]Outcome
}

// Lookup implements [Ledger].
func (l *MemoryLedger) Lookup(_ context.Context, key string) (Outcome, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	o, ok := l.m[key]
	return o, ok, nil
}

// Record implements [Ledger].
func (l *MemoryLedger) Record(_ context.Context, key string, o Outcome) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = make(map[string]Outcome)
	}
	l.m[key] = o
	return nil
}

// FileLedger is a Ledger kept in a file of JSON lines, one per handled
// message, appended and synced before the message is moved, so that it
// survives a crash. It is safe for concurrent use within one process; do
// not share the file between processes.
type FileLedger struct {
	mem  MemoryLedger
	mu   sync.Mutex
	f    *os.File
	path string
}

type ledgerLine struct {
	Key     string `json:"key,omitempty"`
	KeyB64  []byte `json:"key_base64,omitempty"` // a key that is not UTF-8 (8-bit header bytes)
	Outcome string `json:"outcome"`
}

// OpenFileLedger opens (or creates) the ledger file at path and reads what
// it records. A last line cut short by a crash is ignored.
func OpenFileLedger(path string) (*FileLedger, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("imap: open ledger: %w", err)
	}
	l := &FileLedger{f: f, path: path}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		var e ledgerLine
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			continue // a torn write; the message is handled again, at worst
		}
		var o Outcome
		switch e.Outcome {
		case "processed":
			o = OutcomeProcessed
		case "failed":
			o = OutcomeFailed
		default:
			continue
		}
		key := e.Key
		if e.KeyB64 != nil {
			key = string(e.KeyB64)
		}
		_ = l.mem.Record(context.Background(), key, o)
	}
	if err := sc.Err(); err != nil {
		f.Close()
		return nil, fmt.Errorf("imap: read ledger %s line %d: %w", path, line+1, err)
	}
	// A line torn by a crash must not swallow the next record: end it.
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			if _, err := f.Write([]byte("\n")); err != nil {
				f.Close()
				return nil, fmt.Errorf("imap: write ledger %s: %w", path, err)
			}
		}
	}
	return l, nil
}

// Lookup implements [Ledger].
func (l *FileLedger) Lookup(ctx context.Context, key string) (Outcome, bool, error) {
	return l.mem.Lookup(ctx, key)
}

// Record implements [Ledger]: it appends a line and syncs the file.
func (l *FileLedger) Record(ctx context.Context, key string, o Outcome) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep <message-ids> readable
	line := ledgerLine{Key: key, Outcome: o.String()}
	if !utf8.ValidString(key) {
		line = ledgerLine{KeyB64: []byte(key), Outcome: o.String()}
	}
	if err := enc.Encode(line); err != nil {
		return fmt.Errorf("imap: ledger: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return errors.New("imap: ledger closed")
	}
	if _, err := l.f.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("imap: write ledger %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("imap: sync ledger %s: %w", l.path, err)
	}
	return l.mem.Record(ctx, key, o)
}

// Close closes the file.
func (l *FileLedger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
