package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/mailtrail/mailtrail/identity"
	"github.com/mailtrail/mailtrail/inbound"
	"github.com/mailtrail/mailtrail/inbound/imap"
	"github.com/mailtrail/mailtrail/inbound/reply"
)

// inboxMessage is the JSON a --exec command reads on stdin.
type inboxMessage struct {
	Mailbox     string       `json:"mailbox"`
	UIDValidity uint32       `json:"uidvalidity"`
	UID         uint32       `json:"uid"`
	Key         string       `json:"key"`     // Message-ID, or sha256 of the message: the idempotency key (MAILTRAIL_KEY is its SHA-256 in hex)
	Message     any          `json:"message"` // the ASGI email shape (inbound.Message.ASGI)
	Reply       *inboxReply  `json:"reply"`   // what the sender said: text without quotes, data, attachments
	Trace       *inboxTrace  `json:"trace"`   // null when no resource was found
	Auth        inbound.Auth `json:"auth"`    // what the S/MIME and DKIM signatures say
	TraceError  string       `json:"trace_error,omitempty"`
}

type inboxTrace struct {
	Resource string          `json:"resource"`
	Source   identity.Source `json:"source"`
	Exact    bool            `json:"exact"`
	Sender   string          `json:"sender"`
	Kind     inbound.Kind    `json:"kind"`
}

// inboxExec runs cmd for m and turns its exit status into the outcome.
func inboxExec(ctx context.Context, e *env, cmdline string, limit time.Duration, m *imap.Mail, authOpts *inbound.AuthOptions) error {
	in := inboxMessage{
		Mailbox: m.Mailbox, UIDValidity: m.UIDValidity, UID: m.UID, Key: m.Key,
		Message: inboxASGI(m.Message), Reply: inboxReplyOf(m.Message),
		Auth: inbound.VerifyAuth(ctx, m.Raw, authOpts),
	}
	if t := m.Trace; t != nil {
		in.Trace = &inboxTrace{Resource: t.Resource, Source: t.Source, Exact: t.Exact, Sender: t.Sender, Kind: t.Kind}
	} else if m.TraceErr != nil {
		in.TraceError = m.TraceErr.Error()
	}
	data, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode message: %w", err)
	}
	msgCtx := ctx
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", cmdline)
	cmd.Stdin = bytes.NewReader(append(data, '\n'))
	var stderr bytes.Buffer
	out := &inboxLocked{w: e.stderr} // the command's two streams are copied concurrently
	cmd.Stdout = out                 // our stdout is the one-line-per-message report
	cmd.Stderr = io.MultiWriter(out, &inboxTail{buf: &stderr})
	// The environment carries only values safe to use unquoted in a
	// shell: the key is chosen by the sender (its Message-ID), so it comes
	// hashed; the raw key is "key" in the JSON.
	cmd.Env = append(os.Environ(),
		fmt.Sprintf("MAILTRAIL_UID=%d", m.UID),
		"MAILTRAIL_KEY="+inboxKeyHash(m.Key),
		"MAILTRAIL_RESOURCE="+shellSafe(resourceOf(m)),
	)
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if msgCtx.Err() == context.DeadlineExceeded {
			return fmt.Errorf("--exec: no exit before the message's deadline (--message-timeout): %w", msgCtx.Err())
		}
		if ctx.Err() == context.DeadlineExceeded {
			return fmt.Errorf("--exec: no exit after %v", limit)
		}
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
				msg = msg[i+1:]
			}
			return fmt.Errorf("--exec: %v: %s", err, msg)
		}
		return fmt.Errorf("--exec: %w", err)
	}
	return nil
}

// inboxKeyHash is the SHA-256 of a message key in hex: the same key gives
// the same value, and it holds no character a shell would expand.
func inboxKeyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// shellSafe returns s when it holds only letters, digits and "._-" (as
// resource ids do), else "".
func shellSafe(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return ""
		}
	}
	return s
}

func resourceOf(m *imap.Mail) string {
	if m.Trace != nil {
		return m.Trace.Resource
	}
	return ""
}

// inboxLocked serializes writes to w.
type inboxLocked struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *inboxLocked) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// inboxTail keeps the last 4 KiB written, for the failure reason.
type inboxTail struct{ buf *bytes.Buffer }

func (t *inboxTail) Write(p []byte) (int, error) {
	t.buf.Write(p)
	if t.buf.Len() > 4096 {
		b := t.buf.Bytes()[t.buf.Len()-4096:]
		nb := append([]byte(nil), b...)
		t.buf.Reset()
		t.buf.Write(nb)
	}
	return len(p), nil
}

// inboxASGI is the message in the shape of the ASGI email draft.
func inboxASGI(m *inbound.Message) any {
	if m == nil {
		return nil
	}
	return m.ASGI()
}

// inboxReply is what the sender said, as reply.Parse reads it.
type inboxReply struct {
	Text        string            `json:"text"`
	Data        map[string]any    `json:"data"` // null when the reply holds no structured data
	DataType    string            `json:"data_type,omitempty"`
	Attachments []inboxAttachment `json:"attachments"`
}

type inboxAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
}

func inboxReplyOf(m *inbound.Message) *inboxReply {
	if m == nil {
		return nil
	}
	r := reply.Parse(m)
	out := &inboxReply{Text: r.Text, Data: r.Data, DataType: r.DataType, Attachments: []inboxAttachment{}}
	for _, a := range r.Attachments {
		out.Attachments = append(out.Attachments, inboxAttachment{a.Filename, a.ContentType, a.Size})
	}
	return out
}
