package webview

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// ErrBadName is returned for a message name that is not one of a
// [Mailbox]'s own file names: a path, a hidden file, not ".eml".
var ErrBadName = errors.New("webview: not a message name")

// maxMessage bounds the size of a message a [Mailbox] reads back.
const maxMessage = 64 << 20

// Mailbox is a folder of .eml files, one message each, named so that they
// sort by the time they were received: the development sink saves into it
// and its web view reads from it. All access goes through an [os.Root].
// A Mailbox is safe for use by several goroutines.
type Mailbox struct {
	dir  string
	root *os.Root
	mu   sync.Mutex // serializes the choice of a free name in Save
}

// OpenMailbox opens the folder dir, creating it when it does not exist.
func OpenMailbox(dir string) (*Mailbox, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("webview: mailbox: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("webview: mailbox: %w", err)
	}
	return &Mailbox{dir: dir, root: root}, nil
}

// Dir returns the folder's path as given to [OpenMailbox].
func (m *Mailbox) Dir() string { return m.dir }

// Close releases the folder.
func (m *Mailbox) Close() error { return m.root.Close() }

// Save writes raw as a new .eml file and returns its name. The name is the
// receiving time in UTC (to the nanosecond) and the message's Message-ID
// reduced to characters that are safe in a file name on any system:
// "20261121T045846.123456789Z_a1b2.c3@example.test.eml". The file appears
// whole or not at all: it is written under a temporary name, synced, then
// linked into place without replacing any existing file.
func (m *Mailbox) Save(raw []byte, received time.Time) (string, error) {
	base := received.UTC().Format("20060102T150405.000000000Z") + "_" + fileSafe(messageID(raw))
	var rnd [8]byte
	rand.Read(rnd[:])
	tmp := ".tmp-" + hex.EncodeToString(rnd[:])
	f, err := m.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", fmt.Errorf("webview: save message: %w", err)
	}
	_, err = f.Write(raw)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	defer m.root.Remove(tmp)
	if err != nil {
		return "", fmt.Errorf("webview: save message: %w", err)
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	for i := 1; ; i++ {
		name := base + ".eml"
		if i > 1 {
			name = fmt.Sprintf("%s_%d.eml", base, i)
		}
		err := m.root.Link(tmp, name) // unlike rename, never replaces a file
		if err != nil && !errors.Is(err, fs.ErrExist) {
			// A file system without hard links: rename into a name seen
			// free; m.mu keeps other Saves away from it.
			if _, serr := m.root.Lstat(name); errors.Is(serr, fs.ErrNotExist) {
				err = m.root.Rename(tmp, name)
			} else {
				err = fs.ErrExist
			}
		}
		if err == nil {
			syncDir(m.root)
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) || i > 100 {
			return "", fmt.Errorf("webview: save message: %w", err)
		}
	}
}

// syncDir makes a new directory entry durable (best effort).
func syncDir(root *os.Root) {
	if d, err := root.Open("."); err == nil {
		d.Sync()
		d.Close()
	}
}

// List returns the names of the messages, newest first.
func (m *Mailbox) List() ([]string, error) {
	entries, err := fs.ReadDir(m.root.FS(), ".")
	if err != nil {
		return nil, fmt.Errorf("webview: list messages: %w", err)
	}
	var names []string
	for _, e := range entries {
		if validMessageName(e.Name()) && e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	return names, nil
}

// Read returns the bytes of the message called name. A name that is not a
// plain .eml file name of the folder is refused with [ErrBadName]; one that
// does not exist gives an error matching [fs.ErrNotExist].
func (m *Mailbox) Read(name string) ([]byte, error) {
	if !validMessageName(name) {
		return nil, fmt.Errorf("%w: %q", ErrBadName, name)
	}
	f, err := m.root.Open(name)
	if err != nil {
		return nil, fmt.Errorf("webview: read message: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("webview: read message: %w", err)
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxMessage {
		return nil, fmt.Errorf("webview: read message %s: not a regular file under %d bytes", name, maxMessage)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, fmt.Errorf("webview: read message: %w", err)
	}
	return buf.Bytes(), nil
}

// validMessageName accepts one path element ending in .eml, not hidden.
func validMessageName(name string) bool {
	return fs.ValidPath(name) && !strings.ContainsAny(name, `/\`) &&
		!strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".eml") && len(name) > len(".eml")
}

// messageID returns the Message-ID header of raw, or "".
func messageID(raw []byte) string {
	m, err := parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(m.Header.Get("Message-Id"))
}

// maxIDInName bounds the Message-ID part of a file name, keeping whole names
// well under the 255-byte limit of common file systems.
const maxIDInName = 100

// fileSafe reduces a Message-ID to letters, digits and ".-_+=@", replacing
// every other byte with "_" and dropping the angle brackets.
func fileSafe(id string) string {
	id = strings.TrimSpace(id)
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	var b strings.Builder
	for i := 0; i < len(id) && b.Len() < maxIDInName; i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '-', c == '_', c == '+', c == '=', c == '@':
			b.WriteByte(c)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.Trim(b.String(), ".")
	if s == "" {
		return "no-message-id"
	}
	return s
}
