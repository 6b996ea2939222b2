package imap

import (
	"errors"
	"fmt"

	goimap "github.com/emersion/go-imap/v2"
)

// ensureFolders creates the Processed and Failed folders when missing.
func (s *session) ensureFolders() error {
	for _, name := range []string{s.p.processed(), s.p.failed()} {
		list, err := s.c.List("", name, nil).Collect()
		if err != nil {
			return fmt.Errorf("imap: list %s: %w", name, err)
		}
		exists := false
		for _, l := range list {
			if l.Mailbox == name {
				exists = true
			}
		}
		if !exists {
			if err := s.create(name); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *session) create(name string) error {
	err := s.c.Create(name, nil).Wait()
	var ie *goimap.Error
	if errors.As(err, &ie) && ie.Code == goimap.ResponseCodeAlreadyExists {
		err = nil // someone else made it in between
	}
	if err != nil {
		return fmt.Errorf("imap: create folder %s: %w", name, err)
	}
	s.p.logger().Info("imap: created folder", "folder", name)
	return nil
}

func (s *session) folder(o Outcome) string {
	if o == OutcomeProcessed {
		return s.p.processed()
	}
	return s.p.failed()
}

// file moves m to the folder of its outcome. A folder that vanished since
// the session began is created again, once.
func (s *session) file(m *Mail) error {
	folder := s.folder(m.Outcome)
	err := s.move(goimap.UID(m.UID), folder)
	if isTryCreate(err) {
		if cerr := s.create(folder); cerr != nil {
			return cerr
		}
		err = s.move(goimap.UID(m.UID), folder)
	}
	if err != nil {
		return fmt.Errorf("imap: move UID %d from %s to %s: %w", m.UID, m.Mailbox, folder, err)
	}
	return nil
}

// isTryCreate reports a NO [TRYCREATE] or [NONEXISTENT]: the folder is
// missing (RFC 3501 §6.4.7, RFC 5530).
func isTryCreate(err error) bool {
	var ie *goimap.Error
	return errors.As(err, &ie) &&
		(ie.Code == goimap.ResponseCodeTryCreate || ie.Code == goimap.ResponseCodeNonExistent)
}

func (s *session) move(uid goimap.UID, folder string) error {
	set := goimap.UIDSetNum(uid)
	if s.p.MoveMode == MoveAuto && !s.noMove && s.c.Caps().Has(goimap.CapMove) {
		// RFC 6851 UID MOVE.
		_, err := s.c.Move(set, folder).Wait()
		var ie *goimap.Error
		if err == nil || isTryCreate(err) || !errors.As(err, &ie) {
			return err // done, a missing folder, or the connection
		}
		// QUIRK: some servers advertise MOVE and refuse it (the seed
		// article's experience); copy for the rest of the session.
		s.noMove = true
		s.p.logger().Warn("imap: MOVE refused; copying and deleting instead", "server", s.ep.addr, "err", err)
	}
	if _, err := s.c.Copy(set, folder).Wait(); err != nil {
		return err
	}
	err := s.c.Store(set, &goimap.StoreFlags{
		Op: goimap.StoreFlagsAdd, Silent: true, Flags: []goimap.Flag{goimap.FlagDeleted},
	}, nil).Close()
	if err != nil {
		return fmt.Errorf("flag \\Deleted: %w", err)
	}
	if s.c.Caps().Has(goimap.CapUIDPlus) {
		err = s.c.UIDExpunge(set).Close() // RFC 4315: only this message
	} else {
		err = s.c.Expunge().Close()
	}
	if err != nil {
		return fmt.Errorf("expunge: %w", err)
	}
	return nil
}
