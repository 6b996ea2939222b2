package imap

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// security is how a connection is protected.
type security int

const (
	secImplicitTLS security = iota // imaps://
	secStartTLS                    // imap://
	secInsecure                    // imap+insecure://, loopback only
)

// endpoint is a parsed IMAP URL.
type endpoint struct {
	sec      security
	host     string // without port
	addr     string // host:port
	user     string
	password string
	redacted string // the URL with the password replaced, for messages
}

// parseIMAPURL parses and checks an IMAP URL. Its errors never contain the
// password, not even when the URL cannot be parsed.
func parseIMAPURL(raw string) (*endpoint, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("%w: no IMAP URL (want imaps://user:pass@host:993)", ErrConfig)
	}
	u, err := url.Parse(raw)
	if err != nil || strayAt(u) {
		// url.Parse's error quotes the input, password included.
		return nil, fmt.Errorf("%w: cannot parse the IMAP URL %s (percent-encode '@', ':' and '/' in the user name and password)",
			ErrConfig, redactUnparsed(raw))
	}
	e := &endpoint{redacted: RedactURL(raw)}
	var port string
	switch strings.ToLower(u.Scheme) {
	case "imaps":
		e.sec, port = secImplicitTLS, "993"
	case "imap":
		e.sec, port = secStartTLS, "143"
	case "imap+insecure":
		e.sec, port = secInsecure, "143"
	case "":
		return nil, fmt.Errorf("%w: %s has no scheme (want imaps://, imap:// or imap+insecure://)", ErrConfig, e.redacted)
	default:
		return nil, fmt.Errorf("%w: %s: unknown scheme %q (want imaps://, imap:// or imap+insecure://)", ErrConfig, e.redacted, u.Scheme)
	}
	e.host = u.Hostname()
	if e.host == "" {
		return nil, fmt.Errorf("%w: %s has no host", ErrConfig, e.redacted)
	}
	if p := u.Port(); p != "" {
		port = p
	}
	e.addr = net.JoinHostPort(e.host, port)
	if u.User == nil || u.User.Username() == "" {
		return nil, fmt.Errorf("%w: %s has no user name", ErrConfig, e.redacted)
	}
	e.user = u.User.Username()
	e.password, _ = u.User.Password()
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%w: %s: a path, query or fragment is not supported (choose the mailbox with Poller.Mailbox)", ErrConfig, e.redacted)
	}
	if e.sec == secInsecure && !isLoopback(e.host) {
		return nil, fmt.Errorf("%w: %s: imap+insecure:// sends the password in clear text and is allowed for loopback hosts only; use imaps:// or imap://",
			ErrConfig, e.redacted)
	}
	return e, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RedactURL returns rawURL with its password, if any, replaced by "xxxxx",
// for printing. A URL that cannot be parsed comes back reduced to its scheme
// and host as far as they can be told apart from the credentials.
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || strayAt(u) {
		return redactUnparsed(rawURL)
	}
	return u.Redacted()
}

// strayAt reports an '@' outside the user information: the credentials
// held a raw '/', '?' or '#', which ended the authority early, and the
// password is now in the host, path, query or fragment.
func strayAt(u *url.URL) bool {
	return strings.ContainsRune(u.Host+u.Path+u.RawPath+u.RawQuery+u.Fragment+u.Opaque, '@')
}

// redactUnparsed cuts the credentials out of a URL that url.Parse refused:
// everything between "//" and the last '@' goes.
func redactUnparsed(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		if strings.Contains(raw, "@") {
			return "xxxxx"
		}
		return raw
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = "xxxxx@" + rest[i+1:]
	}
	return scheme + "://" + rest
}

// parseProxyURL parses an HTTP proxy URL.
func parseProxyURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot parse the proxy URL %s", ErrConfig, redactUnparsed(raw))
	}
	if u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("%w: proxy URL %s: want http://host:port", ErrConfig, u.Redacted())
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "80")
	}
	return u, nil
}
