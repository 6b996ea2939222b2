package inbound

// decodeTransfer removes a Content-Transfer-Encoding (RFC 2045 section 6)
// leniently, as Python's get_payload(decode=True) does: base64 ignores
// characters outside its alphabet and missing padding, quoted-printable
// keeps a malformed escape as written. Any other encoding (7bit, 8bit,
// binary, unknown) leaves the bytes as they are. It reports a defect when
// it had to guess.
func decodeTransfer(raw []byte, enc string) ([]byte, Defect) {
	switch enc {
	case "base64":
		return decodeBase64(raw)
	case "quoted-printable":
		return decodeQP(raw)
	}
	return raw, ""
}

func b64val(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}

// decodeBase64 decodes base64, skipping line breaks, blanks and other
// characters outside the alphabet, and stopping at the padding.
func decodeBase64(raw []byte) ([]byte, Defect) {
	out := make([]byte, 0, len(raw)*3/4)
	var acc uint32
	n := 0
	bad := false
	for _, c := range raw {
		if c == '=' {
			break
		}
		v := b64val(c)
		if v < 0 {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				bad = true
			}
			continue
		}
		acc = acc<<6 | uint32(v)
		n++
		if n == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	switch n {
	case 1:
		bad = true // six bits cannot make an octet
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	if bad {
		return out, DefectBadBase64
	}
	return out, ""
}

// decodeQP decodes quoted-printable (RFC 2045 section 6.7): "=XX" in
// either case, soft line breaks "=" before CRLF, LF or CR (blanks allowed
// between), and any malformed "=" kept literally. A first pass counts the
// decoded bytes, so that the result is allocated at its size, not at the
// size of the encoded text.
func decodeQP(raw []byte) ([]byte, Defect) {
	n, _ := qp(nil, raw)
	out := make([]byte, n)
	if _, bad := qp(out, raw); bad {
		return out, DefectBadQuotedPrintable
	}
	return out, ""
}

// qp decodes raw into dst, or only counts when dst is nil, and returns the
// decoded length and whether raw had a malformed "=".
func qp(dst, raw []byte) (n int, bad bool) {
	put := func(c byte) {
		if dst != nil {
			dst[n] = c
		}
		n++
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '=' {
			put(c)
			continue
		}
		if i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2]) {
			put(unhex(raw[i+1])<<4 | unhex(raw[i+2]))
			i += 2
			continue
		}
		j := i + 1
		for j < len(raw) && (raw[j] == ' ' || raw[j] == '\t') {
			j++
		}
		if j == len(raw) {
			i = j - 1 // "=" at the very end: a soft break
			continue
		}
		if raw[j] == '\n' {
			i = j
			continue
		}
		if raw[j] == '\r' {
			if j+1 < len(raw) && raw[j+1] == '\n' {
				j++
			}
			i = j
			continue
		}
		bad = true
		put(c)
	}
	return n, bad
}
