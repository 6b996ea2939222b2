#!/bin/sh
# mailservers.sh — Postfix and Dovecot on loopback, for mailtrail's end-to-end test.
#
#   .ci/mailservers.sh start    install (apt-get), configure and start both servers
#   .ci/mailservers.sh stop     stop both servers; nothing of theirs keeps running
#   .ci/mailservers.sh status   say what is running
#   .ci/mailservers.sh env      print the variables the Go test reads
#
# What it sets up (loopback only, nothing leaves the machine):
#
#   SMTP  127.0.0.1:2525  Postfix, no auth, accepts mail for example.test only;
#                         every other destination bounces (default_transport = error)
#   IMAP  127.0.0.1:1143  Dovecot, STARTTLS offered, plaintext login allowed
#                         (loopback); users app/secret and partner/secret
#   IMAPS 127.0.0.1:1993  Dovecot, TLS from the first byte
#   TLS                   a self-signed certificate for 127.0.0.1 and localhost,
#                         /etc/mailtrail-e2e/tls.crt (trust it to test TLS)
#   Maildirs              /var/lib/mailtrail-e2e/vmail/{app,partner}/Maildir
#                         app+ANYTHING@example.test lands in app's INBOX
#
# Postfix is the machine's own instance, reconfigured with postconf (the port
# 25 listener is turned off, a 127.0.0.1:2525 one added); Dovecot runs as a
# separate instance from its own configuration under /etc/mailtrail-e2e, so
# a system Dovecot, if any, is left alone. Meant for CI containers and
# throw-away VMs; it needs root and Debian or Ubuntu (apt-get). Running start
# twice is harmless; so is stop.
set -eu

DOMAIN=example.test
SMTP_PORT=2525
IMAP_PORT=1143
IMAPS_PORT=1993
PASSWORD=secret
USERS="app partner"

ETC=/etc/mailtrail-e2e
VAR=/var/lib/mailtrail-e2e
RUN=/run/mailtrail-e2e
LOG=/var/log/mailtrail-e2e
VMAIL=$VAR/vmail
DOVECOT_CONF=$ETC/dovecot.conf

say() { printf 'mailservers: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

need_root() {
	[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages and configures Postfix)"
}

install_packages() {
	if command -v postfix >/dev/null 2>&1 && command -v dovecot >/dev/null 2>&1 &&
		[ -x /usr/lib/dovecot/imap ]; then
		return
	fi
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install postfix and dovecot-imapd by hand"
	say "installing postfix and dovecot-imapd"
	# Answer debconf up front so the install never asks.
	echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
	echo "postfix postfix/mailname string mail.$DOMAIN" | debconf-set-selections
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		postfix dovecot-imapd
}

configure_users() {
	if ! getent group vmail >/dev/null; then
		groupadd --system vmail
	fi
	if ! getent passwd vmail >/dev/null; then
		useradd --system --gid vmail --home-dir "$VMAIL" --no-create-home \
			--shell /usr/sbin/nologin vmail
	fi
	mkdir -p "$ETC" "$VAR" "$RUN" "$LOG" "$VMAIL"
	for u in $USERS; do
		mkdir -p "$VMAIL/$u/Maildir/cur" "$VMAIL/$u/Maildir/new" "$VMAIL/$u/Maildir/tmp"
	done
	chown -R vmail:vmail "$VMAIL"
	chmod 700 "$VMAIL"
}

configure_postfix() {
	uid=$(id -u vmail)
	gid=$(id -g vmail)
	: >"$ETC/vmailbox"
	for u in $USERS; do
		printf '%s@%s\t%s/Maildir/\n' "$u" "$DOMAIN" "$u" >>"$ETC/vmailbox"
	done
	postconf -e \
		"compatibility_level = 3.6" \
		"myhostname = mail.$DOMAIN" \
		"mydestination = localhost" \
		"inet_interfaces = loopback-only" \
		"inet_protocols = ipv4" \
		"mynetworks = 127.0.0.0/8" \
		"smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination" \
		"relayhost =" \
		"default_transport = error:mailtrail e2e delivers to $DOMAIN only" \
		"relay_transport = error:mailtrail e2e delivers to $DOMAIN only" \
		"recipient_delimiter = +" \
		"virtual_mailbox_domains = $DOMAIN" \
		"virtual_mailbox_base = $VMAIL" \
		"virtual_mailbox_maps = texthash:$ETC/vmailbox" \
		"virtual_uid_maps = static:$uid" \
		"virtual_gid_maps = static:$gid" \
		"maillog_file = $LOG/postfix.log"
	# Only the loopback port 2525 listens: no port 25, no chroot to set up.
	postconf -# smtp/inet >/dev/null 2>&1 || true
	postconf -M "127.0.0.1:$SMTP_PORT/inet=127.0.0.1:$SMTP_PORT inet n - n - - smtpd"
	if ! postconf -M postlog/unix-dgram >/dev/null 2>&1 || [ -z "$(postconf -M postlog/unix-dgram)" ]; then
		postconf -M "postlog/unix-dgram=postlog unix-dgram n - n - 1 postlogd"
	fi
	postfix check
}

make_certificate() {
	[ -s "$ETC/tls.crt" ] && [ -s "$ETC/tls.key" ] && return
	command -v openssl >/dev/null 2>&1 || die "openssl not found (apt-get install openssl)"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
		-subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
		-keyout "$ETC/tls.key" -out "$ETC/tls.crt" 2>/dev/null
	chmod 600 "$ETC/tls.key"
}

configure_dovecot() {
	make_certificate
	: >"$ETC/dovecot.passwd"
	for u in $USERS; do
		printf '%s:{PLAIN}%s\n' "$u" "$PASSWORD" >>"$ETC/dovecot.passwd"
	done
	chmod 640 "$ETC/dovecot.passwd"
	chgrp dovecot "$ETC/dovecot.passwd"
	cat >"$DOVECOT_CONF" <<EOF
# Written by .ci/mailservers.sh: a loopback-only Dovecot for mailtrail's tests.
protocols = imap
listen = 127.0.0.1
base_dir = $RUN/dovecot
state_dir = $VAR/dovecot-state
instance_name = mailtrail-e2e
log_path = $LOG/dovecot.log
ssl = yes
ssl_cert = <$ETC/tls.crt
ssl_key = <$ETC/tls.key
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $ETC/dovecot.passwd
}
userdb {
  driver = static
  args = uid=vmail gid=vmail home=$VMAIL/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
  }
}
protocol imap {
  mail_max_userip_connections = 50
}
EOF
	mkdir -p "$VAR/dovecot-state"
	doveconf -c "$DOVECOT_CONF" -n >/dev/null
}

port_open() {
	if command -v ss >/dev/null 2>&1; then
		ss -ltn 2>/dev/null | grep -q "127.0.0.1:$1 "
	else
		timeout 1 bash -c "</dev/tcp/127.0.0.1/$1" 2>/dev/null
	fi
}

wait_port() {
	i=0
	while ! port_open "$1"; do
		i=$((i + 1))
		[ "$i" -le 100 ] || die "$2 does not listen on 127.0.0.1:$1 (see $LOG)"
		sleep 0.1
	done
}

start_servers() {
	if postfix status >/dev/null 2>&1; then
		postfix reload >/dev/null 2>&1
	else
		postfix start >/dev/null 2>&1 || die "postfix start failed (see $LOG/postfix.log)"
	fi
	if [ -f "$RUN/dovecot/master.pid" ] && kill -0 "$(cat "$RUN/dovecot/master.pid")" 2>/dev/null; then
		doveadm -c "$DOVECOT_CONF" reload
	else
		dovecot -c "$DOVECOT_CONF"
	fi
	wait_port "$SMTP_PORT" postfix
	wait_port "$IMAP_PORT" dovecot
	wait_port "$IMAPS_PORT" dovecot
	say "postfix on 127.0.0.1:$SMTP_PORT, dovecot on 127.0.0.1:$IMAP_PORT and :$IMAPS_PORT (TLS)"
}

stop_servers() {
	if [ -f "$RUN/dovecot/master.pid" ] && kill -0 "$(cat "$RUN/dovecot/master.pid")" 2>/dev/null; then
		doveadm -c "$DOVECOT_CONF" stop 2>/dev/null || kill "$(cat "$RUN/dovecot/master.pid")"
	fi
	if command -v postfix >/dev/null 2>&1 && postfix status >/dev/null 2>&1; then
		postfix stop >/dev/null 2>&1
	fi
	# Wait until both are gone, so a following start or the end of a CI job
	# finds nothing of ours running.
	i=0
	while pgrep -f "dovecot -c $DOVECOT_CONF" >/dev/null 2>&1 ||
		pgrep -f "^/usr/lib/postfix/sbin/master" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -le 100 ] || die "servers still running after stop"
		sleep 0.1
	done
	say "stopped"
}

status() {
	rc=0
	if postfix status >/dev/null 2>&1; then say "postfix running"; else say "postfix stopped"; rc=1; fi
	if [ -f "$RUN/dovecot/master.pid" ] && kill -0 "$(cat "$RUN/dovecot/master.pid")" 2>/dev/null; then
		say "dovecot running"
	else
		say "dovecot stopped"
		rc=1
	fi
	return $rc
}

print_env() {
	cat <<EOF
MAILTRAIL_E2E_MAILSERVERS=1
MAILTRAIL_E2E_SMTP=smtp+insecure://127.0.0.1:$SMTP_PORT
MAILTRAIL_E2E_IMAP_APP=imap+insecure://app:$PASSWORD@127.0.0.1:$IMAP_PORT
MAILTRAIL_E2E_IMAP_PARTNER=imap+insecure://partner:$PASSWORD@127.0.0.1:$IMAP_PORT
MAILTRAIL_E2E_IMAPS_APP=imaps://app:$PASSWORD@127.0.0.1:$IMAPS_PORT
MAILTRAIL_E2E_STARTTLS_APP=imap://app:$PASSWORD@127.0.0.1:$IMAP_PORT
MAILTRAIL_E2E_CA=$ETC/tls.crt
MAILTRAIL_E2E_DOMAIN=$DOMAIN
EOF
}

case "${1:-}" in
start)
	need_root
	install_packages
	configure_users
	configure_postfix
	configure_dovecot
	start_servers
	;;
stop)
	need_root
	stop_servers
	;;
status) status ;;
env) print_env ;;
*)
	echo "usage: $0 start|stop|status|env" >&2
	exit 2
	;;
esac
