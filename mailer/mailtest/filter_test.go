package mailtest

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestServer_dataCommandFault(t *testing.T) {
	const tricky = "Subject: t\r\n\r\nDATA\r\nSTARTTLS\r\n..\r\nend\r\n"
	for _, tt := range []struct {
		name string
		opts []Option
	}{
		{"plain", nil},
		{"implicit tls", []Option{ImplicitTLS()}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(t, append(tt.opts, WithFault(Fault{Stage: StageDataCommand, Code: 451, Times: 1}))...)
			c := dial(t, srv)
			if err := c.Mail("a@x.test", nil); err != nil {
				t.Fatal(err)
			}
			if err := c.Rcpt("b@x.test", nil); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Data(); code(err) != 451 {
				t.Fatalf("DATA = %v, want 451", err)
			}
			if err := c.Reset(); err != nil {
				t.Fatalf("RSET after the refused DATA: %v", err)
			}
			// A body holding "DATA" and "STARTTLS" lines is a body.
			for range 2 {
				if err := c.SendMail("a@x.test", []string{"b@x.test"}, strings.NewReader(tricky)); err != nil {
					t.Fatalf("SendMail: %v", err)
				}
			}
			got := srv.Messages()
			if len(got) != 2 || string(got[0].Data) != tricky || string(got[1].Data) != tricky ||
				got[0].TLS != srv.cfg.implicitTLS {
				t.Errorf("Messages() = %+v, want 2 with the tricky body, TLS %v", got, srv.cfg.implicitTLS)
			}
			if st := srv.Stats(); st.Faults != 1 {
				t.Errorf("Stats().Faults = %d, want 1", st.Faults)
			}
		})
	}
}

func TestServer_dataCommandDrop(t *testing.T) {
	srv := NewServer(t, WithFault(Fault{Stage: StageDataCommand, Action: Drop}))
	c := dial(t, srv)
	err := c.SendMail("a@x.test", []string{"b@x.test"}, strings.NewReader(body))
	if err == nil || code(err) != 0 {
		t.Errorf("SendMail = %v, want a connection error", err)
	}
}

// TestDataFilter_lines feeds the filter in small pieces, with a long
// line, and checks that it passes everything through and judges only
// command lines.
func TestDataFilter_lines(t *testing.T) {
	long := strings.Repeat("x", maxLine+10)
	in := "EHLO x\r\nMAIL FROM:<a>\r\nDATA\r\n" + long + "\r\nDATA\r\n.\r\nDATA\r\nQUIT\r\n"
	calls := 0
	f := &dataFilter{match: func() *fault { calls++; return nil }}
	var out bytes.Buffer
	buf := make([]byte, 512)
	r := chunkReader{strings.NewReader(in), 100}
	for {
		n, err := f.read(r, buf)
		out.Write(buf[:n])
		if s := out.String(); strings.HasSuffix(s, "DATA\r\n") && f.mode == modeReply {
			f.wrote([]byte("354 go ahead\r\n"))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if out.String() != in {
		t.Errorf("filter changed the stream")
	}
	if calls != 2 {
		t.Errorf("DATA judged %d times, want 2 (not the body's line)", calls)
	}
}

// chunkReader returns at most n bytes a read.
type chunkReader struct {
	r io.Reader
	n int
}

func (c chunkReader) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// FuzzDataFilter checks that, with no fault acting, the filter passes any
// stream through unchanged, however it is cut.
func FuzzDataFilter(f *testing.F) {
	f.Add("EHLO x\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\nbody\r\n.\r\nQUIT\r\n", uint8(3), uint8(5))
	f.Add("STARTTLS\r\n\x16\x03\x01binary", uint8(1), uint8(1))
	f.Add("data\nDATA\r\n\r\n.\r\n", uint8(7), uint8(2))
	f.Fuzz(func(t *testing.T, in string, chunk, size uint8) {
		fl := &dataFilter{match: func() *fault { return nil }}
		var out bytes.Buffer
		buf := make([]byte, int(size)+1)
		r := chunkReader{strings.NewReader(in), int(chunk) + 1}
		for range 10 * (len(in) + 1) {
			n, err := fl.read(r, buf)
			out.Write(buf[:n])
			if fl.mode == modeReply {
				fl.wrote([]byte("354 go ahead\r\n"))
			}
			if err == io.EOF {
				break
			}
		}
		if out.String() != in {
			t.Errorf("filter turned %q into %q", in, out.String())
		}
	})
}
