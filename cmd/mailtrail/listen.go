package main

import (
	"context"
	"errors"

	"github.com/mailtrail/mailtrail/internal/webview"
)

// requireLoopback returns a usage error unless addr is a loopback
// address: a public one asks for --allow-public, any other problem (an
// address that does not resolve) follows prefix, such as "--serve: ".
func requireLoopback(ctx context.Context, addr, prefix string) error {
	err := webview.CheckLoopback(ctx, addr)
	if err == nil {
		return nil
	}
	if errors.Is(err, webview.ErrPublic) {
		return usagef("%v (pass --allow-public to listen there anyway)", err)
	}
	return usagef("%s%v", prefix, err)
}
