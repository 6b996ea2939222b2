package main

import (
	"context"
	"errors"
)

// previewServeOptions are the flags of "preview --serve".
type previewServeOptions struct {
	Addr         string // listen address, e.g. 127.0.0.1:8080
	TemplatesDir string // folder of templates (NAME.md beside NAME.json)
	Layout       string // optional layout file
	AllowPublic  bool   // allow listening on a non-loopback address
}

// previewServe is a placeholder until the live preview web app lands.
func previewServe(ctx context.Context, e *env, o previewServeOptions) error {
	return errors.New("preview --serve: not available yet")
}
