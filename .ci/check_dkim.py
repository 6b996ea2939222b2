#!/usr/bin/env python3
"""Verify DKIM signatures with dkimpy (Debian's python3-dkim), offline.

usage: check_dkim.py --selector S --domain D --key PUB.der FILE.eml ...

The public key (DER SubjectPublicKeyInfo, RSA) is served through dkimpy's
DNS hook as the TXT record S._domainkey.D, so no network is used. Each file
must carry a DKIM-Signature that dkimpy verifies. Exits 0 when every file
passes, 1 otherwise, naming the file.
"""

import base64
import sys

import dkim


def main(argv):
    selector = domain = key = None
    files = []
    it = iter(argv)
    for a in it:
        if a == "--selector":
            selector = next(it)
        elif a == "--domain":
            domain = next(it)
        elif a == "--key":
            key = next(it)
        else:
            files.append(a)
    if not (selector and domain and key and files):
        print(__doc__, file=sys.stderr)
        return 2
    with open(key, "rb") as f:
        record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(f.read())
    name = ("%s._domainkey.%s." % (selector, domain)).encode()

    def dnsfunc(qname, timeout=5):
        if qname.rstrip(b".") == name.rstrip(b"."):
            return record
        return None

    failed = 0
    for path in files:
        with open(path, "rb") as f:
            raw = f.read()
        if b"DKIM-Signature:" not in raw:
            print("%s: no DKIM-Signature" % path, file=sys.stderr)
            failed += 1
            continue
        d = dkim.DKIM(raw)
        try:
            ok = d.verify(dnsfunc=dnsfunc)
        except Exception as e:  # noqa: BLE001 - any failure is a finding
            print("%s: dkimpy: %s: %s" % (path, e.__class__.__name__, e), file=sys.stderr)
            failed += 1
            continue
        if ok:
            print("%s: dkim pass (d=%s s=%s)" % (path, domain, selector))
        else:
            print("%s: dkim fail" % path, file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
