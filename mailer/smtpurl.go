package mailer

import (
	"errors"
	"fmt"
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
	cfg, err := parseSMTPURL(raw)
	if err != nil {
		return nil, fmt.Errorf("mailer: smtp url %s: %s", redactRawURL(raw), err)
	}
	return cfg, nil
}

// errSMTPURLForm is the error of a string that is not scheme://….
var errSMTPURLForm = errors.New("want scheme://[user:password@]host[:port], e.g. smtp://user:pass@mail.example.com:587")

// parseSMTPURL is ParseSMTPURL; its errors say what is wrong, without the
// URL, which the caller adds redacted.
func parseSMTPURL(raw string) (*SMTPConfig, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil, errSMTPURLForm
	}
	cfg := &SMTPConfig{}
	var err error
	if cfg.Security, err = parseSMTPScheme(scheme); err != nil {
		return nil, err
	}
	// The user information runs to the last '@': neither host, port nor
	// query may hold one, and a password might (unencoded, by mistake).
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		if err := cfg.parseUserinfo(rest[:at]); err != nil {
			return nil, err
		}
		rest = rest[at+1:]
	}
	// What is left holds no secret: let net/url parse it.
	u, err := url.Parse(strings.ToLower(scheme) + "://" + rest)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, err
	}
	if err := cfg.parseHostPort(u); err != nil {
		return nil, err
	}
	if err := cfg.parseQuery(u.RawQuery); err != nil {
		return nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "mailer: smtp config: "))
	}
	return cfg, nil
}

// parseSMTPScheme returns the Security a URL scheme asks for.
func parseSMTPScheme(scheme string) (Security, error) {
	switch strings.ToLower(scheme) {
	case "smtp":
		return SecurityStartTLS, nil
	case "smtps":
		return SecurityTLS, nil
	case "smtp+insecure":
		return SecurityNone, nil
	}
	if strings.ContainsAny(scheme, ":@") {
		return 0, errSMTPURLForm
	}
	return 0, fmt.Errorf("unsupported scheme %q (want smtp, smtps or smtp+insecure)", scheme)
}

// parseUserinfo sets the user name and password from "user[:pass]", both
// percent-encoded.
func (cfg *SMTPConfig) parseUserinfo(userinfo string) error {
	user, pass, hasPass := strings.Cut(userinfo, ":")
	if strings.ContainsAny(user, "@/?#[]") {
		return errors.New("the user name holds a reserved character: percent-encode it")
	}
	if strings.ContainsAny(pass, "@/?#[]") {
		return errors.New("the password holds '@', '/', '?', '#', '[' or ']': percent-encode it (%40 for '@')")
	}
	var err error
	if cfg.Username, err = url.PathUnescape(user); err != nil {
		return errors.New("the user name has an invalid percent-escape")
	}
	if cfg.Password, err = url.PathUnescape(pass); err != nil {
		return errors.New("the password has an invalid percent-escape (write '%' as %25)")
	}
	if hasPass && cfg.Password == "" {
		return errors.New("empty password")
	}
	if cfg.Username == "" {
		return errors.New("empty user name before '@'")
	}
	return nil
}

// parseHostPort sets the host and port of u, which has no path or
// fragment.
func (cfg *SMTPConfig) parseHostPort(u *url.URL) error {
	if u.Path != "" && u.Path != "/" {
		return fmt.Errorf("unexpected path %q", u.Path)
	}
	if u.Fragment != "" {
		return errors.New("unexpected fragment")
	}
	cfg.Host = u.Hostname()
	if cfg.Host == "" {
		return errors.New("missing host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %q out of range", p)
		}
		cfg.Port = n
	}
	return nil
}

// parseQuery sets the options of a URL's query (see ParseSMTPURL); a
// timeout fills the specific timeouts not given.
func (cfg *SMTPConfig) parseQuery(rawQuery string) error {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return fmt.Errorf("bad query: %v", err)
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
			return fmt.Errorf("option %q given %d times", key, len(vals))
		}
		v := vals[0]
		if d, ok := durations[key]; ok {
			n, err := time.ParseDuration(v)
			if err != nil || n <= 0 {
				return fmt.Errorf("option %s=%q: want a positive duration such as 10s", key, v)
			}
			*d = n
		} else if err := cfg.setOption(key, v); err != nil {
			return err
		}
	}
	for _, d := range []*time.Duration{&cfg.DialTimeout, &cfg.CommandTimeout, &cfg.DataTimeout} {
		if *d == 0 {
			*d = all
		}
	}
	return nil
}

// setOption sets one query option that is not a timeout.
func (cfg *SMTPConfig) setOption(key, v string) error {
	switch key {
	case "auth":
		cfg.Auth = strings.ToLower(v)
		if cfg.Auth != "plain" && cfg.Auth != "login" {
			return fmt.Errorf("option auth=%q: want plain or login", v)
		}
	case "local_name":
		cfg.LocalName = v
	case "max_conns":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return fmt.Errorf("option max_conns=%q: want a number from 1 to 1000", v)
		}
		cfg.MaxConns = n
	default:
		return fmt.Errorf("unknown option %q (known: timeout, dial_timeout, command_timeout, data_timeout, auth, local_name, max_conns)", key)
	}
	return nil
}
