package imaptest_test

import (
	"crypto/tls"
	"net"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/mailtrail/mailtrail/inbound/imaptest"
)

func login(t *testing.T, srv *imaptest.Server, mode imaptest.TLSMode) *imapclient.Client {
	t.Helper()
	var c *imapclient.Client
	var err error
	switch mode {
	case imaptest.Implicit:
		c, err = imapclient.DialTLS(srv.Addr(), &imapclient.Options{TLSConfig: srv.ClientTLSConfig()})
	case imaptest.StartTLS:
		c, err = imapclient.DialStartTLS(srv.Addr(), &imapclient.Options{TLSConfig: srv.ClientTLSConfig()})
	default:
		c, err = imapclient.DialInsecure(srv.Addr(), nil)
	}
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(imaptest.User, imaptest.Password).Wait(); err != nil {
		t.Fatalf("Login() = %v", err)
	}
	return c
}

func TestServer_tlsModes(t *testing.T) {
	for _, mode := range []imaptest.TLSMode{imaptest.Plain, imaptest.StartTLS, imaptest.Implicit} {
		srv := imaptest.NewServer(t, &imaptest.Options{TLS: mode})
		c := login(t, srv, mode)
		if err := c.Logout().Wait(); err != nil {
			t.Fatalf("mode %d: Logout() = %v", mode, err)
		}
		if st := srv.Stats(); st.Logins != 1 || st.Logouts != 1 {
			t.Errorf("mode %d: Stats = %+v, want one login and one logout", mode, st)
		}
	}
	if cfg := imaptest.NewServer(t, nil).ClientTLSConfig(); cfg != nil {
		t.Errorf("Plain server ClientTLSConfig() = %v, want nil", cfg)
	}
	var _ *tls.Config = imaptest.NewServer(t, &imaptest.Options{TLS: imaptest.Implicit}).ClientTLSConfig()
}

func TestServer_capabilities(t *testing.T) {
	tests := []struct {
		name string
		opts imaptest.Options
		cap  imap.Cap
		want bool
	}{
		{"MOVE by default", imaptest.Options{}, imap.CapMove, true},
		{"IDLE by default", imaptest.Options{}, imap.CapIdle, true},
		{"UIDPLUS by default", imaptest.Options{}, imap.CapUIDPlus, true},
		{"NoMove", imaptest.Options{NoMove: true}, imap.CapMove, false},
		{"NoIdle", imaptest.Options{NoIdle: true}, imap.CapIdle, false},
		{"NoUIDPlus", imaptest.Options{NoUIDPlus: true}, imap.CapUIDPlus, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := imaptest.NewServer(t, &tt.opts)
			c := login(t, srv, imaptest.Plain)
			if got := c.Caps().Has(tt.cap); got != tt.want {
				t.Errorf("Caps().Has(%s) = %v, want %v", tt.cap, got, tt.want)
			}
		})
	}
}

func TestServer_mailboxes(t *testing.T) {
	srv := imaptest.NewServer(t, &imaptest.Options{Mailboxes: []string{"Archive"}})
	if uid := srv.Deliver("", []byte("Subject: one\r\n\r\n1\r\n")); uid != 1 {
		t.Errorf("first Deliver() UID = %d, want 1", uid)
	}
	srv.Deliver("INBOX", []byte("Subject: two\r\n\r\n2\r\n"))
	if got := srv.Messages("INBOX"); len(got) != 2 || string(got[1]) != "Subject: two\r\n\r\n2\r\n" {
		t.Errorf("Messages(INBOX) = %q", got)
	}
	if got := srv.Messages("Nowhere"); got != nil {
		t.Errorf("Messages(Nowhere) = %q, want nil", got)
	}
	before := srv.UIDValidity("INBOX")
	srv.ResetUIDValidity("INBOX")
	if after := srv.UIDValidity("INBOX"); after == before {
		t.Errorf("UIDVALIDITY %d after ResetUIDValidity, want a new one", after)
	}
	if got := srv.Messages("INBOX"); len(got) != 2 {
		t.Errorf("after ResetUIDValidity: %d messages, want 2", len(got))
	}
	srv.DeleteMailbox("Archive")
	for _, name := range srv.Mailboxes() {
		if name == "Archive" {
			t.Errorf("Mailboxes() = %q after DeleteMailbox(Archive)", srv.Mailboxes())
		}
	}
}

func TestServer_dropAndCount(t *testing.T) {
	srv := imaptest.NewServer(t, nil)
	srv.Deliver("", []byte("Subject: one\r\n\r\n1\r\n"))
	c := login(t, srv, imaptest.Plain)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	// A FETCH by sequence number is counted.
	if _, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true}).Collect(); err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.SeqNumUses != 1 {
		t.Errorf("SeqNumUses = %d, want 1", st.SeqNumUses)
	}
	if n := srv.DropConnections(); n != 1 {
		t.Errorf("DropConnections() = %d, want 1", n)
	}
	<-c.Closed()
	// The server still listens.
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatalf("dial after DropConnections: %v", err)
	}
	conn.Close()
}
