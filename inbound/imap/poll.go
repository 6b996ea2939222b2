package imap

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	goimap "github.com/emersion/go-imap/v2"

	"github.com/mailtrail/mailtrail/inbound"
)

// Poll connects, processes every message in the mailbox once, logs out and
// returns. Each message is fetched by UID with BODY.PEEK[], parsed with
// [ParseWith] (with MaxSize), traced with [Trace] (when [Poller.App] is
// set), handed to h, and filed in Processed (h returned nil) or Failed (h
// returned an error or panicked, or the message could not be parsed or was
// too large). Messages flagged \Deleted are skipped: they are on their way
// out.
//
// Poll returns the first error that stopped it: a configuration, connection,
// login or move error, or ctx's error. Handler errors do not stop it; they
// file the message in Failed. It always logs out and closes the connection,
// also when ctx is cancelled (after at most LogoutTimeout).
func (p *Poller) Poll(ctx context.Context, h Handler) error {
	if h == nil {
		return fmt.Errorf("%w: nil handler", ErrConfig)
	}
	s, err := p.connect(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	err = s.ensureFolders()
	if err == nil {
		_, err = s.pass(ctx, h, nil)
	}
	if err != nil && ctx.Err() != nil {
		// The connection was cut because ctx ended; say so, not how.
		return ctx.Err()
	}
	return err
}

// pass processes every message in the mailbox once. last is the
// UIDVALIDITY seen by the previous pass, if any; pass returns the current
// one.
func (s *session) pass(ctx context.Context, h Handler, last *uint32) (uint32, error) {
	log := s.p.logger()
	mbox := s.p.mailbox()
	sel, err := s.c.Select(mbox, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("imap: select %s: %w", mbox, err)
	}
	if last != nil && *last != 0 && *last != sel.UIDValidity {
		// RFC 3501 §2.3.1.1: every UID we knew is void. Nothing here keys
		// on UIDs across passes, so this is only news; the Ledger's keys
		// keep handled messages from being handled again.
		log.Warn("imap: UIDVALIDITY changed; scanning the mailbox afresh",
			"mailbox", mbox, "was", *last, "now", sel.UIDValidity)
	}
	if sel.NumMessages == 0 {
		return sel.UIDValidity, nil
	}
	found, err := s.c.UIDSearch(&goimap.SearchCriteria{NotFlag: []goimap.Flag{goimap.FlagDeleted}}, nil).Wait()
	if err != nil {
		return sel.UIDValidity, fmt.Errorf("imap: search %s: %w", mbox, err)
	}
	uids := found.AllUIDs()
	if len(uids) == 0 {
		return sel.UIDValidity, nil
	}
	sizes, err := s.sizes(uids)
	if err != nil {
		return sel.UIDValidity, err
	}
	for _, uid := range uids {
		if err := ctx.Err(); err != nil {
			return sel.UIDValidity, err
		}
		size, ok := sizes[uid]
		if !ok {
			continue // expunged by someone else since the search
		}
		m := &Mail{Mailbox: mbox, UIDValidity: sel.UIDValidity, UID: uint32(uid), Size: size}
		if err := s.one(ctx, h, m); err != nil {
			return sel.UIDValidity, err
		}
	}
	return sel.UIDValidity, nil
}

// sizes fetches RFC822.SIZE for uids, in one command.
func (s *session) sizes(uids []goimap.UID) (map[goimap.UID]int64, error) {
	msgs, err := s.c.Fetch(goimap.UIDSetNum(uids...), &goimap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("imap: fetch sizes in %s: %w", s.p.mailbox(), err)
	}
	sizes := make(map[goimap.UID]int64, len(msgs))
	for _, m := range msgs {
		if m.UID != 0 {
			sizes[m.UID] = m.RFC822Size
		}
	}
	return sizes, nil
}

// fetch returns the whole message, or nil if it is gone.
func (s *session) fetch(uid goimap.UID) ([]byte, error) {
	section := &goimap.FetchItemBodySection{Peek: true} // BODY.PEEK[]: leave \Seen alone
	msgs, err := s.c.Fetch(goimap.UIDSetNum(uid), &goimap.FetchOptions{
		UID: true, BodySection: []*goimap.FetchItemBodySection{section},
	}).Collect()
	if err != nil {
		return nil, fmt.Errorf("imap: fetch UID %d from %s: %w", uid, s.p.mailbox(), err)
	}
	for _, m := range msgs {
		if m.UID == uid {
			if b := m.FindBodySection(section); b != nil {
				return b, nil
			}
		}
	}
	return nil, nil
}

// one takes one message from fetch to folder. It returns an error only for
// what stops the pass: the connection, a move, ctx.
func (s *session) one(ctx context.Context, h Handler, m *Mail) error {
	log := s.p.logger().With("mailbox", m.Mailbox, "uid", m.UID)
	if m.Size > s.p.maxSize() {
		m.Outcome = OutcomeFailed
		m.Err = fmt.Errorf("imap: UID %d is %d octets: %w", m.UID, m.Size, &inbound.SizeError{Limit: s.p.maxSize()})
	} else {
		raw, err := s.fetch(goimap.UID(m.UID))
		if err != nil {
			return err
		}
		if raw == nil {
			log.Info("imap: message gone before it could be fetched")
			return nil
		}
		m.Raw = raw
		stop, err := s.handle(ctx, h, m)
		if stop || err != nil {
			return err
		}
	}
	if err := s.file(m); err != nil {
		return err
	}
	level := slog.LevelInfo
	if m.Outcome == OutcomeFailed {
		level = slog.LevelWarn
	}
	log.Log(ctx, level, "imap: message filed", "key", m.Key, "outcome", m.Outcome.String(),
		"folder", s.folder(m.Outcome), "replayed", m.Replayed, "err", errString(m.Err))
	if s.p.Filed != nil {
		s.p.Filed(m)
	}
	return nil
}

// handle parses, traces and hands m to h, setting m.Outcome. stop is true
// when ctx ended the handler: the message then stays where it is.
func (s *session) handle(ctx context.Context, h Handler, m *Mail) (stop bool, err error) {
	// One deadline for the whole message, parsing included: a message
	// that takes too long is failed, and the mailbox goes on.
	mctx, cancel := context.WithTimeout(ctx, s.p.messageTimeout())
	defer cancel()
	msg, err := inbound.ParseContext(mctx, bytes.NewReader(m.Raw), &inbound.Options{MaxSize: s.p.maxSize()})
	if err != nil && ctx.Err() != nil {
		return true, ctx.Err() // stopped, not failed: leave it for the next run
	}
	if err != nil || msg == nil {
		if err == nil {
			err = errors.New("no message")
		}
		m.Outcome = OutcomeFailed
		m.Err = fmt.Errorf("imap: parse UID %d: %w", m.UID, err)
		m.Key = rawKey(m.Raw)
		return false, nil
	}
	m.Message = msg
	m.Key = messageKey(msg, m.Raw)
	if app := s.p.App; app.Name != "" || app.Domain != "" {
		m.Trace, m.TraceErr = inbound.Trace(msg, app)
		if m.TraceErr != nil {
			m.Trace = nil
		}
	}
	if l := s.p.Ledger; l != nil {
		o, ok, err := l.Lookup(ctx, m.Key)
		if err != nil {
			return false, fmt.Errorf("imap: ledger lookup %q: %w", m.Key, err)
		}
		if ok && o != OutcomeNone {
			m.Outcome, m.Replayed = o, true
			return false, nil
		}
	}
	herr := call(mctx, h, m)
	if herr != nil && ctx.Err() != nil {
		// Cancelled, not failed: leave the message for the next run.
		return true, ctx.Err()
	}
	if herr != nil {
		m.Outcome, m.Err = OutcomeFailed, herr
	} else {
		m.Outcome = OutcomeProcessed
	}
	if l := s.p.Ledger; l != nil {
		if err := l.Record(ctx, m.Key, m.Outcome); err != nil {
			// Still file it: at worst it is handled again, as without a
			// ledger.
			s.p.logger().Warn("imap: ledger record failed", "key", m.Key, "err", err)
		}
	}
	return false, nil
}

// call runs h, turning a panic into a *PanicError.
func call(ctx context.Context, h Handler, m *Mail) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return h(ctx, m)
}

// messageKey is the Message-ID, or a hash of the raw message without one.
func messageKey(m *inbound.Message, raw []byte) string {
	if m.Header != nil {
		if id := strings.TrimSpace(m.Header.Get("Message-Id")); id != "" {
			return id
		}
	}
	return rawKey(raw)
}

func rawKey(raw []byte) string {
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
