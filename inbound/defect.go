package inbound

// Defect names a problem Parse worked around. Parsing is lenient, as
// Python's email package (compat32) is: a defect is recorded on the part
// where it was found and the parse goes on with a best-effort reading.
type Defect string

// The defects Parse records. The first five match, one for one, the
// defects of Python's email.errors of the same name, so that a tree can be
// compared with Python's.
const (
	// DefectStartBoundaryNotFound: a multipart whose boundary never
	// appears; its whole body is kept as Body and it has no Parts.
	DefectStartBoundaryNotFound Defect = "start-boundary-not-found"
	// DefectCloseBoundaryNotFound: a multipart whose closing boundary
	// (--boundary--) is missing; the parts found up to the end are kept.
	DefectCloseBoundaryNotFound Defect = "close-boundary-not-found"
	// DefectNoBoundary: a multipart without a boundary parameter; its body
	// is kept as Body.
	DefectNoBoundary Defect = "no-boundary-in-multipart"
	// DefectMultipartInvariant: a multipart that ended up with no parts.
	DefectMultipartInvariant Defect = "multipart-invariant-violation"
	// DefectMissingHeaderBodySeparator: a line that is neither a header
	// field nor blank ended the header; it starts the body.
	DefectMissingHeaderBodySeparator Defect = "missing-header-body-separator"

	// DefectUnknownCharset: the declared charset is not known; text is
	// read as UTF-8 if valid, else as Windows-1252.
	DefectUnknownCharset Defect = "unknown-charset"
	// DefectBadBase64: base64 with characters outside the alphabet or a
	// length that is not a multiple of four; decoded leniently.
	DefectBadBase64 Defect = "invalid-base64"
	// DefectBadQuotedPrintable: "=" not followed by two hex digits or a
	// line break; the characters are kept literally.
	DefectBadQuotedPrintable Defect = "invalid-quoted-printable"
	// DefectFirstLineContinuation: the header began with a folded line,
	// which was dropped.
	DefectFirstLineContinuation Defect = "first-header-line-is-continuation"
	// DefectPartLimit: the message has more parts than [Options.MaxParts];
	// the rest of the enclosing multipart is kept as its Epilogue.
	DefectPartLimit Defect = "part-limit-exceeded"
	// DefectDepthLimit: parts nest deeper than [Options.MaxDepth]; the
	// part that is too deep is kept whole as Body.
	DefectDepthLimit Defect = "depth-limit-exceeded"
	// DefectFieldLimit: a header has more fields than
	// [Options.MaxFields]; the fields beyond it are dropped.
	DefectFieldLimit Defect = "field-limit-exceeded"
)
