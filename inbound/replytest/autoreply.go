package replytest

import "strconv"

// AutoShape is the form of an automatic reply built by [AutoReply].
type AutoShape int

const (
	// Vacation is an RFC 3834 vacation response, as Sieve's vacation
	// extension (RFC 5230) sends it: "Auto:" before the subject,
	// Auto-Submitted: auto-replied, In-Reply-To and References (the
	// default).
	Vacation AutoShape = iota
	// OutOfOffice is Exchange's and Outlook's automatic reply: a localised
	// "Automatic reply:" subject, Auto-Submitted: auto-generated,
	// X-Auto-Response-Suppress: All, Thread-Topic and Thread-Index, text
	// and HTML.
	OutOfOffice
)

// AutoShapes lists every AutoShape, for table tests.
var AutoShapes = []AutoShape{Vacation, OutOfOffice}

// String returns "vacation" or "out-of-office".
func (s AutoShape) String() string {
	switch s {
	case Vacation:
		return "vacation"
	case OutOfOffice:
		return "out-of-office"
	}
	return "AutoShape(" + strconv.Itoa(int(s)) + ")"
}

func (s AutoShape) apply(c *config) { c.auto = s }

// AutoReply builds the automatic answer (out of office, vacation) that the
// partner's mail system would send to sent's From address. An [AutoShape]
// option picks the form (default Vacation); [Language], [Text], [From] and
// [Date] apply. inbound.Trace reads it as an automatic reply about the
// original's resource (inbound.AutoReply), traced through In-Reply-To.
func AutoReply(sent []byte, opts ...Option) ([]byte, error) {
	c, ph, err := setup(opts)
	if err != nil {
		return nil, err
	}
	o, err := readOriginal(sent)
	if err != nil {
		return nil, err
	}
	b := newBuilder(o, c, ph)
	text := ph.ooo
	if c.textSet {
		text = c.text
	}
	irt, refs := o.msgID, fold(append(append([]string(nil), o.refs...), o.msgID))
	if o.msgID == "" {
		irt, refs = "", ""
	}
	m := &message{}
	date := b.date.Format("Mon, 2 Jan 2006 15:04:05 -0700")
	from := addr(b.name, b.email)
	if c.auto == OutOfOffice {
		id := "<AM0PR01MB" + b.tok[:12] + "@AM0PR01MB" + b.tok[:4] + ".eurprd01.prod.outlook.com>"
		m.add("From", from)
		m.add("To", addr(o.from.Name, o.from.Address))
		m.add("Subject", word(ph.oooSubject+o.subject))
		m.add("Thread-Topic", word(o.subject))
		m.add("Thread-Index", b.threadIndex())
		m.add("Date", date)
		m.add("Message-ID", id)
		m.add("References", refs)
		m.add("In-Reply-To", irt)
		m.add("Auto-Submitted", "auto-generated")
		m.add("X-Auto-Response-Suppress", "All")
		m.add("X-MS-Exchange-Inbox-Rules-Loop", b.email)
		m.add("Content-Language", contentLanguage[c.lang])
		m.add("MIME-Version", "1.0")
		body := nest("multipart/alternative", "_000_"+b.tok[:16]+"_",
			textLeaf("plain", "iso-8859-1", "quoted-printable", text+"\n"),
			textLeaf("html", "iso-8859-1", "quoted-printable", "<html><body>"+htmlText(text)+"</body></html>\n"))
		m.fields = append(m.fields, body.header...)
		m.body = body.body
		return m.bytes(), nil
	}
	m.add("From", from)
	m.add("To", o.from.Address)
	m.add("Subject", word("Auto: "+o.subject))
	m.add("Date", date)
	m.add("Message-ID", "<"+b.tok[:24]+"@"+b.partnerDomain()+">")
	m.add("In-Reply-To", irt)
	m.add("References", refs)
	m.add("Auto-Submitted", "auto-replied (vacation)")
	m.add("MIME-Version", "1.0")
	body := textLeaf("plain", "utf-8", "quoted-printable", text+"\n")
	m.fields = append(m.fields, body.header...)
	m.body = body.body
	return m.bytes(), nil
}
