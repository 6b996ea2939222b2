package main

import (
	"encoding/base64"
	"fmt"
	"net/mail"
	"strings"

	"github.com/mailtrail/mailtrail/identity"
)

// appFlag reads the application address of --from: APP@DOMAIN, or
// "Name <APP@DOMAIN>" as render and send take it, so that the same value
// works for every command; the signing keys of MAILTRAIL_KEYS come with it,
// so that every command that traces verifies signed reply addresses.
// Errors are usage errors.
func appFlag(e *env, from string) (identity.App, error) {
	app, err := identity.ParseApp(from)
	if err != nil {
		a, perr := mail.ParseAddress(from)
		if perr != nil || a.Name == "" {
			return identity.App{}, usagef("--from: %v", err)
		}
		if app, err = identity.ParseApp(a.Address); err != nil {
			return identity.App{}, usagef("--from: %v", err)
		}
	}
	if app.Keys, err = readKeys(e); err != nil {
		return identity.App{}, &usageError{msg: err.Error()}
	}
	return app, nil
}

// keysEnv names the variable holding the keys that sign reply addresses.
// It is an environment variable, never a flag, so that secrets stay out of
// the process list and shell history.
const keysEnv = "MAILTRAIL_KEYS"

// readKeys reads MAILTRAIL_KEYS: "ID:SECRET[,ID:SECRET…]", each ID one
// character of [a-z0-9] and each SECRET base64 (standard or URL alphabet,
// padded or not) of at least 16 octets. The first key signs; all of them
// verify, so that an old key can stay listed after a rotation. Unset or
// empty means unsigned reply addresses. Errors never show a secret.
func readKeys(e *env) ([]identity.Key, error) {
	v := strings.TrimSpace(e.getenv(keysEnv))
	if v == "" {
		return nil, nil
	}
	var keys []identity.Key
	for i, item := range strings.Split(v, ",") {
		id, secret, ok := strings.Cut(strings.TrimSpace(item), ":")
		if !ok {
			return nil, fmt.Errorf("%s: key %d: want ID:SECRET", keysEnv, i+1)
		}
		b, err := decodeSecret(secret)
		if err != nil {
			return nil, fmt.Errorf("%s: key %q: the secret is not base64", keysEnv, id)
		}
		keys = append(keys, identity.Key{ID: id, Secret: b})
	}
	// App.Check validates ids, duplicates and secret lengths, naming the key
	// by its id only.
	if err := (identity.App{Name: "app", Domain: "example.com", Keys: keys}).Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", keysEnv, err)
	}
	return keys, nil
}

func decodeSecret(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawURLEncoding.DecodeString(s)
}
