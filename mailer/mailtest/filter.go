package mailtest

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"strings"
)

// filterConn sits between a connection and go-smtp to play faults at the
// DATA command, which go-smtp answers with 354 before the backend hears of
// it. It reads the client's commands one line at a time, so that when it
// meets "DATA" every command before it has been answered, and replies in
// go-smtp's place when a fault says so. It steps aside for good after
// STARTTLS, whose TLS runs on top of it.
type filterConn struct {
	net.Conn
	f dataFilter
}

func (c *filterConn) Read(p []byte) (int, error) { return c.f.read(c.Conn, p) }

func (c *filterConn) Write(p []byte) (int, error) {
	c.f.wrote(p)
	return c.Conn.Write(p)
}

type filterMode int

const (
	modeCommand filterMode = iota // reading commands
	modeReply                     // DATA passed; waiting for go-smtp's answer
	modeData                      // reading the body, up to the "." line
	modeOff                       // after STARTTLS: bytes pass untouched
)

// dataFilter is the state of a filterConn. go-smtp reads and writes a
// connection from one goroutine, so it needs no lock.
type dataFilter struct {
	match func() *fault // the fault for this DATA command, or nil
	act   func(f *fault) (drop bool)
	buf   []byte // read, not yet passed on
	free  int    // bytes at the head of buf already judged
	mode  filterMode
	tail  bool // the next line is the end of one passed on in pieces
	err   error
}

// maxLine is how much of a line without end the filter holds before
// passing it on in pieces.
const maxLine = 64 << 10

// read fills p from src, passing on each command line once it is judged
// (see consume), and everything after STARTTLS as it comes.
func (f *dataFilter) read(src io.Reader, p []byte) (int, error) {
	for {
		if f.free > 0 {
			n := copy(p, f.buf[:f.free])
			f.buf = f.buf[n:]
			f.free -= n
			return n, nil
		}
		if f.mode == modeOff {
			if len(f.buf) > 0 {
				n := copy(p, f.buf)
				f.buf = f.buf[n:]
				return n, nil
			}
			return src.Read(p)
		}
		var err error
		if i := bytes.IndexByte(f.buf, '\n'); i >= 0 {
			err = f.consume(i)
		} else {
			err = f.fill(src)
		}
		if err != nil {
			return 0, err
		}
	}
}

// fill reads more of src into f.buf, which holds no complete line. A
// line longer than maxLine, or the rest before the end of src, is passed
// on as it is; the end of src itself is returned once f.buf is empty.
func (f *dataFilter) fill(src io.Reader) error {
	if len(f.buf) >= maxLine {
		f.free, f.tail = len(f.buf), true
		return nil
	}
	if f.err != nil {
		if len(f.buf) > 0 {
			f.free = len(f.buf)
			return nil
		}
		return f.err
	}
	var tmp [4096]byte
	n, err := src.Read(tmp[:])
	f.buf = append(f.buf, tmp[:n]...)
	f.err = err
	return nil
}

// consume judges the complete line f.buf[:i+1] and passes it on, unless
// it is a DATA command that a filter answers: that line is dropped, or
// the connection closed (net.ErrClosed), as the filter says.
func (f *dataFilter) consume(i int) error {
	line := f.buf[:i+1]
	switch {
	case f.tail:
		f.tail = false
	case f.mode == modeData:
		if string(line) == ".\r\n" {
			f.mode = modeCommand
		}
	default:
		switch strings.ToUpper(strings.TrimSpace(string(line))) {
		case "DATA":
			if ft := f.match(); ft != nil {
				if f.act(ft) {
					return net.ErrClosed
				}
				f.buf = f.buf[i+1:]
				return nil
			}
			f.mode = modeReply
		case "STARTTLS":
			f.mode = modeOff
		}
	}
	f.free = i + 1
	return nil
}

// wrote watches go-smtp's answer to a DATA command that went through.
func (f *dataFilter) wrote(p []byte) {
	if f.mode == modeReply {
		f.mode = modeCommand
		if bytes.HasPrefix(p, []byte("354")) {
			f.mode = modeData
		}
	}
}

// newFilterConn wraps nc for s's DATA-command faults. reply writes a
// fault's reply line to the client.
func (s *Server) newFilterConn(nc net.Conn) *filterConn {
	c := &filterConn{Conn: nc}
	c.f.match = func() *fault { return s.match(StageDataCommand, "") }
	c.f.act = func(ft *fault) bool {
		s.update(func(st *Stats) { st.Faults++ })
		switch ft.Action {
		case Drop:
			nc.Close()
			return true
		case Stall:
			s.stall()
			nc.Close()
			return true
		}
		io.WriteString(nc, ft.line())
		return false
	}
	return c
}

// hasFault reports whether a fault acts at stage.
func (s *Server) hasFault(stage Stage) bool {
	for _, f := range s.cfg.faults {
		if f.Stage == stage {
			return true
		}
	}
	return false
}

// isTLS reports whether nc is, or runs over, a TLS connection.
func isTLS(nc net.Conn) bool {
	for {
		switch c := nc.(type) {
		case *tls.Conn:
			return true
		case *filterConn:
			nc = c.Conn
		default:
			return false
		}
	}
}
