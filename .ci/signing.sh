#!/usr/bin/env bash
# Signed messages through third-party verifiers: every template of testdata/
# rendered by the CLI with S/MIME and DKIM on (a throw-away certificate and
# key made with openssl), then
#   - openssl smime -verify accepts each, and the content it returns parses
#     in Python's email with the alternatives intact;
#   - the signed message passes .ci/check_python_email.py (7-bit, CRLF, the
#     JSON part exact);
#   - dkimpy verifies the DKIM signature, the public key given through its
#     DNS hook (.ci/check_dkim.py);
#   - the same message with one changed byte is refused by both.
# usage: signing.sh MAILTRAIL_BINARY WORKDIR
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1 work=$2/signing
mkdir -p "$work"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Fleet desk" \
	-addext "subjectAltName=email:fleet@example.com" -addext "keyUsage=digitalSignature" \
	-addext "extendedKeyUsage=emailProtection" \
	-keyout "$work/smime.key" -out "$work/smime.pem" 2>/dev/null
openssl genrsa -out "$work/dkim.key" 2048 2>/dev/null
openssl rsa -in "$work/dkim.key" -pubout -outform DER -out "$work/dkim.pub" 2>/dev/null

export MAILTRAIL_SMIME_CERT=$work/smime.pem MAILTRAIL_SMIME_KEY=$work/smime.key
export MAILTRAIL_DKIM_KEY=$work/dkim.key MAILTRAIL_DKIM_SELECTOR=ci
printf 'plate;km\nAB-123-CD;42000\n' > "$work/relevé de contrôle.csv"
for t in testdata/*.md; do
	name=$(basename "$t" .md)
	base=${name%%.*}
	locale=""; [ "$name" != "$base" ] && locale=${name#*.}
	"$bin" render --template "testdata/$base.md" ${locale:+--locale "$locale"} \
		--data "testdata/$base.json" --from "Fleet desk <fleet@example.com>" \
		--to "Émilie Dupont <partner@example.net>" --resource "ci-${name//./-}" \
		--attach "$work/relevé de contrôle.csv" -o "$work/$name.eml"
done

python3 .ci/check_python_email.py "$work"/*.eml
for f in "$work"/*.eml; do
	openssl smime -verify -in "$f" -CAfile "$work/smime.pem" -out "${f%.eml}.content"
	python3 .ci/check_python_email.py --content "${f%.eml}.content"
done
/usr/bin/python3 .ci/check_dkim.py --selector ci --domain example.com --key "$work/dkim.pub" "$work"/*.eml

f=$(ls "$work"/*.eml | head -1)
sed '0,/charset=UTF-8/s//charset=UTF-9/' "$f" > "$work/changed.bad"
cmp -s "$f" "$work/changed.bad" && { echo "signing.sh: no byte changed"; exit 1; }
if openssl smime -verify -in "$work/changed.bad" -CAfile "$work/smime.pem" -out /dev/null 2>/dev/null; then
	echo "openssl accepted a changed message"; exit 1
fi
if /usr/bin/python3 .ci/check_dkim.py --selector ci --domain example.com --key "$work/dkim.pub" "$work/changed.bad" 2>/dev/null; then
	echo "dkimpy accepted a changed message"; exit 1
fi
echo "signing: openssl, Python's email and dkimpy agree on $(ls "$work"/*.eml | wc -l) signed messages; a changed byte is refused"
