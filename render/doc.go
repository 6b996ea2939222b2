// Package render turns a template and data into the parts of a message:
// the subject, a text/plain body, a text/html body inside a layout, and the
// data as application/json.
//
// Data values are text, always. A value such as "*stars* <b>t</b>" appears
// exactly so in the subject and the text part and HTML-escaped in the HTML
// part; it is never read as Markdown or HTML. This holds by construction:
// while the Mustache template is expanded, each interpolated value is
// written into the Markdown as a unique alphanumeric sentinel, not as its
// text. The expanded Markdown therefore depends only on which sections are
// shown and how often (the "shape"), never on value text. It is rendered by
// goldmark (CommonMark with GFM tables, strikethrough and linkify; raw HTML
// is omitted, never passed through) and sanitized by one bluemonday policy
// (no script, style, iframe, form, meta or base elements, no event handlers,
// only http, https, mailto and relative URLs). The sanitized HTML is then
// split at the sentinels into a skeleton of literal chunks and slots, each
// slot knowing its context:
//
//   - text: the value HTML-escaped, newlines as <br> (kept inside <pre>);
//   - attribute (alt, title): the value HTML-escaped;
//   - URL (href, src): the value percent-encoded for its position
//     (query values with url.QueryEscape, everything else keeping only
//     RFC 3986 unreserved characters, so "/", ":" and "?" are encoded). A
//     placeholder that is a whole URL ([x]({{url}})) thus becomes a harmless
//     relative path, never "javascript:"; put the scheme and host in the
//     template ([track](https://x.example/t/{{id}})).
//
// If goldmark or bluemonday dropped a sentinel (say inside a javascript: URL
// that the sanitizer removed) the value is simply absent; a sentinel is never
// replaced by unescaped text.
//
// The text part is made from the same expanded Markdown, written back as
// plain text that reads like the template: headings keep their "#" marks,
// lists their markers, emphasis its "*"/"_" marks, code its backticks;
// links become "text (url)" (or just the URL when text and URL are the
// same), images their alt text, raw HTML is dropped, backslash escapes and
// entities are resolved. Values are inserted verbatim (URL-encoded inside a
// link's URL, as in HTML).
//
// The subject is the front-matter subject expanded as plain text with values
// verbatim. A value that would put CR, LF or NUL into the subject is refused
// with an error naming the placeholder.
//
// The JSON part is the data in its plain form (see templates.Normalize):
// UTF-8, object keys sorted, numbers exactly as given (json.Number verbatim,
// floats without exponent), indented by two spaces, ending in a newline.
//
// Values are cleaned before use in subject, text and HTML: invalid UTF-8
// becomes U+FFFD, C0 control characters other than tab and line feed are
// removed (so CR is dropped from CRLF), and the bidirectional override and
// isolate controls U+202A–U+202E and U+2066–U+2069 are removed. The JSON
// part keeps values as given (JSON escaping aside; invalid UTF-8 becomes
// \ufffd there too).
//
// The HTML body goes into a layout, a trusted html/template executed with
// [LayoutData]; [DefaultLayout] is embedded, [ParseLayout] reads an
// application's own (also in the "{{body}}"/"{{subject}}" slot form). After
// sanitizing, style attributes from [Options.InlineCSS] are added to the
// body's elements, for mail clients that ignore <style>.
//
// Everything that does not depend on data is done once: the skeletons are
// cached per template and shape (a bounded number per template), the layout
// is executed once into its own skeleton. Per message only the values are
// escaped into the skeletons. A [Renderer] is safe for concurrent use.
//
// Strict mode (the default) makes a placeholder with no value an error
// naming it and its file:line:col; [Options.Lenient] renders it empty and
// lists it in [Parts.Warnings]. A section whose key is missing is hidden,
// never an error.
package render
