package imaptest

import (
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// session wraps an imapmemserver session to count commands and to inject
// the faults the Server's options ask for.
type session struct {
	srv   *Server
	conn  *imapserver.Conn
	inner imapserver.Session
}

var _ imapserver.SessionMove = (*session)(nil)

func seqNumUse(numSet imap.NumSet) bool {
	_, ok := numSet.(imap.SeqSet)
	return ok
}

func (s *session) countNumSet(numSet imap.NumSet) {
	if seqNumUse(numSet) {
		s.srv.count(func(st *Stats) { st.SeqNumUses++ })
	}
}

func (s *session) Close() error { return s.inner.Close() }

func (s *session) Login(username, password string) error {
	if err := s.inner.Login(username, password); err != nil {
		return err
	}
	s.srv.count(func(st *Stats) { st.Logins++ })
	return nil
}

func (s *session) Select(mailbox string, options *imap.SelectOptions) (*imap.SelectData, error) {
	return s.inner.Select(mailbox, options)
}

func (s *session) Create(mailbox string, options *imap.CreateOptions) error {
	if err := s.inner.Create(mailbox, options); err != nil {
		return err
	}
	s.srv.count(func(st *Stats) { st.Creates++ })
	return nil
}

func (s *session) Delete(mailbox string) error { return s.inner.Delete(mailbox) }

func (s *session) Rename(mailbox, newName string, options *imap.RenameOptions) error {
	return s.inner.Rename(mailbox, newName, options)
}

func (s *session) Subscribe(mailbox string) error   { return s.inner.Subscribe(mailbox) }
func (s *session) Unsubscribe(mailbox string) error { return s.inner.Unsubscribe(mailbox) }

func (s *session) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	return s.inner.List(w, ref, patterns, options)
}

func (s *session) Status(mailbox string, options *imap.StatusOptions) (*imap.StatusData, error) {
	return s.inner.Status(mailbox, options)
}

func (s *session) Append(mailbox string, r imap.LiteralReader, options *imap.AppendOptions) (*imap.AppendData, error) {
	defer s.srv.changed()
	return s.inner.Append(mailbox, r, options)
}

func (s *session) Poll(w *imapserver.UpdateWriter, allowExpunge bool) error {
	return s.inner.Poll(w, allowExpunge)
}

// Idle reports what changed before it began (as Dovecot does), then
// whatever the Server's change signal announces, until stop. It does not
// use imapmemserver's own Idle, which keeps updates queued before IDLE
// until the next change.
func (s *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	s.srv.count(func(st *Stats) { st.Idles++ })
	for {
		changed := s.srv.changes()
		if err := s.inner.Poll(w, true); err != nil {
			return err
		}
		s.srv.mu.Lock()
		hook := s.srv.onIdle
		s.srv.mu.Unlock()
		if hook != nil {
			hook()
		}
		select {
		case <-stop:
			return nil
		case <-changed:
		}
	}
}

func (s *session) Unselect() error { return s.inner.Unselect() }

func (s *session) Expunge(w *imapserver.ExpungeWriter, uids *imap.UIDSet) error {
	s.srv.count(func(st *Stats) {
		st.Expunges++
		if uids != nil {
			st.UIDExpunges++
		}
	})
	return s.inner.Expunge(w, uids)
}

func (s *session) Search(kind imapserver.NumKind, criteria *imap.SearchCriteria, options *imap.SearchOptions) (*imap.SearchData, error) {
	if kind == imapserver.NumKindSeq {
		s.srv.count(func(st *Stats) { st.SeqNumUses++ })
	}
	return s.inner.Search(kind, criteria, options)
}

func (s *session) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	s.countNumSet(numSet)
	s.srv.mu.Lock()
	hook := s.srv.onFetch
	s.srv.mu.Unlock()
	if hook != nil {
		hook()
	}
	return s.inner.Fetch(w, numSet, options)
}

func (s *session) Store(w *imapserver.FetchWriter, numSet imap.NumSet, flags *imap.StoreFlags, options *imap.StoreOptions) error {
	s.countNumSet(numSet)
	return s.inner.Store(w, numSet, flags, options)
}

func (s *session) Copy(numSet imap.NumSet, dest string) (*imap.CopyData, error) {
	s.countNumSet(numSet)
	s.srv.count(func(st *Stats) { st.Copies++ })
	return s.inner.Copy(numSet, dest)
}

func (s *session) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	s.countNumSet(numSet)
	s.srv.count(func(st *Stats) { st.Moves++ })
	if s.srv.opts.BrokenMove {
		return errBrokenMove
	}
	mover, ok := s.inner.(imapserver.SessionMove)
	if !ok {
		return errBrokenMove
	}
	return mover.Move(w, numSet, dest)
}
