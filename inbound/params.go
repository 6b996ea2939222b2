package inbound

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/mailtrail/mailtrail/internal/charset"
)

// parseParams splits a structured field such as Content-Type or
// Content-Disposition into its lower-cased value and its parameters. It is
// lenient as Python's email.message is: parameters are split at
// semicolons outside quoted strings, one without "=" is ignored, values
// are unquoted, RFC 2231 continuations and charsets are decoded, and a
// value still holding RFC 2047 encoded words (as some clients write file
// names) is decoded too. It never fails.
func parseParams(v string) (string, map[string]string) {
	segs := splitParams(v)
	mt := strings.ToLower(strings.TrimSpace(segs[0]))
	if len(segs) == 1 {
		return mt, nil
	}
	params := map[string]string{}
	conts := map[string][]piece2231{}
	for _, s := range segs[1:] {
		k, val, ok := strings.Cut(s, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = unquote(strings.TrimSpace(val))
		if k == "" {
			continue
		}
		// RFC 2231 section 3 and 4: name*N, name*N*, name*.
		if i := strings.IndexByte(k, '*'); i > 0 {
			name, rest := k[:i], k[i+1:]
			encoded := strings.HasSuffix(rest, "*") || rest == ""
			rest = strings.TrimSuffix(rest, "*")
			n := 0
			if rest != "" {
				var err error
				if n, err = strconv.Atoi(rest); err != nil || n < 0 {
					continue
				}
			}
			conts[name] = append(conts[name], piece2231{n, val, encoded})
			continue
		}
		if _, dup := params[k]; !dup {
			params[k] = val
		}
	}
	for name, ps := range conts {
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].n < ps[j].n })
		var b strings.Builder
		extended := false
		for _, p := range ps {
			if p.encoded {
				extended = true
			}
			b.WriteString(p.val)
		}
		val := b.String()
		if extended {
			val = decode2231(ps)
		}
		params[name] = val // an RFC 2231 value wins over a plain one
	}
	for k, val := range params {
		if strings.Contains(val, "=?") {
			params[k] = DecodeHeader(val)
		}
	}
	return mt, params
}

// piece2231 is one section of an RFC 2231 parameter value.
type piece2231 struct {
	n       int
	val     string
	encoded bool
}

// decode2231 joins RFC 2231 pieces: the first encoded piece may start
// with charset'language'; encoded pieces are percent-decoded; the octets
// are then read in the charset.
func decode2231(ps []piece2231) string {
	var raw []byte
	cs := ""
	for i, p := range ps {
		v := p.val
		if p.encoded {
			if i == 0 {
				if parts := strings.SplitN(v, "'", 3); len(parts) == 3 {
					cs, v = parts[0], parts[2]
				}
			}
			raw = append(raw, percentDecode(v)...)
		} else {
			raw = append(raw, v...)
		}
	}
	s, _ := charset.Decode(raw, cs)
	return s
}

// percentDecode decodes %XX escapes, keeping a malformed escape as is.
func percentDecode(s string) []byte {
	if u, err := url.PathUnescape(s); err == nil {
		return []byte(u)
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

// splitParams splits at semicolons that are outside quoted strings.
func splitParams(v string) []string {
	var segs []string
	start, inQuote := 0, false
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			if inQuote {
				i++
			}
		case '"':
			inQuote = !inQuote
		case ';':
			if !inQuote {
				segs = append(segs, v[start:i])
				start = i + 1
			}
		}
	}
	return append(segs, v[start:])
}

// unquote removes the quotes of a quoted string (and its backslash
// escapes) or the angle brackets around a value.
func unquote(s string) string {
	if len(s) >= 2 {
		if s[0] == '"' && s[len(s)-1] == '"' {
			s = s[1 : len(s)-1]
			if strings.IndexByte(s, '\\') < 0 {
				return s
			}
			var b strings.Builder
			for i := 0; i < len(s); i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			return b.String()
		}
		if s[0] == '<' && s[len(s)-1] == '>' {
			return s[1 : len(s)-1]
		}
	}
	return s
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
