#!/bin/sh
# demo.sh — install, build and start campusmon on built-in defaults, as root:
# the collector (JSON API, ingest and web UI on http://127.0.0.1:8080) with
# its data in ./demo/data, a local agent reporting to it, and a private snmpd
# on 127.0.0.1:11161 added as the first device.
# Prints what it started and how to reach it. `scripts/demo.sh stop` stops it.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEMO="$ROOT/demo"
LISTEN=${CAMPUSMON_DEMO_LISTEN:-127.0.0.1:8080}
URL="http://$LISTEN"

stop_all() {
	for p in "$DEMO"/run/*.pid; do
		[ -f "$p" ] || continue
		kill "$(cat "$p")" 2>/dev/null || true
		rm -f "$p"
	done
}

if [ "${1:-}" = "stop" ]; then
	stop_all
	echo "campusmon demo stopped"
	exit 0
fi

sh "$ROOT/scripts/install-deps.sh"
cd "$ROOT"
[ -x configure ] || autoreconf -fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure --quiet --enable-hardening
make -j2 --quiet all
cd "$ROOT"

stop_all
mkdir -p "$DEMO/data" "$DEMO/logs" "$DEMO/run"
chmod 755 "$DEMO"
# The collector drops to the campusmon user: it must reach the data folder.
if ! runuser -u campusmon -- test -x "$DEMO"; then
	DATA=/var/lib/campusmon/demo
	mkdir -p "$DATA"
	echo "note: campusmon cannot reach $DEMO (a parent folder is private); data in $DATA"
else
	DATA="$DEMO/data"
fi

umask 077
[ -s "$DEMO/admin-token" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DEMO/admin-token"
[ -s "$DEMO/admin-password" ] || head -c 9 /dev/urandom | base64 | tr '+/' 'xy' >"$DEMO/admin-password"
TOKEN=$(cat "$DEMO/admin-token")
PASSWORD=$(cat "$DEMO/admin-password")
umask 022

CAMPUSMON_BOOTSTRAP_TOKEN=$TOKEN CAMPUSMON_ADMIN_PASSWORD=$PASSWORD \
	setsid build/collector/campusmon-collector --listen "$LISTEN" --data-dir "$DATA" \
	>>"$DEMO/logs/collector.log" 2>&1 </dev/null &
echo $! >"$DEMO/run/collector.pid"

tries=0
until curl -fsS "$URL/api/v1/health" >/dev/null 2>&1; do
	tries=$((tries + 1))
	if [ $tries -gt 100 ]; then
		echo "the collector did not start; its log:" >&2
		tail -20 "$DEMO/logs/collector.log" >&2
		exit 1
	fi
	sleep 0.1
done

started="collector (pid $(cat "$DEMO/run/collector.pid"), data in $DATA)"

# A private snmpd on a loopback port: the first device to poll.
SNMP_PORT=${CAMPUSMON_DEMO_SNMP_PORT:-11161}
while [ -n "$(ss -Hnlu "sport = :$SNMP_PORT" 2>/dev/null)" ]; do
	SNMP_PORT=$((SNMP_PORT + 1))	# taken: use the next free one
done
SNMP_COMMUNITY=$(head -c 9 /dev/urandom | base64 | tr '+/' 'xy')
cat >"$DEMO/snmpd.conf" <<CONF
agentAddress udp:127.0.0.1:$SNMP_PORT
rocommunity $SNMP_COMMUNITY 127.0.0.1
sysName $(hostname -s)-snmpd
sysLocation campusmon demo, this machine
sysContact root@localhost
CONF
chmod 600 "$DEMO/snmpd.conf"
MIBS= snmpd -f -Lf "$DEMO/logs/snmpd.log" -C -c "$DEMO/snmpd.conf" -I -smux \
	-p "$DEMO/run/snmpd.pid.tmp" -u nobody </dev/null >/dev/null 2>&1 &
echo $! >"$DEMO/run/snmpd.pid"
api() {
	curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"
}
# Replace an earlier demo's entry, whose community is now stale.
for old in "$(hostname -s)-snmpd" 127.0.0.1; do
	api -X DELETE "$URL/api/v1/devices/$old" >/dev/null 2>&1 || true
done
api -d "{\"address\":\"127.0.0.1\",\"port\":$SNMP_PORT,\"kind\":\"server\",\"interval\":30,
	\"site\":\"demo\",\"snmp\":{\"version\":\"2c\",\"community\":\"$SNMP_COMMUNITY\"}}" \
	"$URL/api/v1/devices" >/dev/null
started="$started
  snmpd     (pid $(cat "$DEMO/run/snmpd.pid"), udp 127.0.0.1:$SNMP_PORT, polled every 30 s)"
if [ -x build/agent/campusmon-agent ]; then
	AGENT_TOKEN=$(curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-d "{\"name\":\"demo agent $(hostname -s)\",\"kind\":\"agent\"}" "$URL/api/v1/tokens" |
		sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
	mkdir -p "$DEMO/agent-spool"
	chown campusmon "$DEMO/agent-spool" 2>/dev/null || true
	umask 077
	cat >"$DEMO/agent.yaml" <<YAML
collector:
  url: $URL
  token: $AGENT_TOKEN
interval: 10s
spool:
  dir: $DEMO/agent-spool
YAML
	umask 022
	setsid build/agent/campusmon-agent -c "$DEMO/agent.yaml" \
		>>"$DEMO/logs/agent.log" 2>&1 </dev/null &
	echo $! >"$DEMO/run/agent.pid"
	started="$started
  agent     (pid $(cat "$DEMO/run/agent.pid"), reporting this host every 10 s)"
fi

cat <<MSG

campusmon is running:
  $started

  Web UI and API:  $URL/
  Login:           admin / $PASSWORD   (also in demo/admin-password)
  API token:       $TOKEN   (also in demo/admin-token)
  CLI:             CAMPUSMON_URL=$URL CAMPUSMON_TOKEN=\$(cat demo/admin-token) build/cli/campusmon status
  Logs:            demo/logs/
  Stop:            sh scripts/demo.sh stop
MSG
