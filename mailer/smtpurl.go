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

// EnvSMTPURL names the environment variable read by SMTPConfigFromEnv.
const EnvSMTPURL = "MAILTRAIL_SMTP_URL"

// ErrNoSMTP reports that no SMTP server is configured (MAILTRAIL_SMTP_URL
// empty or unset). Callers fall back to the local outbox on it.
var ErrNoSMTP = errors.New("mailer: no SMTP server configured")

// Security says how the connection to the SMTP server is protected.
type Security int

const (
	// SecurityStartTLS connects in plaintext and upgrades with STARTTLS
	// (RFC 3207) before anything else; a server that does not offer
	// STARTTLS, or a certificate that does not verify, is an error, never a
	// plaintext fallback. It is the zero value and the scheme smtp://
	// (default port 587, RFC 6409 submission).
	SecurityStartTLS Security = iota
	// SecurityTLS speaks SMTP inside TLS from the first byte (RFC 8314
	// implicit TLS): the scheme smtps://, default port 465.
	SecurityTLS
	// SecurityNone speaks plaintext, for a relay on the local machine or
	// network (a sidecar, a development sink): the scheme smtp+insecure://,
	// default port 25. Credentials, if given, are sent in clear.
	SecurityNone
)

// String returns "starttls", "tls" or "none".
func (s Security) String() string {
	switch s {
	case SecurityStartTLS:
		return "starttls"
	case SecurityTLS:
		return "tls"
	case SecurityNone:
		return "none"
	}
	return "Security(" + strconv.Itoa(int(s)) + ")"
}

func (s Security) scheme() string {
	switch s {
	case SecurityTLS:
		return "smtps"
	case SecurityNone:
		return "smtp+insecure"
	}
	return "smtp"
}

func (s Security) defaultPort() int {
	switch s {
	case SecurityTLS:
		return 465
	case SecurityNone:
		return 25
	}
	return 587
}

// Default values used for the zero fields of SMTPConfig.
const (
	DefaultDialTimeout    = 15 * time.Second
	DefaultCommandTimeout = time.Minute
	DefaultDataTimeout    = 5 * time.Minute
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

// SMTPConfigFromEnv reads EnvSMTPURL through getenv (os.Getenv, or a map in
// tests) and parses it with ParseSMTPURL. An empty or unset variable gives
// ErrNoSMTP.
func SMTPConfigFromEnv(getenv func(string) string) (*SMTPConfig, error) {
	raw := strings.TrimSpace(getenv(EnvSMTPURL))
	if raw == "" {
		return nil, ErrNoSMTP
	}
	cfg, err := ParseSMTPURL(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvSMTPURL, err)
	}
	return cfg, nil
}

// ParseSMTPURL parses an SMTP URL:
//
//	smtp://user:pass@host:587        STARTTLS required (default port 587)
//	smtps://user:pass@host:465       implicit TLS (default port 465)
//	smtp+insecure://host:25          plaintext, for a local relay (default port 25)
//
// The user name and password are percent-decoded; a password holding '@',
// ':', '/', '?', '#' or '%' must be percent-encoded ("p%40ss" for "p@ss").
// Query options:
//
//	timeout=10s         sets the dial, command and data timeouts at once
//	dial_timeout=5s     TCP connect (overrides timeout)
//	command_timeout=30s each command's reply (overrides timeout)
//	data_timeout=2m     body and final reply (overrides timeout)
//	auth=plain|login    SASL mechanism
//	local_name=host     the EHLO name
//	max_conns=4         parallel connections
//
// Errors never contain the password: they show the URL redacted.
func ParseSMTPURL(raw string) (*SMTPConfig, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("mailer: smtp url %s: %s", redactRawURL(raw), fmt.Sprintf(format, args...))
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil, fail("want scheme://[user:password@]host[:port], e.g. smtp://user:pass@mail.example.com:587")
	}
	cfg := &SMTPConfig{}
	switch strings.ToLower(scheme) {
	case "smtp":
		cfg.Security = SecurityStartTLS
	case "smtps":
		cfg.Security = SecurityTLS
	case "smtp+insecure":
		cfg.Security = SecurityNone
	default:
		if strings.ContainsAny(scheme, ":@") {
			return nil, fail("want scheme://[user:password@]host[:port], e.g. smtp://user:pass@mail.example.com:587")
		}
		return nil, fail("unsupported scheme %q (want smtp, smtps or smtp+insecure)", scheme)
	}

	// The user information runs to the last '@': neither host, port nor
	// query may hold one, and a password might (unencoded, by mistake).
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		userinfo := rest[:at]
		rest = rest[at+1:]
		user, pass, hasPass := strings.Cut(userinfo, ":")
		if strings.ContainsAny(user, "@/?#[]") {
			return nil, fail("the user name holds a reserved character: percent-encode it")
		}
		if strings.ContainsAny(pass, "@/?#[]") {
			return nil, fail("the password holds '@', '/', '?', '#', '[' or ']': percent-encode it (%%40 for '@')")
		}
		var err error
		if cfg.Username, err = url.PathUnescape(user); err != nil {
			return nil, fail("the user name has an invalid percent-escape")
		}
		if cfg.Password, err = url.PathUnescape(pass); err != nil {
			return nil, fail("the password has an invalid percent-escape (write '%%' as %%25)")
		}
		if hasPass && cfg.Password == "" {
			return nil, fail("empty password")
		}
		if cfg.Username == "" {
			return nil, fail("empty user name before '@'")
		}
	}

	// What is left holds no secret: let net/url parse it.
	u, err := url.Parse(strings.ToLower(scheme) + "://" + rest)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fail("%v", err)
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fail("unexpected path %q", u.Path)
	}
	if u.Fragment != "" {
		return nil, fail("unexpected fragment")
	}
	cfg.Host = u.Hostname()
	if cfg.Host == "" {
		return nil, fail("missing host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fail("port %q out of range", p)
		}
		cfg.Port = n
	}

	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fail("bad query: %v", err)
	}
	var all time.Duration
	durations := map[string]*time.Duration{
		"timeout":         &all,
		"dial_timeout":    &cfg.DialTimeout,
		"command_timeout": &cfg.CommandTimeout,
		"data_timeout":    &cfg.DataTimeout,
	}
	for key, vals := range q {
		if len(vals) != 1 {
			return nil, fail("option %q given %d times", key, len(vals))
		}
		v := vals[0]
		if d, ok := durations[key]; ok {
			n, err := time.ParseDuration(v)
			if err != nil || n <= 0 {
				return nil, fail("option %s=%q: want a positive duration such as 10s", key, v)
			}
			*d = n
			continue
		}
		switch key {
		case "auth":
			cfg.Auth = strings.ToLower(v)
			if cfg.Auth != "plain" && cfg.Auth != "login" {
				return nil, fail("option auth=%q: want plain or login", v)
			}
		case "local_name":
			cfg.LocalName = v
		case "max_conns":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1000 {
				return nil, fail("option max_conns=%q: want a number from 1 to 1000", v)
			}
			cfg.MaxConns = n
		default:
			return nil, fail("unknown option %q (known: timeout, dial_timeout, command_timeout, data_timeout, auth, local_name, max_conns)", key)
		}
	}
	for _, d := range []*time.Duration{&cfg.DialTimeout, &cfg.CommandTimeout, &cfg.DataTimeout} {
		if *d == 0 {
			*d = all
		}
	}
	if err := cfg.validate(); err != nil {
		return nil, fail("%v", strings.TrimPrefix(err.Error(), "mailer: smtp config: "))
	}
	return cfg, nil
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
