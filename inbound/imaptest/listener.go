package imaptest

import (
	"bytes"
	"net"
	"sync"
)

// trackingListener remembers accepted connections so that the Server can
// drop them, and counts LOGOUT commands in what clients send.
type trackingListener struct {
	net.Listener
	srv *Server
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.srv.mu.Lock()
	l.srv.conns[c] = struct{}{}
	l.srv.stats.Conns++
	l.srv.mu.Unlock()
	return &trackedConn{Conn: c, srv: l.srv}, nil
}

type trackedConn struct {
	net.Conn
	srv  *Server
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.srv.mu.Lock()
		delete(c.srv.conns, c.Conn)
		c.srv.mu.Unlock()
	})
	return c.Conn.Close()
}

// commandScanner reads the client side of an IMAP conversation, as the
// server's debug writer hands it over, and counts LOGOUT commands. It sees
// both directions; server lines never read "<tag> LOGOUT".
type commandScanner struct {
	srv *Server
	mu  sync.Mutex
	buf []byte
}

func (w *commandScanner) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		line := bytes.TrimRight(w.buf[:i], "\r")
		w.buf = w.buf[i+1:]
		f := bytes.Fields(line)
		if len(f) == 2 && bytes.EqualFold(f[1], []byte("LOGOUT")) {
			w.srv.count(func(st *Stats) { st.Logouts++ })
		}
	}
	if len(w.buf) > 1<<16 { // a literal without line ends; nothing to count in it
		w.buf = w.buf[:0]
	}
	return len(p), nil
}

// capFilterListener hides capabilities from what the server writes:
// imapserver always offers IDLE to IMAP4rev1 clients, and a test may want
// a server without it. It wraps the connections above TLS.
type capFilterListener struct {
	net.Listener
	hide [][]byte // e.g. " IDLE"
}

func (l *capFilterListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &capFilterConn{Conn: c, hide: l.hide}, nil
}

type capFilterConn struct {
	net.Conn
	hide [][]byte
}

func (c *capFilterConn) Write(p []byte) (int, error) {
	if !bytes.Contains(p, []byte("CAPABILITY")) {
		return c.Conn.Write(p)
	}
	q := p
	for _, h := range c.hide {
		q = bytes.ReplaceAll(q, h, nil)
	}
	if _, err := c.Conn.Write(q); err != nil {
		return 0, err
	}
	return len(p), nil
}
