// Package templates loads and parses mailtrail templates: Markdown with an
// optional front-matter block and Mustache-style placeholders.
//
// A template file looks like this:
//
//	---
//	subject: Vehicle {{vehicle.plate_number}}: inspection booked
//	---
//	Hello {{partner.contact.first_name}},
//
//	{{#items}}
//	- {{name}}: {{qty}}
//	{{/items}}
//
// The front matter is optional; its keys are subject and preheader (the
// preview text mail clients show after the subject), whose values are
// themselves templates (surrounding double or single quotes are removed, with
// no escape processing). The body is Markdown, rendered by package render.
//
// # Template language
//
// The placeholder language is the logic-less core of Mustache
// (https://mustache.github.io/mustache.5.html, spec v1.3): interpolation
// {{a.b.c}} with dotted names, the implicit iterator {{.}}, sections
// {{#x}}…{{/x}} (repeat over a list, enter an object, show when truthy),
// inverted sections {{^x}}…{{/x}}, comments {{! … }}, padding inside tags
// ({{ x }}), and the spec's whitespace rules: a section, inverted, closing or
// comment tag alone on its line is removed together with its indentation and
// line ending, which keeps Markdown intact.
//
// What it deliberately does not do, because template authors are not trusted
// and data is always text:
//   - no partials ({{> name}}), delimiter changes ({{=<% %>=}}), inheritance
//     ({{< }}, {{$ }}), lambdas or method calls: they are parse errors, so a
//     template can never read a file or run code;
//   - {{{x}}} and {{&x}} are accepted and mean exactly {{x}}: escaping is
//     decided by the output (HTML, text, subject), never by the author.
//
// There is no escape for a literal "{{" in a template (delimiter changes
// are refused); in Markdown write "&#123;{", which renders as "{{" in both
// the HTML and the text part.
//
// Slices are indexed by number ({{items.0.name}}). A missing name is reported
// to the caller (see [Handler]); a missing or falsey section key simply hides
// the section. Falsey values are null, false, "", an empty list and the
// number zero.
//
// Data is used in its JSON form: [Normalize] keeps map[string]any, []any,
// string, json.Number, float64, bool, nil and Go integers as they are and
// converts anything else (structs, typed maps and slices) with a JSON round
// trip, so structs are seen through their JSON field names and numbers keep
// their spelling ([FormatValue] never uses exponent notation).
//
// Every error points at the template text as file:line:col (1-based, the
// column counts runes), see [Error] and [ErrorList].
//
// A parsed [Template] is immutable and safe for concurrent use. [Set] caches
// templates loaded from an fs.FS and is safe for concurrent use too.
package templates
