package webview

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// ErrPublic is returned by [Listen] for an address that is not loopback when
// public addresses were not allowed.
var ErrPublic = errors.New("webview: refusing to listen on a non-loopback address")

// shutdownGrace bounds how long [Serve] waits for requests in flight.
const shutdownGrace = 2 * time.Second

// CheckLoopback reports whether addr ("host:port") names only loopback
// addresses: an IP in 127.0.0.0/8 or ::1, or a host name that resolves to
// loopback addresses only (such as "localhost"). An empty host means every
// interface and is not loopback. The error wraps [ErrPublic].
func CheckLoopback(ctx context.Context, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("webview: address %q: %w", addr, err)
	}
	if host == "" {
		return fmt.Errorf("%w: %q listens on every interface", ErrPublic, addr)
	}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return fmt.Errorf("%w: %s", ErrPublic, addr)
		}
		return nil
	}
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return fmt.Errorf("webview: address %q: %w", addr, err)
	}
	for _, ip := range ips {
		if !ip.IP.IsLoopback() {
			return fmt.Errorf("%w: %s resolves to %s", ErrPublic, host, ip.IP)
		}
	}
	return nil
}

// Listen opens a TCP listener on addr. Unless allowPublic is set, an address
// that is not loopback (see [CheckLoopback]) is refused with an error
// wrapping [ErrPublic], before anything is opened.
func Listen(ctx context.Context, addr string, allowPublic bool) (net.Listener, error) {
	if !allowPublic {
		if err := CheckLoopback(ctx, addr); err != nil {
			return nil, err
		}
	}
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("webview: %w", err)
	}
	return l, nil
}

// Serve is [ServeWith] with the default options.
func Serve(ctx context.Context, l net.Listener, h http.Handler) error {
	return ServeWith(ctx, l, h, nil)
}

// ServeWith serves h on l until ctx is done, then shuts the server down with
// [http.Server.Shutdown]: the listener closes at once, open event streams end,
// and requests in flight get a few seconds to finish. It returns nil after a
// clean shutdown. ServeWith closes l.
//
// Only requests whose Host names l's address are served ([HostGuard]); at
// most opts.MaxConns connections are open at once, and one idle for
// opts.IdleTimeout is closed. Event streams hold at most half the
// connections, so that pages still load with many open.
func ServeWith(ctx context.Context, l net.Listener, h http.Handler, opts *ServeOptions) error {
	// Event streams never end on their own: every request context derives
	// from base, which is cancelled as soon as Shutdown begins.
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	base = context.WithValue(base, streamsKey{}, opts.streams())
	var names []string
	if opts != nil {
		names = opts.Names
	}
	srv := &http.Server{
		Handler:           HostGuard(l.Addr(), names, h),
		ReadHeaderTimeout: min(maxHeaderWait, opts.idle()),
		IdleTimeout:       opts.idle(),
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	l = netutil.LimitListener(l, opts.maxConns())
	srv.RegisterOnShutdown(cancel)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("webview: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		// QUIRK: Shutdown counts a connection that never sent a request
		// (browsers open such speculative "preconnect" sockets) as busy
		// for its first 5 seconds. The views only read, so cutting what is
		// left after the grace period is still a clean stop.
		srv.Close()
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("webview: shutdown: %w", err)
		}
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("webview: serve: %w", err)
	}
	return nil
}
