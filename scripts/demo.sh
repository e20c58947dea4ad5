#!/usr/bin/env bash
# A tour with no cloud account: start the emulator, plan and deploy the sample release folder (as a team
# keeps it in Git) with tap-oic-release | target-oracle-oic, deploy it again (nothing is written), and
# show the audit trail. What the runs write (config, ledger, audit trail) stays in .oic/demo/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PORT=${PORT:-8765}
WORK=${DEMO_DIR:-.oic/demo}
rm -rf "$WORK" && mkdir -p "$WORK" && WORK=$(cd "$WORK" && pwd)
trap 'kill "$EMULATOR" 2>/dev/null || true' EXIT

"$VENV/bin/oic-emulator" --port "$PORT" --activation-delay 0.5 > "$WORK/emulator.log" 2>&1 &
EMULATOR=$!
for _ in $(seq 100); do
  grep -q "listening on" "$WORK/emulator.log" 2>/dev/null && break
  kill -0 "$EMULATOR" 2>/dev/null || { echo "oic-emulator did not start:"; cat "$WORK/emulator.log"; exit 1; }
  sleep 0.2
done
echo "== $(cat "$WORK/emulator.log")"

cat > "$WORK/config.json" <<JSON
{"base_url": "http://127.0.0.1:$PORT", "oauth_client_id": "oic-emulator-client",
 "oauth_client_secret": "oic-emulator-secret", "oauth_token_url": "http://127.0.0.1:$PORT/oauth2/v1/token",
 "activate_integrations": true, "activation_poll_interval": 0.2,
 "archive_directory": "$PWD/example_dags/data/release",
 "state_path": "$WORK/ledger.json", "audit_log": "$WORK/audit.jsonl"}
JSON
echo "{\"release_dir\": \"$PWD/example_dags/data/release\"}" > "$WORK/tap.json"
export ERP_PASSWORD=demo-password
echo "== the release folder"
find example_dags/data/release -type f | sort
"$VENV/bin/tap-oic-release" --config "$WORK/tap.json" 2> "$WORK/tap.log" > "$WORK/release.jsonl"
RELEASE="$WORK/release.jsonl"

echo "== 1. plan (dry run): nothing is written"
"$VENV/bin/target-oracle-oic" --config "$WORK/config.json" --input "$RELEASE" --dry-run 2>&1 | grep -v INFO
echo "== 2. deploy"
"$VENV/bin/target-oracle-oic" --config "$WORK/config.json" --input "$RELEASE" 2>&1 | grep -v INFO
echo "== 3. deploy the same release again: every artifact is unchanged, no write reaches OIC"
curl -s -X POST "http://127.0.0.1:$PORT/_emulator/stats/reset" > /dev/null
"$VENV/bin/target-oracle-oic" --config "$WORK/config.json" --input "$RELEASE" 2>&1 | grep -v INFO
echo "writes seen by OIC: $(curl -s "http://127.0.0.1:$PORT/_emulator/stats" | "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["writes"])')"
echo "== 4. the audit trail ($WORK/audit.jsonl), first lines"
head -3 "$WORK/audit.jsonl"
