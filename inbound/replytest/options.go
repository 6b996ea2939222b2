package replytest

import (
	"strconv"
	"time"
)

// Option shapes a message built by [Reply], [Bounce] or [AutoReply]: a
// [Client], a [Language], a [Shape], a [BounceShape], an [AutoShape], or
// one of the functions below. Later options win over earlier ones.
type Option interface{ apply(*config) }

type config struct {
	client   Client
	lang     Language
	shape    Shape
	bounce   BounceShape
	auto     AutoShape
	text     string // "" means the language's sample
	textSet  bool
	from     string // the partner, "Name <addr>"; "" means the original's first To
	date     time.Time
	jsonData any
	yaml     string
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// Client is the mail client whose reply is imitated.
type Client int

const (
	// Gmail on the web: text and HTML, "On … wrote:" above a ">" quote,
	// the whole References chain.
	Gmail Client = iota + 1
	// Outlook for Windows: text and HTML, the original under a rule and a
	// header block ("From:", "Sent:", "To:", "Subject:"), not quoted with
	// ">"; a localised "RE:" prefix, Thread-Topic and Thread-Index, and
	// References holding the parent's Message-ID only.
	Outlook
	// OutlookWeb is Outlook on the web: as Outlook, with its own date
	// format and markup.
	OutlookWeb
	// OutlookMobile is Outlook for iOS and Android: its "Get Outlook for
	// iOS<https://aka.ms/o0ukef>" line above the header block.
	OutlookMobile
	// OutlookHTML is Outlook sending HTML only (no text/plain part).
	OutlookHTML
	// AppleMail on macOS: the attribution inside the ">" quote.
	AppleMail
	// Thunderbird: format=flowed text, a short attribution, a "-- "
	// signature.
	Thunderbird
	// IPhone is iOS Mail: "Sent from my iPhone" above the quote.
	IPhone
	// Android is Samsung Email: a "-------- Original message --------"
	// separator and header block, and its "Sent from my Galaxy" line.
	Android
)

// Clients lists every Client, for table tests.
var Clients = []Client{Gmail, Outlook, OutlookWeb, OutlookMobile, OutlookHTML, AppleMail, Thunderbird, IPhone, Android}

var clientNames = map[Client]string{
	Gmail: "gmail", Outlook: "outlook", OutlookWeb: "outlook-web", OutlookMobile: "outlook-mobile",
	OutlookHTML: "outlook-html", AppleMail: "apple-mail", Thunderbird: "thunderbird", IPhone: "iphone", Android: "android",
}

// String returns the client's name, such as "outlook-web".
func (c Client) String() string {
	if n, ok := clientNames[c]; ok {
		return n
	}
	return "Client(" + strconv.Itoa(int(c)) + ")"
}

func (c Client) apply(cfg *config) { cfg.client = c }

// outlookFamily reports whether c quotes the Outlook way: a header block,
// no ">".
func (c Client) outlookFamily() bool {
	return c == Outlook || c == OutlookWeb || c == OutlookMobile || c == OutlookHTML
}

// Language is the language of the partner's client (its attribution line,
// labels, prefixes) and of the sample text: an ISO 639-1 code.
type Language string

// The languages the reply reader knows.
const (
	English    Language = "en"
	French     Language = "fr"
	German     Language = "de"
	Spanish    Language = "es"
	Italian    Language = "it"
	Dutch      Language = "nl"
	Portuguese Language = "pt"
)

// Languages lists every Language, for table tests.
var Languages = []Language{English, French, German, Spanish, Italian, Dutch, Portuguese}

func (l Language) apply(cfg *config) { cfg.lang = l }

// Shape is how the partner answers.
type Shape int

const (
	// TopPosted writes the answer above the quoted original (the default).
	TopPosted Shape = iota
	// BottomPosted writes it below a ">" quote. Outlook clients cannot:
	// Reply returns ErrUnsupported for them.
	BottomPosted
	// Forwarded forwards the original to the reply address, with the
	// answer as the note above it; no In-Reply-To or References.
	Forwarded
	// ToFrom answers the From address instead of the Reply-To, as a
	// partner who picks the address by hand does: only In-Reply-To and
	// References lead back.
	ToFrom
	// SubjectOnly is what is left after a gateway rewrote the message: the
	// application's plain address, no In-Reply-To, no References; only the
	// subject tag names the resource.
	SubjectOnly
)

// Shapes lists every Shape, for table tests.
var Shapes = []Shape{TopPosted, BottomPosted, Forwarded, ToFrom, SubjectOnly}

var shapeNames = map[Shape]string{TopPosted: "top-posted", BottomPosted: "bottom-posted", Forwarded: "forwarded", ToFrom: "to-from", SubjectOnly: "subject-only"}

// String returns the shape's name, such as "bottom-posted".
func (s Shape) String() string {
	if n, ok := shapeNames[s]; ok {
		return n
	}
	return "Shape(" + strconv.Itoa(int(s)) + ")"
}

func (s Shape) apply(cfg *config) { cfg.shape = s }

// Text sets what the partner writes, one paragraph or several separated by
// blank lines. Without it, a short sentence in the reply's language.
func Text(s string) Option {
	return optionFunc(func(c *config) { c.text, c.textSet = s, true })
}

// From sets the partner's address ("Name <addr>" or a bare address).
// Without it, the original's first To recipient answers.
func From(addr string) Option { return optionFunc(func(c *config) { c.from = addr }) }

// Date sets the message's Date. Without it, one hour after the original's
// Date (or 2026-03-03 10:00 UTC when it has none), so that output is the
// same on every run.
func Date(t time.Time) Option { return optionFunc(func(c *config) { c.date = t }) }

// JSON adds an application/json part holding v (marshalled with
// encoding/json) beside the text, as a partner's system does when it
// answers with data.
func JSON(v any) Option { return optionFunc(func(c *config) { c.jsonData = v }) }

// YAML writes data, YAML text such as "status: done\nmileage: 48213", at
// the top of the answer and a "---" line under it, the way partners type
// data that the reply reader reads back (see reply.Reply's Data).
func YAML(data string) Option { return optionFunc(func(c *config) { c.yaml = data }) }
