package imaptest

import (
	"crypto/tls"
	"net"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Mailboxes lists the names of the user's mailboxes.
func (s *Server) Mailboxes() []string {
	s.helper()
	var names []string
	s.withClient(func(c *imapclient.Client) error {
		list, err := c.List("", "*", nil).Collect()
		if err != nil {
			return err
		}
		for _, l := range list {
			names = append(names, l.Mailbox)
		}
		return nil
	})
	return names
}

// Messages returns the raw messages in mailbox in UID order, or nil when
// the mailbox does not exist. Messages flagged \Deleted are left out.
func (s *Server) Messages(mailbox string) [][]byte {
	s.helper()
	section := &imap.FetchItemBodySection{Peek: true}
	var out [][]byte
	for _, m := range s.fetchLive(mailbox, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}) {
		out = append(out, m.FindBodySection(section))
	}
	return out
}

// Flags returns the flags of the messages in mailbox in UID order, or nil
// when the mailbox does not exist. Messages flagged \Deleted are left out.
// Tests use it to check that fetching left \Seen alone (BODY.PEEK[]).
func (s *Server) Flags(mailbox string) [][]imap.Flag {
	s.helper()
	var out [][]imap.Flag
	for _, m := range s.fetchLive(mailbox, &imap.FetchOptions{UID: true, Flags: true}) {
		out = append(out, m.Flags)
	}
	return out
}

// fetchLive fetches what opts asks of the messages in mailbox not flagged
// \Deleted, in UID order, read-only; nil when the mailbox does not exist
// or holds none.
func (s *Server) fetchLive(mailbox string, opts *imap.FetchOptions) []*imapclient.FetchMessageBuffer {
	s.helper()
	if _, err := s.user.Status(mailbox, &imap.StatusOptions{}); err != nil {
		return nil
	}
	var msgs []*imapclient.FetchMessageBuffer
	s.withClient(func(c *imapclient.Client) error {
		if _, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			return err
		}
		search, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted}}, nil).Wait()
		if err != nil {
			return err
		}
		uids := search.AllUIDs()
		if len(uids) == 0 {
			return nil
		}
		msgs, err = c.Fetch(imap.UIDSetNum(uids...), opts).Collect()
		return err
	})
	return msgs
}

// UIDValidity returns mailbox's UIDVALIDITY.
func (s *Server) UIDValidity(mailbox string) uint32 {
	s.helper()
	st, err := s.user.Status(mailbox, &imap.StatusOptions{UIDValidity: true})
	if err != nil {
		s.fatalf("imaptest: status %s: %v", mailbox, err)
	}
	return st.UIDValidity
}

// ResetUIDValidity rebuilds mailbox with the same messages under a new
// UIDVALIDITY, as a server does after losing its index, and drops every
// connection (a client's UIDs for that mailbox are void).
func (s *Server) ResetUIDValidity(mailbox string) {
	s.helper()
	msgs := s.Messages(mailbox)
	if err := s.user.Delete(mailbox); err != nil {
		s.fatalf("imaptest: delete %s: %v", mailbox, err)
	}
	if err := s.user.Create(mailbox, nil); err != nil {
		s.fatalf("imaptest: create %s: %v", mailbox, err)
	}
	for _, m := range msgs {
		s.Deliver(mailbox, m)
	}
	s.DropConnections()
}

// DeleteMailbox removes mailbox and its messages, as an operator might.
func (s *Server) DeleteMailbox(mailbox string) {
	s.helper()
	if err := s.user.Delete(mailbox); err != nil {
		s.fatalf("imaptest: delete %s: %v", mailbox, err)
	}
}

// DropConnections closes every client connection abruptly, as a server
// restart or a network failure would, and returns how many it closed. The
// server keeps listening.
func (s *Server) DropConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.conns)
	for c := range s.conns {
		c.Close()
		delete(s.conns, c)
	}
	return n
}

// OnFetch sets a function called at the start of every FETCH, before any
// data is sent; nil removes it. A test can drop connections from it.
func (s *Server) OnFetch(f func()) {
	s.mu.Lock()
	s.onFetch = f
	s.mu.Unlock()
}

// OnIdle sets a function called each time a client's IDLE has reported
// what changed and waits for more; nil removes it. A message delivered
// after the call is announced to that client.
func (s *Server) OnIdle(f func()) {
	s.mu.Lock()
	s.onIdle = f
	s.mu.Unlock()
}

// Stats returns what clients did so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// withClient runs f on a fresh logged-in client of the server.
func (s *Server) withClient(f func(c *imapclient.Client) error) {
	s.helper()
	conn, err := net.Dial("tcp", s.ln.Addr().String())
	if err != nil {
		s.fatalf("imaptest: dial: %v", err)
	}
	var c *imapclient.Client
	switch s.opts.TLS {
	case Implicit:
		c = imapclient.New(tls.Client(conn, s.ClientTLSConfig()), nil)
	case StartTLS:
		c, err = imapclient.NewStartTLS(conn, &imapclient.Options{TLSConfig: s.ClientTLSConfig()})
		if err != nil {
			s.fatalf("imaptest: starttls: %v", err)
		}
	default:
		c = imapclient.New(conn, nil)
	}
	defer c.Close()
	if err := c.Login(User, Password).Wait(); err != nil {
		s.fatalf("imaptest: login: %v", err)
	}
	if err := f(c); err != nil {
		s.fatalf("imaptest: %v", err)
	}
	if err := c.Logout().Wait(); err != nil {
		s.fatalf("imaptest: logout: %v", err)
	}
	// The helper's own LOGOUT is not the code under test's.
	s.mu.Lock()
	s.stats.Logouts--
	s.stats.Logins--
	s.stats.Conns--
	s.mu.Unlock()
}
