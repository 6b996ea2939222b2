// Package webview is the small web application behind "mailtrail preview
// --serve" and "mailtrail sink --ui".
//
// [Preview] lists the templates of a folder with their locales and sample
// data files and shows one rendered as a partner would see it: the HTML part
// at desktop and phone widths, the text and JSON parts, the subject with its
// tag, the headers and the raw source, with a download of the .eml. [Sink]
// shows the .eml files of a folder (a [Mailbox]) the same way, newest first,
// with the resource each message traces back to.
//
// Both reload the open page by themselves when a file changes: the page
// listens to a server-sent events stream (text/event-stream, as in the HTML
// Living Standard, section 9.2), fed by a file watcher (fsnotify) whose bursts
// of events are debounced.
//
// Safety: every file is opened through an [os.Root], so a request can name
// nothing outside the folder — not with "../", not with an absolute path, not
// through a symbolic link pointing out. The rendered HTML is shown in an
// iframe with an empty sandbox attribute (no scripts, no forms, an opaque
// origin) and is served with a Content-Security-Policy that sandboxes it
// again and blocks every script, so a template's script could not run even if
// sanitizing failed. [Listen] refuses an address that is not loopback unless
// told otherwise.
//
// Pages, CSS and the few lines of JavaScript are embedded; there is no build
// step. The package is internal: it serves the CLI and is not a stable API.
package webview
