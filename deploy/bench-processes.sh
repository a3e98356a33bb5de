#!/usr/bin/env bash
# Aggregation as separate processes: consortia of N `fedmesh run` members on this machine (each its own JVM, Artery
# over mutual TLS, the real coordinator), plain and secure aggregation alternating, with a model of about 10^6
# parameters, and what the coordinator measured of each committed round: "X ms after the last update", the
# aggregation proper (from the slowest trainer's update being at hand to its decoded sum; the other members,
# done training earlier, are idle by then, so this is the ring with the machine to itself). Writes every round's
# figure and per N the medians and secure/plain to a JSON report (see BENCHMARKS.md, "As separate processes").
#
# Usage: deploy/bench-processes.sh [REPORT.json]   (default: benchmarks/processes/report.json)
# Environment: BP_MEMBERS (default "3 5"), BP_ROUNDS (rounds to commit per consortium, default 12), BP_WARMUP (first
# rounds left out, default 2), BP_PAIRS (plain/secure alternations per N, default 2), BP_MODEL (default
# mlp:1000,900 on digits: 974,910 parameters), BP_TLS (on|off, default on), BP_TIMEOUT (seconds per consortium,
# default 600), FEDMESH_JAVA (default: the newest JDK under /usr/lib/jvm, else java). Build the jar first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jar=$root/deploy/target/fedmesh.jar
report=${1:-$root/benchmarks/processes/report.json}
members_list=${BP_MEMBERS:-3 5}
rounds=${BP_ROUNDS:-12}
warmup=${BP_WARMUP:-2}
pairs=${BP_PAIRS:-2}
model=${BP_MODEL:-mlp:1000,900}
tls=${BP_TLS:-on}
timeout=${BP_TIMEOUT:-600}
newest=$(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -V | tail -1 || true)
java=${FEDMESH_JAVA:-${newest:-java}}
[ -f "$jar" ] || { echo "no $jar: build it first (mvn -B -DskipTests package)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed to poll the members' status endpoints" >&2; exit 1; }
work=$(mktemp -d -t fedmesh-bench-processes.XXXXXX)
mkdir -p "$(dirname "$report")"

declare -A pid
stop_all() {
  for site in "${!pid[@]}"; do
    kill -9 "${pid[$site]}" 2>/dev/null || true
    unset "pid[$site]"
  done
  wait 2>/dev/null || true
}
trap 'code=$?; stop_all; exit $code' EXIT
trap 'exit 130' INT TERM
fedmesh() { FEDMESH_NO_RELAUNCH=1 "$java" -jar "$jar" "$@"; }
say() { printf '[%5ss] %s\n' "$SECONDS" "$*"; }

say "Working in $work with $java; model $model, $rounds rounds per consortium, mutual TLS $tls"
fedmesh ca init --out "$work/ca" --name bench >/dev/null

# One consortium of $1 members, aggregation.secure = $2, its logs under $3; returns once every member committed
# $rounds rounds, and leaves no member running.
consortium() {
  local n=$1 secure=$2 dir=$3
  mkdir -p "$dir"
  fedmesh data split --dataset digits --parts "$n" --out "$dir/data" >/dev/null
  local ports
  ports=($(python3 -c "
import socket
socks=[socket.socket() for _ in range(2 * $n)]
for s in socks: s.bind(('127.0.0.1', 0))
print(' '.join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()"))
  local seeds
  seeds=$(printf '"127.0.0.1:%s",' "${ports[0]}"); seeds="[${seeds%,}]"
  local transport
  for i in $(seq 1 "$n"); do
    local site=site-$i
    mkdir -p "$dir/$site"
    [ -d "$work/identity/$site" ] || fedmesh cert issue --ca "$work/ca" --node $site --host 127.0.0.1 \
      --out "$work/identity/$site" >/dev/null
    if [ "$tls" = on ]; then
      transport="identity {
    key = \"$work/identity/$site/node.key\", certificate = \"$work/identity/$site/node.crt\"
    ca = \"$work/identity/$site/ca.crt\", revocation-list = \"$work/ca/revoked.crl\"
  }"
    else
      transport="tls.insecure-plain-tcp = on"
    fi
    cat > "$dir/$site/site.conf" <<CONF
fedmesh {
  node-id = "$site"
  host = "127.0.0.1"
  port = ${ports[$((i - 1))]}
  seed-nodes = $seeds
  rounds = 0
  coordinator.min-participants = $n
  model.spec = "$model"
  training { local-epochs = 1, batch-size = 64, optimizer = "sgd:0.05" }
  aggregation.secure = $secure
  data { path = "$dir/data/part-$i.csv", classes = ["0","1","2","3","4","5","6","7","8","9"], test-fraction = 0.1 }
  $transport
  checkpoint-dir = "$dir/$site/checkpoints"
  operations { host = "127.0.0.1", port = ${ports[$((n + i - 1))]} }
}
CONF
  done
  for i in $(seq 1 "$n"); do
    FEDMESH_NO_RELAUNCH=1 "$java" -jar "$jar" run --config "$dir/site-$i/site.conf" >"$dir/site-$i/log" 2>&1 &
    pid[site-$i]=$!
  done
  local deadline=$((SECONDS + timeout))
  for i in $(seq 1 "$n"); do
    local r=""
    until r=$(curl -fsS --max-time 2 "http://127.0.0.1:${ports[$((n + i - 1))]}/status" 2>/dev/null \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["round"])' 2>/dev/null) \
        && [ -n "$r" ] && [ "$r" -ge "$rounds" ]; do
      for s in "${!pid[@]}"; do
        kill -0 "${pid[$s]}" 2>/dev/null || { echo "$s exited early; its log ends:" >&2; tail -n 15 "$dir/$s/log" >&2; exit 1; }
      done
      [ $SECONDS -lt $deadline ] || { echo "site-$i did not reach round $rounds within ${timeout}s" >&2; exit 1; }
      sleep 0.5
    done
  done
  for s in "${!pid[@]}"; do kill -TERM "${pid[$s]}" 2>/dev/null || true; done
  for s in "${!pid[@]}"; do wait "${pid[$s]}" 2>/dev/null || true; unset "pid[$s]"; done
}

for n in $members_list; do
  for pair in $(seq 1 "$pairs"); do
    for secure in off on; do
      say "N = $n, pair $pair, secure $secure"
      consortium "$n" "$secure" "$work/n$n-pair$pair-secure-$secure"
    done
  done
done

python3 - "$work" "$report" "$rounds" "$warmup" "$model" "$tls" "$java" "$members_list" "$pairs" <<'PY'
import glob, json, os, re, statistics, sys
work, report, rounds, warmup, model, tls, java, members, pairs = sys.argv[1:]
rounds, warmup, pairs = int(rounds), int(warmup), int(pairs)
line = re.compile(r"round (\d+) attempt (\d+).*all (\d+) participants agree on \w+ .*aggregation (\d+) ms, "
                  r"([\d.]+) ms after the last update, round (\d+) ms")
out = {"measures": "per committed round, as the coordinator logs it: the aggregation after the last update (the "
                   "slowest trainer's update at hand to its decoded sum, ms), the longest member's aggregation "
                   "(including its wait for the slowest trainer) and the whole attempt (ms); separate `fedmesh run` "
                   "processes on 127.0.0.1, one JVM each",
       "model": model, "rounds_per_consortium": rounds, "warmup_rounds_left_out": warmup, "tls": tls == "on",
       "java": java, "cores": os.cpu_count(), "points": []}
for n in members.split():
    point = {"nodes": int(n)}
    for secure in ("off", "on"):
        after, longest, whole = [], [], []
        for pair in range(1, pairs + 1):
            seen = {}
            for log in glob.glob(f"{work}/n{n}-pair{pair}-secure-{secure}/site-*/log"):
                for text in open(log, errors="replace"):
                    m = line.search(text)
                    if m and int(m.group(3)) == int(n):
                        seen[int(m.group(1))] = (float(m.group(5)), int(m.group(4)), int(m.group(6)))
            for r in sorted(seen):
                if r > warmup:
                    after.append(seen[r][0]); longest.append(seen[r][1]); whole.append(seen[r][2])
        kind = "secure" if secure == "on" else "plain"
        if not after:
            sys.exit(f"no committed round of {n} members with secure {secure} found in the logs under {work}")
        point[kind + "_after_last_update_ms"] = after
        point[kind + "_after_last_update_ms_median"] = statistics.median(after)
        point[kind + "_longest_aggregation_ms_median"] = statistics.median(longest)
        point[kind + "_attempt_ms_median"] = statistics.median(whole)
    point["secure_over_plain"] = point["secure_after_last_update_ms_median"] / point["plain_after_last_update_ms_median"]
    out["points"].append(point)
    print(f"N = {n}: after the last update, median plain {point['plain_after_last_update_ms_median']:.1f} ms, "
          f"secure {point['secure_after_last_update_ms_median']:.1f} ms, secure/plain {point['secure_over_plain']:.2f}"
          f" ({len(point['plain_after_last_update_ms'])} and {len(point['secure_after_last_update_ms'])} rounds)")
json.dump(out, open(report, "w"), indent=2)
print("Report written to", report)
PY
say "Logs kept in $work"
