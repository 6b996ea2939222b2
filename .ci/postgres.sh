#!/bin/sh
# postgres.sh — a throw-away PostgreSQL cluster on loopback, for mailtrail's
# PostgreSQL outbox tests.
#
#   .ci/postgres.sh start    install PostgreSQL (apt-get) when missing, create
#                            the cluster and start it
#   .ci/postgres.sh stop     stop the cluster and delete its data folder
#   .ci/postgres.sh status   say whether it runs
#   .ci/postgres.sh env      print MAILTRAIL_TEST_POSTGRES_URL for the tests
#
# The cluster listens on 127.0.0.1 only, on its own port (54329, or
# $MAILTRAIL_PG_PORT), with its data, socket and log in its own folder
# (/tmp/mailtrail-pg, or $MAILTRAIL_PG_DIR). It runs as an unprivileged user:
# the "postgres" account when started as root, else the caller. Its one
# role, "mailtrail", logs in with a password (scram-sha-256), so the tests
# also check that the password never shows in output. Nothing of the
# machine's own PostgreSQL, if any, is touched. Running start twice is
# harmless; so is stop.
set -eu

PORT=${MAILTRAIL_PG_PORT:-54329}
DIR=${MAILTRAIL_PG_DIR:-/tmp/mailtrail-pg}
ROLE=mailtrail
PASSWORD=mailtrail-test-pw
DB=mailtrail

say() { printf 'postgres: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

bindir() {
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			echo "$d"
			return
		fi
	done
}

install_packages() {
	[ -n "$(bindir)" ] && return
	[ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed; as root, run: apt-get install postgresql"
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install PostgreSQL by hand"
	say "installing postgresql"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql
	[ -n "$(bindir)" ] || die "postgresql installed, but no initdb under /usr/lib/postgresql/*/bin"
}

# as runs a command as the cluster's owner.
as() {
	if [ "$(id -u)" -eq 0 ]; then
		getent passwd postgres >/dev/null || useradd --system --home-dir "$DIR" --no-create-home --shell /bin/sh postgres
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

start() {
	install_packages
	bin=$(bindir)
	if [ -f "$DIR/data/postmaster.pid" ] && as "$bin/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
		say "already running on 127.0.0.1:$PORT"
		return
	fi
	rm -rf "$DIR"
	mkdir -p "$DIR"
	[ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
	as sh -c "printf '%s\n' '$PASSWORD' > '$DIR/pw'"
	as "$bin/initdb" -D "$DIR/data" -U "$ROLE" --pwfile="$DIR/pw" --auth=scram-sha-256 \
		--encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
		{ cat "$DIR/initdb.log" >&2; die "initdb failed"; }
	cat >>"$DIR/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
max_connections = 300
shared_buffers = 128MB
EOF
	as "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null ||
		{ cat "$DIR/server.log" >&2; die "the server did not start"; }
	PGPASSWORD=$PASSWORD as "$bin/createdb" -h 127.0.0.1 -p "$PORT" -U "$ROLE" "$DB"
	say "running on 127.0.0.1:$PORT (data in $DIR)"
}

stop() {
	bin=$(bindir)
	if [ -n "$bin" ] && [ -f "$DIR/data/postmaster.pid" ]; then
		as "$bin/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$DIR"
	say "stopped"
}

status() {
	bin=$(bindir)
	if [ -n "$bin" ] && [ -f "$DIR/data/postmaster.pid" ] && as "$bin/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
		say "running on 127.0.0.1:$PORT"
	else
		say "stopped"
		return 1
	fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
env) echo "MAILTRAIL_TEST_POSTGRES_URL=postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB?sslmode=disable" ;;
*)
	echo "usage: $0 start|stop|status|env" >&2
	exit 2
	;;
esac
