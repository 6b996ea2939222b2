package inbound

import (
	"bytes"
	"net/mail"
	"net/textproto"
	"strings"
)

// fieldReader turns the lines of one header block into fields as they
// come. Unfolding (RFC 5322 section 2.2.3: remove the line breaks only)
// appends to one growing buffer, so a field folded over a million lines
// costs time linear in its length, not in its length times its lines.
type fieldReader struct {
	max     int     // most fields kept; the rest are counted, not kept
	fields  []Field // complete fields
	name    string  // name of the field being read; "" when none
	value   []byte  // its value so far
	dropped bool    // a field was over max
	// firstCont: the header began with a continuation line
	firstCont bool
	defects   []Defect
}

// add reads one header line, its line break included.
func (fr *fieldReader) add(line []byte) {
	l := trimEOL(line)
	if len(l) == 0 {
		return
	}
	if l[0] == ' ' || l[0] == '\t' {
		switch {
		case fr.name != "":
			fr.value = append(fr.value, l...)
		case len(fr.fields) == 0 && !fr.dropped && !fr.firstCont:
			fr.firstCont = true // once per header, however many lines
			fr.defect(DefectFirstLineContinuation)
		}
		return // else the continuation of a field over the limit: dropped too
	}
	if bytes.HasPrefix(l, []byte("From ")) {
		// An mbox envelope line (or a misplaced one): not a field. A
		// continuation after it still belongs to the field before, as in
		// Python's parser.
		return
	}
	name, value, _ := bytes.Cut(l, []byte(":"))
	name = bytes.TrimRight(name, " \t")
	if len(name) == 0 {
		return
	}
	fr.flush()
	if len(fr.fields) >= fr.max {
		if !fr.dropped {
			fr.defect(DefectFieldLimit)
			fr.dropped = true
		}
		return
	}
	fr.name = string(name)
	fr.value = append(fr.value[:0], value...)
}

// flush closes the field being read.
func (fr *fieldReader) flush() {
	if fr.name == "" {
		return
	}
	fr.fields = append(fr.fields, Field{Name: fr.name, Value: string(bytes.TrimSpace(fr.value))})
	fr.name = ""
}

func (fr *fieldReader) defect(d Defect) { fr.defects = append(fr.defects, d) }

// setHeader records the fields read by fr and the values derived from
// them.
func (pt *Part) setHeader(fr *fieldReader, defaultType string) {
	fr.flush()
	pt.Defects = append(pt.Defects, fr.defects...)
	pt.Fields = fr.fields
	pt.Header = make(mail.Header, len(pt.Fields))
	for _, f := range pt.Fields {
		k := textproto.CanonicalMIMEHeaderKey(f.Name)
		pt.Header[k] = append(pt.Header[k], f.Value)
	}

	ct := pt.Header.Get("Content-Type")
	if _, ok := pt.Header["Content-Type"]; !ok {
		pt.ContentType = defaultType
		pt.DefaultType = true
	} else {
		mt, params := parseParams(ct)
		pt.Params = params
		if strings.Count(mt, "/") != 1 || strings.HasPrefix(mt, "/") || strings.HasSuffix(mt, "/") {
			mt = "text/plain" // RFC 2045 section 5.2: an invalid type is text/plain
		}
		pt.ContentType = mt
	}
	pt.Charset = strings.ToLower(strings.TrimSpace(pt.Params["charset"]))
	pt.Boundary = strings.TrimRight(pt.Params["boundary"], " \t")
	if cd, ok := pt.Header["Content-Disposition"]; ok {
		d, dparams := parseParams(cd[0])
		pt.Disposition = d
		pt.Filename = dparams["filename"]
	}
	if pt.Filename == "" {
		pt.Filename = pt.Params["name"]
	}
	pt.Filename = DecodeHeader(strings.TrimSpace(pt.Filename))
	pt.Encoding = strings.ToLower(strings.TrimSpace(pt.Header.Get("Content-Transfer-Encoding")))
}
