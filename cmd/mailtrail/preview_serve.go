package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/mailtrail/mailtrail/internal/webview"
)

// previewServeOptions are the flags of "preview --serve".
type previewServeOptions struct {
	Addr         string // listen address, e.g. 127.0.0.1:8080
	TemplatesDir string // folder of templates (NAME.md beside NAME.json)
	Layout       string // optional layout file
	Brand        string // optional brand file
	AllowPublic  bool   // allow listening on a non-loopback address

	ready func(addr string) // tests: told the address listened on
}

// previewServe runs the live preview of a folder of templates until ctx is
// done (Ctrl-C), then shuts the web server down cleanly.
func previewServe(ctx context.Context, e *env, o previewServeOptions) error {
	if !o.AllowPublic {
		if err := requireLoopback(ctx, o.Addr, "--serve: "); err != nil {
			return err
		}
	}
	fi, err := os.Stat(o.TemplatesDir)
	if err != nil {
		return fmt.Errorf("templates folder: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("templates folder %s is not a folder", o.TemplatesDir)
	}
	if o.Layout != "" {
		if _, err := os.Stat(o.Layout); err != nil {
			return fmt.Errorf("layout: %w", err)
		}
	}
	if o.Brand != "" {
		if _, err := os.Stat(o.Brand); err != nil {
			return fmt.Errorf("brand: %w", err)
		}
	}
	p, err := webview.NewPreview(webview.PreviewOptions{
		Dir:    o.TemplatesDir,
		Layout: o.Layout,
		Brand:  o.Brand,
		Logger: textLogger(e.stderr, slog.LevelInfo),
	})
	if err != nil {
		return err
	}
	defer p.Close()
	l, err := webview.Listen(ctx, o.Addr, o.AllowPublic)
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	fmt.Fprintf(e.stderr, "preview: templates in %s on http://%s/ (the page reloads when a file changes; Ctrl-C stops)\n", o.TemplatesDir, addr)
	if o.ready != nil {
		o.ready(addr)
	}
	err = webview.ServeWith(ctx, l, p, &webview.ServeOptions{Names: []string{o.Addr}})
	fmt.Fprintln(e.stderr, "preview: stopped")
	return err
}
