package identity

import (
	"net/mail"
	"strings"

	"github.com/mailtrail/mailtrail/internal/charset"
)

// addrParser decodes RFC 2047 display names in any known charset.
var addrParser = &mail.AddressParser{WordDecoder: charset.WordDecoder}

// MaxParsedList is the length, in octets, of an address field above which
// Trace and [Sender] do not parse it as an address list but scan it for
// local@domain words, as they do a broken list. The list parser builds an
// address and decodes a display name per entry, many times the work of the
// scan; no list a person writes comes near the limit (a thousand
// recipients with display names are about 60 KiB), while a hostile one of
// megabytes is read in one linear pass.
const MaxParsedList = 256 << 10

// maxParsedList is MaxParsedList, lowered by the tests to keep their
// inputs small.
var maxParsedList = MaxParsedList

// scanned, when not nil, is told how many octets the address and msg-id
// readers step over: the tests count them to prove that each reads its
// input a bounded number of times.
var scanned func(n int)

func count(n int) {
	if scanned != nil {
		scanned(n)
	}
}

// addresses returns the addr-specs in an address-list header value. When
// the list does not parse (clients and gateways write broken ones), or is
// longer than [MaxParsedList], it falls back to picking out every word
// around an '@'.
func addresses(v string) []string {
	if len(v) > maxParsedList {
		return scanAddresses(v)
	}
	count(len(v))
	if list, err := addrParser.ParseList(v); err == nil {
		out := make([]string, 0, len(list))
		for _, a := range list {
			out = append(out, a.Address)
		}
		return out
	}
	return scanAddresses(v)
}

// scanAddresses picks out word@word runs, ignoring quotes and brackets.
// Each octet is looked at by the search for the next '@' and at most twice
// more, by the steps back and forward from one '@', which never cross
// another.
func scanAddresses(v string) []string {
	v = strings.ReplaceAll(v, `"`, "")
	count(len(v))
	var out []string
	for {
		at := strings.IndexByte(v, '@')
		if at < 0 {
			count(len(v))
			return out
		}
		start := at
		for start > 0 && !isAddrStop(v[start-1]) {
			start--
		}
		end := at + 1
		for end < len(v) && !isAddrStop(v[end]) {
			end++
		}
		count(at + 1 + (at - start) + (end - at - 1))
		if start < at && end > at+1 {
			out = append(out, v[start:end])
		}
		v = v[at+1:]
	}
}

func isAddrStop(c byte) bool {
	return c <= ' ' || c >= 0x7f || strings.IndexByte("<>()[],;:'@\\", c) >= 0
}

// msgIDs returns the msg-ids in an In-Reply-To or References value, with
// their angle brackets, dropping folding white space and quotes inside. A
// value with no brackets at all is split at white space and commas.
func msgIDs(v string) []string {
	var out []string
	rest := v
	for {
		open := strings.IndexByte(rest, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], '>')
		if end < 0 {
			break
		}
		id := rest[open+1 : open+end]
		rest = rest[open+end+1:]
		count(open + 2*end + 1)
		id = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '"' {
				return -1
			}
			return r
		}, id)
		if id != "" {
			out = append(out, "<"+id+">")
		}
	}
	count(len(rest))
	if out != nil {
		return out
	}
	count(2 * len(v))
	for _, f := range strings.FieldsFunc(v, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == ','
	}) {
		if strings.Contains(f, "@") {
			out = append(out, strings.ReplaceAll(f, `"`, ""))
		}
	}
	return out
}

// Sender returns the address in the From field of h, "" when there is
// none: the one address of a well-formed field, else the first thing that
// looks like local@domain in it, else "MAILER-DAEMON" for a bare
// MAILER-DAEMON (as some delivery systems write it). It is what
// [Result.Sender] holds. h holds raw values; the field name matches in any
// letter case.
func Sender(h mail.Header) string {
	v := get(h, "From")
	if v == "" {
		return ""
	}
	if len(v) <= maxParsedList {
		count(len(v))
		if a, err := addrParser.Parse(v); err == nil {
			return a.Address
		}
	}
	if as := scanAddresses(v); len(as) > 0 {
		return as[0]
	}
	if strings.EqualFold(strings.TrimSpace(v), "MAILER-DAEMON") {
		return "MAILER-DAEMON"
	}
	return ""
}
