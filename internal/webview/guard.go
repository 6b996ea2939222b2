package webview

import (
	"context"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Default limits of [ServeWith].
const (
	DefaultMaxConns    = 64              // open connections; more wait to be accepted
	DefaultIdleTimeout = 2 * time.Minute // a keep-alive connection with no request
	maxHeaderWait      = 10 * time.Second
	// maxStreams bounds the open event streams, which are long-lived by
	// design (see [ServeOptions.streams]); a page beyond it gets 503 (and
	// a closed connection) and goes without live reload.
	maxStreams = 32
)

// ServeOptions configures [ServeWith]. A nil *ServeOptions means the
// defaults.
type ServeOptions struct {
	// Names are host names, besides "localhost" and the listener's IP
	// address, that a request's Host may carry: the name the address was
	// given with (as "myhost.example:8026"). See [HostGuard].
	Names []string
	// MaxConns caps the open connections; zero means DefaultMaxConns.
	// Past it, new connections wait in the listen queue until one closes.
	MaxConns int
	// IdleTimeout closes a connection that sends no request for this
	// long (10 s at most for the first request's header); zero means
	// DefaultIdleTimeout.
	IdleTimeout time.Duration
}

func (o *ServeOptions) maxConns() int {
	if o == nil || o.MaxConns <= 0 {
		return DefaultMaxConns
	}
	return o.MaxConns
}

// streams is the most event streams open at once: maxStreams, and never
// more than half the connections, so that pages always get some.
func (o *ServeOptions) streams() int {
	return min(maxStreams, o.maxConns()/2)
}

// streamsKey is the context key of a request's server's [ServeOptions.streams].
type streamsKey struct{}

// streamLimit returns the cap on event streams of the server a request with
// ctx came to; maxStreams outside [ServeWith].
func streamLimit(ctx context.Context) int {
	if n, ok := ctx.Value(streamsKey{}).(int); ok {
		return n
	}
	return maxStreams
}

func (o *ServeOptions) idle() time.Duration {
	if o == nil || o.IdleTimeout <= 0 {
		return DefaultIdleTimeout
	}
	return o.IdleTimeout
}

// HostGuard serves h only to requests whose Host names the address l
// listens on: its IP address, "localhost", or one of names, with l's port.
// Any other Host gets 403 Forbidden. This defeats DNS rebinding, where a
// page on another site points its own host name at 127.0.0.1 to read what
// a local server shows: the browser then sends that site's name as Host.
// A listener on every interface (0.0.0.0, ::) accepts any IP address and
// the machine's host name, since it cannot know by which it is reached.
func HostGuard(l net.Addr, names []string, h http.Handler) http.Handler {
	ip, port := net.IPv4zero, ""
	if ta, ok := l.(*net.TCPAddr); ok {
		ip, port = ta.IP, strconv.Itoa(ta.Port)
	}
	allowed := map[string]bool{"localhost": true}
	for _, n := range names {
		if host, _, err := net.SplitHostPort(n); err == nil {
			n = host
		}
		if n != "" {
			allowed[normalHost(n)] = true
		}
	}
	if ip.IsUnspecified() {
		if name, err := os.Hostname(); err == nil {
			allowed[normalHost(name)] = true
		}
	}
	ok := func(hostport string) bool {
		host, p, err := net.SplitHostPort(hostport)
		if err != nil {
			host, p = hostport, "80" // no port: the default one
		}
		if p != port || host == "" {
			return false
		}
		host = normalHost(host)
		if allowed[host] {
			return true
		}
		hip := net.ParseIP(host)
		return hip != nil && (hip.Equal(ip) || ip.IsUnspecified())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ok(r.Host) {
			httpError(w, http.StatusForbidden, "webview: this server answers only to its own address (Host "+quoteHost(r.Host)+" refused)")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// normalHost lower-cases a host name, removes IPv6 brackets and a final dot.
func normalHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
}

func quoteHost(h string) string {
	if len(h) > 100 {
		h = h[:100] + "…"
	}
	return "\"" + strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, h) + "\""
}
