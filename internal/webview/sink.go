package webview

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/mailtrail/mailtrail/identity"
)

// SinkOptions configures a [Sink]. Only Mailbox is required.
type SinkOptions struct {
	Mailbox *Mailbox
	// App is the application address messages are traced for; nil means
	// guess it from each message (see [TraceMessage]).
	App *identity.App
	// Logger receives warnings; nil means slog.Default().
	Logger *slog.Logger
	// Limit is how many of the newest messages the list shows; zero means 500.
	Limit int
}

// Sink is the web view of a [Mailbox]: received messages newest first, each
// shown with its parts, headers, source and traced resource. The page reloads
// by itself when a message arrives. A Sink is an [http.Handler]; Close stops
// its file watcher.
type Sink struct {
	opts   SinkOptions
	log    *slog.Logger
	pages  *pages
	events *broker
	mux    *http.ServeMux
	watch  *watcher
	stop   func()

	mu      sync.Mutex
	summary map[string]*summary // by file name; saved messages do not change
}

// summary is what the list shows of one message.
type summary struct {
	subject, from, to string
	traced            Traced
}

// NewSink returns the web view of opts.Mailbox and starts watching its folder.
func NewSink(opts SinkOptions) (*Sink, error) {
	if opts.Mailbox == nil {
		return nil, errors.New("webview: sink: no mailbox")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Limit <= 0 {
		opts.Limit = 500
	}
	pg, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Sink{opts: opts, log: opts.Logger, pages: pg, events: newBroker(), summary: make(map[string]*summary)}
	isEML := func(name string) bool { return validMessageName(name) }
	s.watch, err = newWatcher(opts.Mailbox.Dir(), nil, isEML, s.events.publish, s.log)
	if err != nil {
		return nil, err
	}
	s.stop = startWatch(s.watch)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveList)
	mux.HandleFunc("GET /m/{name}", s.serveMessage)
	mux.HandleFunc("GET /m/{name}/{part}", s.servePart)
	mux.HandleFunc("GET /events", s.events.serveEvents)
	mux.Handle("GET /static/", staticHandler())
	s.mux = mux
	return s, nil
}

// ServeHTTP serves the pages.
func (s *Sink) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close stops watching the folder. It does not close the Mailbox.
func (s *Sink) Close() error {
	s.stop()
	return nil
}

// Notify reloads the open pages now, as when a message arrives; the file
// watcher does the same a moment later.
func (s *Sink) Notify() { s.events.publish() }

func (s *Sink) nav(current string) ([]navItem, error) {
	names, err := s.opts.Mailbox.List()
	if err != nil {
		return nil, err
	}
	if len(names) > s.opts.Limit {
		names = names[:s.opts.Limit]
	}
	items := make([]navItem, 0, len(names))
	for _, name := range names {
		sum := s.summarize(name)
		title := sum.subject
		if title == "" {
			title = "(no subject)"
		}
		items = append(items, navItem{
			Title:    title,
			URL:      "/m/" + url.PathEscape(name),
			Current:  name == current,
			Sub:      receivedAt(name) + " · " + sum.from + " → " + sum.to,
			Resource: sum.traced.Resource,
		})
	}
	return items, nil
}

// receivedAt reads the time back out of a file name made by Save.
func receivedAt(name string) string {
	if len(name) >= 26 {
		if t, err := time.Parse("20060102T150405.000000000Z", name[:26]); err == nil {
			return t.Local().Format("Jan 2 15:04:05")
		}
	}
	return name
}

func (s *Sink) summarize(name string) *summary {
	s.mu.Lock()
	sum := s.summary[name]
	s.mu.Unlock()
	if sum != nil {
		return sum
	}
	raw, err := s.opts.Mailbox.Read(name)
	if err != nil {
		return &summary{subject: "(unreadable: " + err.Error() + ")"}
	}
	v, _ := readMessage(raw)
	sum = &summary{subject: v.Subject, traced: TraceMessage(raw, s.opts.App)}
	for _, f := range v.Headers {
		switch {
		case sum.from == "" && equalFold(f.Name, "From"):
			sum.from = f.Value
		case sum.to == "" && equalFold(f.Name, "To"):
			sum.to = f.Value
		}
	}
	s.mu.Lock()
	s.summary[name] = sum
	s.mu.Unlock()
	return sum
}

func (s *Sink) basePage() *page {
	return &page{
		App:      "sink",
		Where:    s.opts.Mailbox.Dir(),
		NavLabel: "Messages",
		Empty:    "No messages yet. Point an application's SMTP settings at the sink and send one.",
	}
}

func (s *Sink) serveList(w http.ResponseWriter, r *http.Request) {
	p := s.basePage()
	p.Title = "Received messages"
	nav, err := s.nav("")
	if err != nil {
		p.Error = err.Error()
	}
	p.Nav = nav
	p.Hint = fmt.Sprintf("%d message(s) in %s, newest first. Pick one to see it as its recipient would.", len(nav), s.opts.Mailbox.Dir())
	show(w, s.log, s.pages.list, http.StatusOK, p)
}

// read fetches the message named in the request, answering 400 or 404 itself.
func (s *Sink) read(w http.ResponseWriter, r *http.Request) (string, []byte, bool) {
	name := r.PathValue("name")
	raw, err := s.opts.Mailbox.Read(name)
	switch {
	case errors.Is(err, ErrBadName):
		httpError(w, http.StatusBadRequest, "webview: not a message name")
		return "", nil, false
	case errors.Is(err, fs.ErrNotExist):
		httpError(w, http.StatusNotFound, "webview: no such message")
		return "", nil, false
	case err != nil:
		httpError(w, http.StatusNotFound, "webview: message cannot be read")
		return "", nil, false
	}
	return name, raw, true
}

func (s *Sink) serveMessage(w http.ResponseWriter, r *http.Request) {
	name, raw, ok := s.read(w, r)
	if !ok {
		return
	}
	p := s.basePage()
	nav, err := s.nav(name)
	if err != nil {
		p.Error = err.Error()
	}
	p.Nav = nav
	v, err := readMessage(raw)
	m := &messageView{Subject: v.Subject, PageURL: "/m/" + url.PathEscape(name)}
	if tag, ok := identity.SubjectTag(v.Subject); ok {
		m.Tag = "[" + tag + "]"
	}
	m.partURLs(func(part string) string { return m.PageURL + "/" + part })
	m.fromMail(v, raw)
	if err != nil {
		m.Errors = append(m.Errors, err.Error())
	}
	tr := s.summarize(name).traced
	if tr.Resource != "" {
		m.Resource, m.ResourceSource = tr.Resource, tr.Source
		if !tr.Exact {
			m.ResourceSource += ", not exact"
		}
	} else if tr.Err != nil {
		m.Meta = append(m.Meta, field{Name: "resource", Value: "not found"})
	}
	if tr.App.Name != "" {
		m.Meta = append(m.Meta, field{Name: "traced for", Value: tr.App.Name + "@" + tr.App.Domain})
	}
	m.Meta = append([]field{{Name: "received", Value: receivedAt(name)}, {Name: "file", Value: name}}, m.Meta...)
	p.Title = v.Subject
	p.Msg = m
	show(w, s.log, s.pages.message, http.StatusOK, p)
}

func (s *Sink) servePart(w http.ResponseWriter, r *http.Request) {
	name, raw, ok := s.read(w, r)
	if !ok {
		return
	}
	servePart(w, r.PathValue("part"), name, raw, nil)
}

// servePart answers a request for one part of a raw message. v is the
// message already parsed, or nil.
func servePart(w http.ResponseWriter, part, name string, raw []byte, v *mailView) {
	if v == nil && part != "raw" && part != "eml" {
		v, _ = readMessage(raw)
	}
	switch part {
	case "html":
		if v == nil || !v.HasHTML {
			httpError(w, http.StatusNotFound, "webview: no HTML part")
			return
		}
		writeHTMLPart(w, []byte(v.HTML))
	case "text":
		writeBody(w, "text/plain; charset=utf-8", []byte(v.Text))
	case "json":
		if !v.HasJSON {
			httpError(w, http.StatusNotFound, "webview: no JSON part")
			return
		}
		writeBody(w, "application/json", v.JSON)
	case "raw":
		writeBody(w, "text/plain; charset=utf-8", raw)
	case "eml":
		w.Header().Set("Content-Disposition", mimeAttachment(name))
		writeBody(w, "message/rfc822", raw)
	default:
		httpError(w, http.StatusNotFound, "webview: no such part")
	}
}
