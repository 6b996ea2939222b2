package imaptest

import "net/url"

// URL builds scheme://user:password@addr with user and password
// percent-encoded.
func URL(scheme, user, password, addr string) string {
	u := url.URL{Scheme: scheme, User: url.UserPassword(user, password), Host: addr}
	return u.String()
}
