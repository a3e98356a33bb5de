#!/usr/bin/env bash
# A consortium of three members on this machine, each its own `fedmesh run` process, talking Artery over mutual TLS
# with certificates from a fresh consortium CA: makes the CA and the certificates, splits the breast-cancer set
# into three sites' data, writes three site configs, starts the members, waits (polling their operations endpoints)
# until each has committed LC_ROUNDS rounds (default 3), prints each member's status with `fedmesh status`, and
# stops them with SIGTERM. Any member still running when the script ends, however it ends, is killed.
#
# Usage: deploy/local-consortium.sh [WORK_DIR]     (default: a fresh temporary directory, kept for inspection)
# Environment: FEDMESH_JAVA (java to run the jar with; default java), LC_ROUNDS (rounds to wait for),
# LC_TIMEOUT (seconds to wait for them; default 300). Build the jar first: mvn -B -DskipTests package.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jar=$root/deploy/target/fedmesh.jar
java=${FEDMESH_JAVA:-java}
rounds=${LC_ROUNDS:-3}
timeout=${LC_TIMEOUT:-300}
members=3
[ -f "$jar" ] || { echo "no $jar: build it first (mvn -B -DskipTests package)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed to poll the members' status endpoints" >&2; exit 1; }
work=${1:-$(mktemp -d -t fedmesh-local.XXXXXX)}
mkdir -p "$work"

declare -A pid
cleanup() {
  local code=$?
  for site in "${!pid[@]}"; do
    if kill -0 "${pid[$site]}" 2>/dev/null; then
      echo "Killing $site (pid ${pid[$site]}), still running" >&2
      kill -9 "${pid[$site]}" 2>/dev/null || true
    fi
  done
  wait 2>/dev/null || true
  exit $code
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fedmesh() { FEDMESH_NO_RELAUNCH=1 "$java" -jar "$jar" "$@"; }
say() { printf '[%5ss] %s\n' "$SECONDS" "$*"; }

say "Working in $work"
fedmesh ca init --out "$work/ca" --name local >/dev/null
fedmesh data split --dataset breast-cancer --parts $members --out "$work/data" >/dev/null
# Two free ports per member: Artery (members talk) and the operations endpoint (this script and you listen).
ports=($(python3 -c "
import socket
socks=[socket.socket() for _ in range(2 * $members)]
for s in socks: s.bind(('127.0.0.1', 0))
print(' '.join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()"))
seeds=$(for i in $(seq 0 $((members - 1))); do printf '"127.0.0.1:%s",' "${ports[$i]}"; done); seeds="[${seeds%,}]"
status_port() { echo "${ports[$((members + $1 - 1))]}"; }

for i in $(seq 1 $members); do
  site=site-$i
  mkdir -p "$work/$site"
  fedmesh cert issue --ca "$work/ca" --node $site --host 127.0.0.1 --out "$work/$site/identity" >/dev/null
  cat > "$work/$site/site.conf" <<CONF
fedmesh {
  node-id = "$site"
  host = "127.0.0.1"
  port = ${ports[$((i - 1))]}
  seed-nodes = $seeds
  rounds = 0                      # until stopped
  model.spec = "logistic"
  training { local-epochs = 1, batch-size = 32, optimizer = "sgd:0.05" }
  data { path = "$work/data/part-$i.csv", classes = ["benign", "malignant"], test-fraction = 0.2 }
  identity {
    key = "$work/$site/identity/node.key", certificate = "$work/$site/identity/node.crt"
    ca = "$work/$site/identity/ca.crt", revocation-list = "$work/ca/revoked.crl"
  }
  checkpoint-dir = "$work/$site/checkpoints"
  operations { host = "127.0.0.1", port = $(status_port $i) }
}
CONF
done

for i in $(seq 1 $members); do
  FEDMESH_NO_RELAUNCH=1 "$java" -jar "$jar" run --config "$work/site-$i/site.conf" >"$work/site-$i/log" 2>&1 &
  pid[site-$i]=$!
done
say "Started ${!pid[*]} (pids ${pid[*]}); logs in $work/site-*/log"

round_of() { # the committed round a member's endpoint reports; empty when it does not answer (yet)
  curl -fsS --max-time 2 "http://127.0.0.1:$(status_port "$1")/status" 2>/dev/null \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["round"])' 2>/dev/null || true
}
deadline=$((SECONDS + timeout))
for i in $(seq 1 $members); do
  until r=$(round_of "$i"); [ -n "$r" ] && [ "$r" -ge "$rounds" ]; do
    for s in "${!pid[@]}"; do
      kill -0 "${pid[$s]}" 2>/dev/null || { echo "$s exited early; its log ends:" >&2; tail -n 15 "$work/$s/log" >&2; exit 1; }
    done
    [ $SECONDS -lt $deadline ] || { echo "site-$i did not reach round $rounds within ${timeout}s (at '${r:-no answer}')" >&2; tail -n 5 "$work"/site-*/log >&2; exit 1; }
    sleep 0.5
  done
  say "site-$i has committed round $r"
done

for i in $(seq 1 $members); do
  echo
  fedmesh status --port "$(status_port $i)" || echo "(status of site-$i: exit $?)"
done
echo
say "site-1's own metrics (http://127.0.0.1:$(status_port 1)/metrics, Prometheus text; jvm_* and process_* too):"
curl -fsS --max-time 5 "http://127.0.0.1:$(status_port 1)/metrics" | grep '^fedmesh_' || true
echo

say "Stopping the members with SIGTERM"
for s in "${!pid[@]}"; do kill -TERM "${pid[$s]}"; done
failed=0
for s in $(printf '%s\n' "${!pid[@]}" | sort); do
  code=0
  wait "${pid[$s]}" || code=$?
  unset "pid[$s]"
  # 143 = 128 + SIGTERM: the JVM's own exit status after its shutdown hooks (Pekko's coordinated shutdown) ran.
  case $code in 0|143) say "$s stopped (exit code $code)";; *) say "$s exited with code $code"; failed=1;; esac
done
hashes=$(for i in $(seq 1 $members); do tail -1 "$work/site-$i/checkpoints/commits.jsonl" \
  | python3 -c 'import json,sys; e=json.load(sys.stdin); print(e["round"], e["hash"])'; done | sort -u)
say "Last journaled round and model of each member: $(echo "$hashes" | tr '\n' ' ')"
agreeing=$(for i in $(seq 1 $members); do tail -1 "$work/site-$i/checkpoints/commits.jsonl"; done \
  | python3 -c 'import json,sys; print(len({json.loads(l)["hash"] for l in sys.stdin}))')
[ "$agreeing" = 1 ] && say "The members' last models agree" || say "The members stopped at different rounds (one was mid-commit)"
[ "$failed" = 0 ] || { echo "a member did not stop cleanly" >&2; exit 1; }
say "Done: three members trained over mutual TLS and stopped; nothing left running"
