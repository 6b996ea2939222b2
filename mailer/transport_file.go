package mailer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mailtrail/mailtrail/internal/atomicfile"
)

// DefaultFileDir is the folder the mailtrail command writes messages into
// when no SMTP server is configured at all (a library caller chooses a
// folder itself).
const DefaultFileDir = "mail"

// FileTransport delivers each message as one .eml file into a folder, as
// Django's file e-mail backend does: the development and first-run
// transport, and what a file: URL ("file:./mail") selects. The files hold
// exactly the bytes SMTP would transmit, named
// <time>-<message-id>.eml and written atomically (temporary file, fsync,
// rename, fsync of the folder). Bcc recipients live only on the envelope,
// so the files do not show them. It is safe for concurrent use.
type FileTransport struct {
	dir string
	log *slog.Logger
	now func() time.Time
}

// NewFileTransport returns a transport writing into dir, created on the
// first message. A nil log discards.
func NewFileTransport(dir string, log *slog.Logger) *FileTransport {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &FileTransport{dir: dir, log: log, now: time.Now}
}

// Dir returns the folder the transport writes into.
func (o *FileTransport) Dir() string { return o.dir }

// Transmit writes env.Data to <dir>/<time>-<message-id>.eml atomically and
// returns the file's path. A folder that cannot be created or written
// (permission, a missing parent, a file in the way) is a permanent
// *SendError; other write failures (a full disk) are temporary ones.
func (o *FileTransport) Transmit(ctx context.Context, env *Envelope) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	msgID := env.MessageID
	if msgID == "" {
		msgID = headerMessageID(env.Data)
	}
	name := o.now().UTC().Format("20060102T150405.000000000Z") + "-" + fileSafe(msgID) + ".eml"
	path := filepath.Join(o.dir, name)
	err := os.MkdirAll(o.dir, 0o755)
	if err == nil {
		err = atomicfile.WriteFile(path, env.Data, 0o600)
	}
	if err != nil {
		class := sendTransient
		if errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			class = sendPermanent
		}
		return "", &SendError{Op: OpData, Err: fmt.Errorf("file transport %s: %w", filepath.Clean(o.dir), err), class: class}
	}
	return path, nil
}

// Close does nothing: the transport holds no resource.
func (o *FileTransport) Close() error { return nil }

// fileURLDir reads a file: URL, "file:./mail", "file:mail" or
// "file:///var/mail"; ok is false for any other URL.
func fileURLDir(s string) (dir string, ok bool, err error) {
	if !strings.HasPrefix(strings.ToLower(s), "file:") {
		return "", false, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", true, fmt.Errorf("file URL %q: %w", s, err)
	}
	dir = u.Opaque
	if dir == "" {
		if u.Host != "" && u.Host != "localhost" {
			return "", true, fmt.Errorf("file URL %q: want file:DIR or file:///DIR", s)
		}
		dir = u.Path
	}
	if dir == "" {
		return "", true, fmt.Errorf("file URL %q: no folder", s)
	}
	return dir, true, nil
}

// fileSafe turns a Message-ID into a file name part: the angle brackets
// go, anything outside [A-Za-z0-9._@+-] becomes '_', and it is cut to 100
// octets.
func fileSafe(msgID string) string {
	s := strings.Trim(msgID, "<>")
	b := []byte(s)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._@+-", c) >= 0) {
			b[i] = '_'
		}
	}
	if len(b) > 100 {
		b = b[:100]
	}
	if len(b) == 0 {
		return "message"
	}
	return string(b)
}

// headerMessageID finds the Message-ID field of a message, for a file
// name; "" when there is none.
func headerMessageID(data []byte) string {
	for len(data) > 0 {
		i := 0
		for i < len(data) && data[i] != '\n' {
			i++
		}
		line := data[:i]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			return "" // end of the header
		}
		const name = "message-id:"
		if len(line) > len(name) && strings.EqualFold(string(line[:len(name)]), name) {
			return strings.Trim(string(line[len(name):]), " \t")
		}
		if i == len(data) {
			break
		}
		data = data[i+1:]
	}
	return ""
}
