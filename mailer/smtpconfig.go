package mailer

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SMTPConfig says how to reach and talk to an SMTP server. The zero value of
// every field means its documented default; ParseSMTPURL fills one from a
// URL. Formatting an SMTPConfig with fmt or log/slog shows Redacted, so the
// password never reaches a log line.
type SMTPConfig struct {
	// Host is the server's name or IP address. Required. It is also the
	// name the server's certificate must carry unless TLSConfig.ServerName
	// says otherwise.
	Host string
	// Port is the TCP port; zero means the default of Security (587, 465 or 25).
	Port int
	// Security is the connection's protection; the zero value requires STARTTLS.
	Security Security
	// Username and Password authenticate with AUTH (RFC 4954) when
	// Username is not empty. Over SecurityStartTLS and SecurityTLS the
	// credentials are only ever sent after the TLS handshake.
	Username, Password string
	// Auth is the SASL mechanism: "plain", "login", or "" for PLAIN when the
	// server offers it and LOGIN otherwise.
	Auth string
	// DialTimeout bounds the TCP connect; zero means DefaultDialTimeout (15s).
	DialTimeout time.Duration
	// CommandTimeout bounds the wait for each reply: the greeting, EHLO,
	// STARTTLS and the TLS handshake, AUTH, MAIL, RCPT, DATA's 354, RSET
	// and QUIT; zero means DefaultCommandTimeout (1m).
	CommandTimeout time.Duration
	// DataTimeout bounds sending the message body and waiting for the
	// reply to the final "." (RFC 5321 §4.5.3.2.6 suggests 10 minutes for
	// the latter); zero means DefaultDataTimeout (5m).
	DataTimeout time.Duration
	// TLSConfig is used for STARTTLS and implicit TLS; nil means the
	// system's roots, TLS 1.2 or later, and ServerName = Host.
	TLSConfig *tls.Config
	// LocalName is the name given in EHLO; "" means "localhost".
	LocalName string
	// MaxConns is how many connections the transport may hold open and
	// send over in parallel; zero means 1.
	MaxConns int
	// NoPipelining sends one command and waits for its reply before the
	// next, even to a server that offers PIPELINING (RFC 2920). By
	// default MAIL, every RCPT and DATA go out together and their replies
	// are read in turn: one round trip instead of two or more.
	NoPipelining bool
}

// addr returns host:port with the default port filled in.
func (c *SMTPConfig) addr() string {
	port := c.Port
	if port == 0 {
		port = c.Security.defaultPort()
	}
	return net.JoinHostPort(c.Host, strconv.Itoa(port))
}

// Redacted returns the configuration as an SMTP URL with the password
// replaced by "xxxxx", for logs and error messages.
func (c SMTPConfig) Redacted() string {
	u := url.URL{Scheme: c.Security.scheme(), Host: c.addr()}
	switch {
	case c.Password != "":
		u.User = url.UserPassword(c.Username, "xxxxx")
	case c.Username != "":
		u.User = url.User(c.Username)
	}
	q := url.Values{}
	if c.Auth != "" {
		q.Set("auth", c.Auth)
	}
	if c.DialTimeout != 0 {
		q.Set("dial_timeout", c.DialTimeout.String())
	}
	if c.CommandTimeout != 0 {
		q.Set("command_timeout", c.CommandTimeout.String())
	}
	if c.DataTimeout != 0 {
		q.Set("data_timeout", c.DataTimeout.String())
	}
	if c.LocalName != "" {
		q.Set("local_name", c.LocalName)
	}
	if c.MaxConns != 0 {
		q.Set("max_conns", strconv.Itoa(c.MaxConns))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// String returns Redacted.
func (c SMTPConfig) String() string { return c.Redacted() }

// GoString returns Redacted, so that %#v does not print the password either.
func (c SMTPConfig) GoString() string { return "mailer.SMTPConfig(" + c.Redacted() + ")" }

// LogValue makes log/slog print Redacted.
func (c SMTPConfig) LogValue() slog.Value { return slog.StringValue(c.Redacted()) }

// validate checks the fields that a URL cannot get wrong but a struct can.
func (c *SMTPConfig) validate() error {
	switch {
	case c.Host == "":
		return errors.New("mailer: smtp config: missing host")
	case !validHost(c.Host):
		return fmt.Errorf("mailer: smtp config: invalid host %q", c.Host)
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("mailer: smtp config: port %d out of range", c.Port)
	case c.Security < SecurityStartTLS || c.Security > SecurityNone:
		return fmt.Errorf("mailer: smtp config: unknown security %d", int(c.Security))
	case c.Auth != "" && c.Auth != "plain" && c.Auth != "login":
		return fmt.Errorf("mailer: smtp config: unknown auth mechanism %q (want plain or login)", c.Auth)
	case c.Password != "" && c.Username == "":
		return errors.New("mailer: smtp config: password without user name")
	case c.DialTimeout < 0 || c.CommandTimeout < 0 || c.DataTimeout < 0:
		return errors.New("mailer: smtp config: negative timeout")
	case c.MaxConns < 0:
		return errors.New("mailer: smtp config: negative max_conns")
	case strings.ContainsAny(c.LocalName, " \r\n\x00"):
		return errors.New("mailer: smtp config: local name contains a space or control character")
	}
	return nil
}

// validHost accepts an IP address or a DNS name of letters, digits, '-',
// '_' and '.'.
func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return !strings.Contains(h, "%") // no IPv6 zones
	}
	if len(h) > 253 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// redactRawURL hides the password of a URL that may not even parse: all
// between the first ':' after "://" and the last '@' goes.
func redactRawURL(raw string) string {
	s := redactRaw(raw)
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return strconv.Quote(s)
		}
	}
	return s
}

func redactRaw(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || strings.ContainsAny(scheme, ":@") {
		// Not a URL at all; it may be a bare secret pasted by mistake.
		if strings.ContainsAny(raw, ":@") {
			return "(unparseable, not shown)"
		}
		return raw
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return scheme + "://" + rest
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return scheme + "://" + rest
	}
	return scheme + "://" + user + ":xxxxx@" + rest[at+1:]
}
