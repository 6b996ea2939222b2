#!/usr/bin/env python3
"""Check rendered messages with Python's own e-mail parser, independently of Go.

usage: check_python_email.py FILE.eml [FILE.eml ...]
       check_python_email.py --json-attachment FILE.eml ...   (JSON as data.json)
       check_python_email.py --content FILE.eml ...   (a signed message's content, as
                                                       openssl smime -verify returns it)

For each file, with the standard library only (email, policy.default):
  - every line ends in CRLF: no bare CR or LF, no NUL octet, 7-bit only;
  - no line is longer than 998 octets (RFC 5322 2.1.1);
  - the parser records no defect, on the message or any part;
  - the alternatives are, in order, application/json, text/plain, text/html
    (with --json-attachment: text/plain, text/html, and data.json attached),
    inside the first part of a multipart/signed when the message is signed;
  - the JSON part decodes to valid UTF-8 JSON, and when a sibling file
    FILE.json exists, to exactly its bytes;
  - the Subject, From, To, Reply-To, Message-ID and References headers parse.
Exits 0 when every file passes, 1 otherwise, naming file and problem.
"""

import email
import email.policy
import json
import os
import sys


def check_wire(raw):
    problems = []
    if b"\x00" in raw:
        problems.append("NUL octet at offset %d" % raw.index(b"\x00"))
    for i, b in enumerate(raw):
        if b >= 0x80:
            problems.append("8-bit octet 0x%02x at offset %d" % (b, i))
            break
    lines = raw.split(b"\r\n")
    if lines and lines[-1] != b"":
        problems.append("does not end with CRLF")
    for n, line in enumerate(lines, 1):
        if b"\r" in line:
            problems.append("bare CR on line %d" % n)
            break
        if b"\n" in line:
            problems.append("bare LF on line %d" % n)
            break
        if len(line) > 998:
            problems.append("line %d is %d octets, more than 998" % (n, len(line)))
    return problems


def defects(msg):
    out = []
    for part in msg.walk():
        for d in part.defects:
            out.append("%s: %s" % (part.get_content_type(), d.__class__.__name__ + (": " + str(d) if str(d) else "")))
    return out


def leaves(part):
    if part.is_multipart():
        return [p for p in part.iter_parts()]
    return [part]


def check_structure(msg, json_attachment):
    problems = []
    if msg.get_content_type() == "multipart/signed":
        # S/MIME (RFC 8551): the content is the first part, the detached
        # PKCS #7 signature the second.
        parts = list(msg.iter_parts())
        if len(parts) != 2 or parts[1].get_content_type() != "application/pkcs7-signature":
            return ["multipart/signed without a pkcs7-signature second part: %s" % [p.get_content_type() for p in parts]], None
        if msg.get_param("protocol") != "application/pkcs7-signature":
            problems.append("multipart/signed protocol is %r" % msg.get_param("protocol"))
        msg = parts[0]
    alt = msg
    attachments = []
    if msg.get_content_type() == "multipart/mixed":
        parts = list(msg.iter_parts())
        if not parts:
            return ["multipart/mixed without parts"], None
        alt = parts[0]
        attachments = parts[1:]
    if alt.get_content_type() != "multipart/alternative":
        return ["top part is %s, want multipart/alternative" % alt.get_content_type()], None
    types = [p.get_content_type() for p in alt.iter_parts()]
    want = ["text/plain", "text/html"] if json_attachment else ["application/json", "text/plain", "text/html"]
    if types != want:
        problems.append("alternatives are %s, want %s" % (types, want))
    json_part = None
    if json_attachment:
        for a in attachments:
            if a.get_filename() == "data.json":
                json_part = a
        if json_part is None:
            problems.append("no data.json attachment")
    else:
        for p in alt.iter_parts():
            if p.get_content_type() == "application/json":
                json_part = p
    for p in alt.iter_parts():
        if p.get_content_maintype() == "text":
            try:
                p.get_content()
            except Exception as e:  # noqa: BLE001 - any decoding failure is a finding
                problems.append("%s does not decode: %s" % (p.get_content_type(), e))
    for a in attachments:
        if a.get_filename() is None:
            problems.append("attachment without a file name (%s)" % a.get_content_type())
    return problems, json_part


def check_file(path, json_attachment):
    with open(path, "rb") as f:
        raw = f.read()
    problems = check_wire(raw)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    problems += ["defect: " + d for d in defects(msg)]
    if CONTENT_ONLY:
        # The content openssl returns from a signed message: a MIME entity
        # without the message's header.
        structure, json_part = check_structure(msg, json_attachment)
        return problems + structure
    for name in ("Subject", "From", "To", "Reply-To", "Message-ID", "References", "Date"):
        try:
            value = msg[name]
        except Exception as e:  # noqa: BLE001
            problems.append("header %s does not parse: %s" % (name, e))
            continue
        if name in ("Subject", "From", "Message-ID", "Date") and value is None:
            problems.append("header %s missing" % name)
        elif value is not None:
            for d in getattr(value, "defects", ()):
                problems.append("header %s defect: %s" % (name, d.__class__.__name__))
    if msg["Bcc"] is not None:
        problems.append("Bcc header present")
    structure, json_part = check_structure(msg, json_attachment)
    problems += structure
    if json_part is not None:
        data = json_part.get_payload(decode=True)
        try:
            json.loads(data.decode("utf-8"))
        except Exception as e:  # noqa: BLE001
            problems.append("JSON part is not UTF-8 JSON: %s" % e)
        want_path = os.path.splitext(path)[0] + ".json"
        if os.path.exists(want_path):
            with open(want_path, "rb") as f:
                want = f.read()
            if data != want:
                problems.append("JSON part differs from %s: got %r, want %r" % (want_path, data[:200], want[:200]))
    return problems


CONTENT_ONLY = False


def main(argv):
    global CONTENT_ONLY
    json_attachment = False
    files = []
    for a in argv:
        if a == "--json-attachment":
            json_attachment = True
        elif a == "--content":
            CONTENT_ONLY = True
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            files.append(a)
    if not files:
        print("usage: check_python_email.py [--json-attachment] FILE.eml ...", file=sys.stderr)
        return 2
    failed = 0
    for path in files:
        # A file named *json-attachment*.eml carries its JSON as data.json.
        ja = json_attachment or "json-attachment" in os.path.basename(path)
        try:
            problems = check_file(path, ja)
        except Exception as e:  # noqa: BLE001
            problems = ["cannot check: %s: %s" % (e.__class__.__name__, e)]
        if problems:
            failed += 1
            for p in problems:
                print("%s: %s" % (path, p), file=sys.stderr)
        else:
            print("%s: ok" % path)
    if failed:
        print("check_python_email: %d of %d files failed" % (failed, len(files)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
