#!/bin/sh
# demo.sh — install, build and start campusmon on built-in defaults, as root:
# the collector (JSON API, ingest and web UI on http://127.0.0.1:8080) with
# its data in ./demo/data, and a local agent reporting to it once built.
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
[ -f Makefile ] || ../configure --quiet
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
