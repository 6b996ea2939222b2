package mailtest

import (
	"context"

	"github.com/mailtrail/mailtrail/inbound"
)

// Auth says whether the message is signed and whether its signatures
// verify: S/MIME against opts.Trust, DKIM with opts.LookupTXT (give one,
// so that a test asks no DNS server). See inbound.VerifyAuth.
func (m Message) Auth(ctx context.Context, opts *inbound.AuthOptions) inbound.Auth {
	return inbound.VerifyAuth(ctx, m.Data, opts)
}
