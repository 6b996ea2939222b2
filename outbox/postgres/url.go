package postgres

import (
	"net/url"
	"regexp"
	"strings"
)

// Redacted returns a PostgreSQL URL with its password replaced by "xxxxx",
// for logs and messages. A URL that does not parse comes back as
// "postgres://(unparsable URL)", since where its password ends cannot be
// told.
func Redacted(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// userinfoRE finds the password of a URL that net/url refuses, such as one
// with an unescaped '@' in its password: everything between the first ':'
// after "//" and the last '@' before the path.
var userinfoRE = regexp.MustCompile(`//[^:/@]*:(.*)@[^@/]*`)

// passwords returns the forms in which rawURL's password may show in an
// error: as written, percent-decoded, and from a password= parameter.
func passwords(rawURL string) []string {
	var pw []string
	add := func(s string) {
		if s != "" {
			pw = append(pw, s)
			if d, err := url.PathUnescape(s); err == nil && d != s {
				pw = append(pw, d)
			}
		}
	}
	if m := userinfoRE.FindStringSubmatch(rawURL); m != nil {
		add(m[1])
	}
	if u, err := url.Parse(rawURL); err == nil {
		if p, ok := u.User.Password(); ok {
			add(p)
		}
		add(u.Query().Get("password"))
	}
	// Longest first, so that a password containing another is cut whole.
	for i := range pw {
		for j := i + 1; j < len(pw); j++ {
			if len(pw[j]) > len(pw[i]) {
				pw[i], pw[j] = pw[j], pw[i]
			}
		}
	}
	return pw
}

// scrubbed hides a URL's password in the text of an error, keeping the
// error itself for errors.Is and errors.As.
type scrubbed struct {
	err error
	pw  []string
}

func (e *scrubbed) Error() string {
	s := e.err.Error()
	for _, p := range e.pw {
		s = strings.ReplaceAll(s, p, "xxxxx")
	}
	return s
}

func (e *scrubbed) Unwrap() error { return e.err }

// scrub wraps err so that its text never shows rawURL's password.
func scrub(err error, rawURL string) error {
	if err == nil {
		return nil
	}
	pw := passwords(rawURL)
	if len(pw) == 0 {
		return err
	}
	return &scrubbed{err: err, pw: pw}
}
