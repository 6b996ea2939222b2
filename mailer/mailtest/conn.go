package mailtest

import (
	"crypto/tls"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// listener counts connections, tracks them for Close and plays greeting
// faults, which go-smtp cannot express, before go-smtp sees the connection.
// With implicit TLS it hands go-smtp a TLS connection, which go-smtp
// handshakes (or which handshakes on first use, under a filterConn).
type listener struct {
	net.Listener
	srv *Server
}

func (l *listener) Accept() (net.Conn, error) {
	s := l.srv
	for {
		raw, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		var id int
		s.update(func(st *Stats) { st.Connections++; id = st.Connections })
		c := &conn{Conn: raw, id: id, srv: s}
		s.mu.Lock()
		select {
		case <-s.done:
			s.mu.Unlock()
			raw.Close()
			return nil, net.ErrClosed
		default:
		}
		over := s.cfg.maxConns > 0 && len(s.conns) >= s.cfg.maxConns
		if !over {
			s.conns[c] = struct{}{}
		}
		s.mu.Unlock()
		if over {
			refuse(raw)
			continue
		}

		var nc net.Conn = c
		if s.cfg.implicitTLS {
			nc = tls.Server(c, s.tlsConfig)
		}
		if s.hasFault(StageDataCommand) {
			nc = s.newFilterConn(nc)
		}
		if f := s.match(StageGreeting, ""); f != nil {
			s.update(func(st *Stats) { st.Faults++ })
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer nc.Close()
				switch f.Action {
				case Reply:
					nc.SetDeadline(time.Now().Add(10 * time.Second))
					io.WriteString(nc, f.line())
				case Stall:
					s.stall()
				}
			}()
			continue
		}
		return nc, nil
	}
}

// conn is an accepted connection with its number.
type conn struct {
	net.Conn
	id     int
	srv    *Server
	once   sync.Once
	budget atomic.Int64 // bytes go-smtp may still discard; 0: not discarding
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.srv.mu.Lock()
		delete(c.srv.conns, c)
		c.srv.mu.Unlock()
	})
	return err
}

// connOf finds our conn under a go-smtp connection, TLS or not.
func connOf(nc net.Conn) *conn {
	for {
		switch c := nc.(type) {
		case *conn:
			return c
		case *tls.Conn:
			nc = c.NetConn()
		case *filterConn:
			nc = c.Conn
		default:
			return nil
		}
	}
}
