package mailer

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mailtrail/mailtrail/internal/atomicfile"
)

// outbox is the local outbox: with no SMTP server configured, each message
// is written as one .eml file into a folder, so that everything works on a
// fresh machine. The files hold exactly the bytes Send would transmit.
// Bcc recipients live only on the envelope, so the files do not show them.
type outbox struct {
	dir  string
	log  *slog.Logger
	now  func() time.Time
	once sync.Once
}

// deliver writes env.Data to <dir>/<time>-<message-id>.eml atomically and
// returns the file's path.
func (o *outbox) deliver(ctx context.Context, env *Envelope) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	name := o.now().UTC().Format("20060102T150405.000000000Z") + "-" + fileSafe(env.MessageID) + ".eml"
	path := filepath.Join(o.dir, name)
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return "", fmt.Errorf("mailer: outbox: %w", err)
	}
	if err := atomicfile.WriteFile(path, env.Data, 0o600); err != nil {
		return "", fmt.Errorf("mailer: outbox: %w", err)
	}
	o.once.Do(func() {
		abs, err := filepath.Abs(o.dir)
		if err != nil {
			abs = o.dir
		}
		o.log.Info("mailer: no SMTP server configured (set MAILTRAIL_SMTP_URL); writing messages to the local outbox", "dir", abs)
	})
	return path, nil
}

func (o *outbox) close() error { return nil }

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
