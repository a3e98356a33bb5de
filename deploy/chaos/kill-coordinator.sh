#!/usr/bin/env bash
# Chaos check: 4 consortium members as separate processes on 127.0.0.1 train on the breast-cancer set; the process
# hosting the round coordinator is killed with SIGKILL in the middle of a round; the survivors must go on without
# losing, repeating or forking a committed round.
#
# Usage: deploy/chaos/kill-coordinator.sh [REPORT.json]
# Prints (and writes to REPORT.json) committed_rounds, lost_rounds, repeated_rounds, final_hashes_agree,
# seconds_from_kill_to_next_commit. Every process it starts is stopped on exit; the work directory with each
# member's log and commit journal is kept and named in the report. Java: $FEDMESH_JAVA or java; extra JVM options
# for the members (e.g. -Dpekko.cluster.split-brain-resolver.stable-after=2s): $CHAOS_JAVA_OPTS. CHAOS_SIGNAL=TERM
# stops the coordinator's host with SIGTERM instead (a graceful leave: coordinated shutdown, singleton hand-over).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
jar=$root/deploy/target/fedmesh.jar
java=${FEDMESH_JAVA:-java}
report=${1:-}
rounds=${CHAOS_ROUNDS:-30}
kill_after_round=${CHAOS_KILL_AFTER_ROUND:-5}
signal=${CHAOS_SIGNAL:-KILL}
members=4
[ -f "$jar" ] || { echo "no $jar: build it first (mvn -B -DskipTests package)" >&2; exit 1; }

work=$(mktemp -d -t fedmesh-chaos.XXXXXX)
declare -A pid
cleanup() {
  for site in "${!pid[@]}"; do kill -9 "${pid[$site]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
now_ms() { date +%s%3N; }
fedmesh() { FEDMESH_NO_RELAUNCH=1 "$java" -jar "$jar" "$@"; }

echo "Working in $work"
fedmesh ca init --out "$work/ca" --name chaos >/dev/null
fedmesh data split --dataset breast-cancer --parts $members --out "$work/data" >/dev/null
ports=($(python3 -c "
import socket
socks=[socket.socket() for _ in range($members)]
for s in socks: s.bind(('127.0.0.1', 0))
print(' '.join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()"))
seeds=$(printf '"127.0.0.1:%s",' "${ports[@]}"); seeds="[${seeds%,}]"

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
  rounds = $rounds
  model.spec = "mlp:32"
  # enough local work per round that a kill lands mid-round
  training { local-epochs = 20, batch-size = 8, optimizer = "sgd:0.02" }
  data { path = "$work/data/part-$i.csv", classes = ["benign", "malignant"], test-fraction = 0.2 }
  identity { key = "$work/$site/identity/node.key", certificate = "$work/$site/identity/node.crt", ca = "$work/$site/identity/ca.crt" }
  checkpoint-dir = "$work/$site/checkpoints"
  coordinator.min-participants = 3
}
CONF
done

start_member() {
  local site=$1
  # shellcheck disable=SC2086 # CHAOS_JAVA_OPTS holds several options
  FEDMESH_NO_RELAUNCH=1 "$java" ${CHAOS_JAVA_OPTS:-} -jar "$jar" run --config "$work/$site/site.conf" \
    >"$work/$site/log" 2>&1 &
  pid[$site]=$!
}
# site-1 first: the oldest member hosts the coordinator
start_member site-1
sleep 3
for i in $(seq 2 $members); do start_member site-$i; done

committed() { # highest round in a site's journal
  local j="$work/$1/checkpoints/commits.jsonl"
  [ -f "$j" ] && tail -1 "$j" | sed 's/.*"round":\([0-9]*\).*/\1/' || echo 0
}
wait_until() { # wait_until SECONDS COMMAND...
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}
host_of_coordinator() { # the site whose log says the coordinator started there
  for i in $(seq 1 $members); do
    grep -q "Round coordinator started" "$work/site-$i/log" 2>/dev/null && { echo site-$i; return; }
  done
}

reached() { [ "$(committed "$1")" -ge "$2" ]; }
wait_until 120 reached site-1 "$kill_after_round" || { echo "no round $kill_after_round within 120 s" >&2; tail -n 5 "$work"/site-*/log >&2; exit 1; }
victim=$(host_of_coordinator)
[ -n "$victim" ] || { echo "cannot tell which member hosts the coordinator" >&2; exit 1; }
# Kill as soon as the next round has started, before it commits.
next=$(( $(committed site-1) + 1 ))
wait_until 60 grep -q "Starting round $next " "$work/$victim/log" || { echo "round $next did not start" >&2; exit 1; }
kill -s "$signal" "${pid[$victim]}"
kill_ms=$(now_ms)
victim_pid=${pid[$victim]}
unset "pid[$victim]"
echo "Stopped $victim (coordinator host) with SIG$signal at the start of round $next"
victim_exit=0
wait "$victim_pid" || victim_exit=$?

survivors=()
for i in $(seq 1 $members); do [ "site-$i" = "$victim" ] || survivors+=(site-$i); done
all_done() { for s in "${survivors[@]}"; do [ "$(committed $s)" -ge "$rounds" ] || return 1; done; }
wait_until 300 all_done || echo "not every survivor reached round $rounds" >&2

python3 - "$work" "$victim" "$kill_ms" "$next" "$report" "$signal" "$victim_exit" "${survivors[@]}" <<'PY'
import json, sys, os
work, victim, kill_ms, killed_round, report = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
signal, victim_exit = sys.argv[6], int(sys.argv[7])
survivors = sys.argv[8:]
def journal(site):
    path = os.path.join(work, site, "checkpoints", "commits.jsonl")
    return [json.loads(l) for l in open(path)] if os.path.exists(path) else []
journals = {s: journal(s) for s in survivors + [victim]}
hashes = {}      # round -> set of hashes any member committed or fetched
repeated = set()
for site, entries in journals.items():
    seen = set()
    for e in entries:
        hashes.setdefault(e["round"], set()).add(e["hash"])
        if e["round"] in seen:
            repeated.add(e["round"])
        seen.add(e["round"])
repeated |= {r for r, h in hashes.items() if len(h) > 1}
committed = max((e["round"] for s in survivors for e in journals[s]), default=0)
lost = [r for r in range(1, committed + 1) if r not in hashes]
finals = {s: (journals[s][-1]["round"], journals[s][-1]["hash"]) if journals[s] else None for s in survivors}
after = [e["at_ms"] for s in survivors for e in journals[s] if e["source"] == "commit" and e["at_ms"] > kill_ms]
# The first commit of a round the stopped member does not hold: after a graceful stop the round in flight may still
# commit with it (its leave waits for it), so the first commit after the signal can be that round's.
victim_last = journals[victim][-1]["round"] if journals[victim] else 0
later = [e["at_ms"] for s in survivors for e in journals[s] if e["source"] == "commit" and e["round"] > victim_last]
# When the singleton started again on a survivor (its log line, same day as the signal).
import datetime
day = datetime.datetime.fromtimestamp(kill_ms / 1000).strftime("%Y-%m-%d")
restarts = []
for s in survivors:
    for line in open(os.path.join(work, s, "log"), errors="replace"):
        if "Round coordinator started" in line:
            t = datetime.datetime.strptime(day + " " + line[:12], "%Y-%m-%d %H:%M:%S.%f").timestamp() * 1000
            if t > kill_ms:
                restarts.append(t)
# What the consortium felt: the longest wait between consecutive commits (on the first survivor) that ends after the
# signal and starts within a minute of it; for comparison, the median wait over its whole journal.
times = [e["at_ms"] for e in journals[survivors[0]] if e["source"] == "commit"]
gaps = [(b - a) / 1000 for a, b in zip(times, times[1:])]
around = [(b - a) / 1000 for a, b in zip(times, times[1:]) if b > kill_ms and a < kill_ms + 60000]
result = {
    "committed_rounds": committed,
    "lost_rounds": len(lost),
    "repeated_rounds": len(repeated),
    "final_hashes_agree": len(set(finals.values())) == 1 and None not in finals.values(),
    "seconds_from_kill_to_next_commit": (min(after) - kill_ms) / 1000 if after else None,
    "seconds_from_kill_to_coordinator_on_next_member": round((min(restarts) - kill_ms) / 1000, 3) if restarts else None,
    "seconds_from_kill_to_first_commit_of_a_round_it_does_not_hold": (min(later) - kill_ms) / 1000 if later else None,
    "longest_wait_between_commits_after_kill": max(around) if around else None,
    "median_wait_between_commits": sorted(gaps)[len(gaps) // 2] if gaps else None,
    "killed": victim,
    "signal": "SIG" + signal,
    "killed_exit_code": victim_exit,
    "killed_journal_last_round": journals[victim][-1]["round"] if journals[victim] else None,
    "killed_during_round": killed_round,
    "killed_round_committed_before_kill": any(e["round"] == killed_round and e["at_ms"] <= kill_ms
                                              for j in journals.values() for e in j),
    "survivors": survivors,
    "final_rounds": {s: f[0] if f else None for s, f in finals.items()},
    "lost": lost,
    "repeated": sorted(repeated),
    "work_dir": work,
}
text = json.dumps(result, indent=2)
print(text)
if report:
    open(report, "w").write(text + "\n")
sys.exit(0 if result["lost_rounds"] == 0 and result["repeated_rounds"] == 0 and result["final_hashes_agree"] else 1)
PY
