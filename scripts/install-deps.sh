#!/bin/sh
# install-deps.sh — install every Debian 12 package campusmon needs to build,
# run and test. Shared by both README commands (demo and tests); idempotent.
# Usage: scripts/install-deps.sh [--test]
set -eu

BUILD_PKGS="build-essential autoconf automake libtool pkg-config
  libevent-dev libsnmp-dev libcurl4-openssl-dev librrd-dev libjansson-dev
  libsqlite3-dev libyaml-dev libssl-dev zlib1g-dev libsodium-dev uthash-dev
  libunistring-dev libpq-dev libmariadb-dev libhiredis-dev"
RUN_PKGS="rrdtool rrdcached snmpd snmp curl ca-certificates openssl procps iproute2 sqlite3"
# chromium: the web UI's end-to-end tests (tests/e2e, driven by playwright-core from
# npm); fonts-wqy-microhei: Chinese glyphs in its zh-CN screenshots; python3-influxdb and
# python3-prometheus-client, prometheus: real clients of /ping, /write and /metrics;
# dnsmasq-base: a real DNS server for device host names. Wave 2: lldpd for the
# namespace campus (topology); postgresql, mariadb-server, redis-server, nginx,
# apache2 for the agent's database and middleware plugins; python3-aiosmtpd, a
# real SMTP server for email notifications; rsyslog's logger is in bsdutils.
TEST_PKGS="libcriterion-dev clang libclang-rt-14-dev snmpsim monitoring-plugins-basic
  python3 python3-pytest python3-influxdb python3-prometheus-client prometheus dnsmasq-base
  iputils-ping chromium fonts-wqy-microhei openssl
  lldpd postgresql mariadb-server redis-server nginx-light apache2 python3-aiosmtpd"

want="$BUILD_PKGS $RUN_PKGS"
[ "${1:-}" = "--test" ] && want="$want $TEST_PKGS"

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root (apt-get needs it)" >&2
	exit 1
fi

# Node.js runs the browser tests only; a machine that has node and npm
# (Debian's 18 or a newer one) keeps them.
if [ "${1:-}" = "--test" ] && ! { command -v node && command -v npm; } >/dev/null 2>&1; then
	want="$want nodejs npm"
fi

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "install-deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# snmpd's package starts a system daemon on 161; we never use it.
	apt-get install -y -q --no-install-recommends $missing
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		# Package daemons started by apt; tests start their own on loopback.
		systemctl disable --now snmpd rrdcached lldpd postgresql mariadb \
			redis-server nginx apache2 >/dev/null 2>&1 || true
	fi
fi

# The service user daemons drop to after binding.
if ! getent passwd campusmon >/dev/null; then
	useradd --system --home-dir /var/lib/campusmon --no-create-home \
		--shell /usr/sbin/nologin campusmon
fi
