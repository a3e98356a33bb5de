#!/usr/bin/env bash
# Random chaos: N consortium members as separate processes on 127.0.0.1, each under a supervisor loop that starts
# it again when it exits with a failure code or is killed (as systemd's Restart=on-failure would). At random
# (seeded) times it SIGKILLs or SIGSTOPs (SIGCONT after a random pause) random members, the coordinator's host
# included, sometimes two at once but never more than a minority at a time. Then it lets the consortium finish its
# rounds and checks every member's commit journal: no round lost (committed by nobody), repeated (twice in one
# journal) or forked (two hashes for one round), every member at the last round with the same hash, and no
# restarted member that formed a cluster of its own (an island).
#
# Usage: deploy/chaos/random-chaos.sh [--seed S] [--members N] [--events E | --duration SECONDS] [--rounds R]
#                                     [--gaps MIN,MAX] [--scenario random|first-seed|all-restart] [--report FILE.json]
#   --seed      seeds the plan: times, victims, kill or stop, pauses (default 1)
#   --members   consortium size, at least 3 (default 5)
#   --events    events to inject (default 6), each at a random round and moment of the training; an event
#               disturbs one member, sometimes two; --duration: inject for this many seconds instead
#   --rounds    rounds the consortium trains (default 60); injection stops two rounds before the end
#   --gaps      with --duration, seconds between events, drawn uniformly from MIN to MAX (default 4,20)
#   --scenario  first-seed: no random plan; kill the first seed node, restart it promptly while the others are
#               frozen for 2 s (a loaded machine that does not answer within seed-node-timeout, here 500 ms), and
#               check that it rejoins the others instead of starting a cluster alone (its start is held until
#               the others have removed the killed incarnation, so that the freeze does not make them down everyone)
#               all-restart: no random plan; kill every member at once; they must form the consortium again (the
#               first seed node after restart-join-timeout, here 20 s) and finish
# Writes a JSON report (events, rounds committed, lost/repeated/forked counts, final_hashes_agree, islands,
# seconds, violations) to stdout and FILE; exits 1 on any violation, 2 on a usage or set-up error. Every process
# it starts is stopped on exit; the work directory (each member's logs, one per start, and journal) is kept and
# named in the report. Environment: FEDMESH_JAVA (java), CHAOS_JAVA_OPTS (extra member JVM options), CHAOS_WORK
# (work directory, default a new temporary one), CHAOS_FINISH_TIMEOUT (seconds to finish after the chaos, 300).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
jar=$root/deploy/target/fedmesh.jar
java=${FEDMESH_JAVA:-java}

seed=1 members=5 events=6 duration=0 rounds=60 scenario=random report="" gaps=4,20
while [ $# -gt 0 ]; do
  case $1 in
    --seed) seed=$2; shift 2 ;;
    --members) members=$2; shift 2 ;;
    --events) events=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --gaps) gaps=$2; shift 2 ;;
    --scenario) scenario=$2; shift 2 ;;
    --report) report=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$members" -ge 3 ] || { echo "--members must be at least 3" >&2; exit 2; }
[[ $gaps =~ ^([0-9]+),([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -le "${BASH_REMATCH[2]}" ] \
  || { echo "--gaps is MIN,MAX in seconds" >&2; exit 2; }
gap_min_ms=$(( BASH_REMATCH[1] * 1000 )) gap_span_ms=$(( (BASH_REMATCH[2] - BASH_REMATCH[1]) * 1000 + 1 ))
case $scenario in random|first-seed|all-restart) ;; *) echo "--scenario is random, first-seed or all-restart" >&2; exit 2 ;; esac
[ -f "$jar" ] || { echo "no $jar: build it first (mvn -B -DskipTests package)" >&2; exit 2; }
RANDOM=$seed
max_disturbed=$(( (members - 1) / 2 ))   # a minority: the others keep a majority and go on training
finish_timeout=${CHAOS_FINISH_TIMEOUT:-300}

work=${CHAOS_WORK:-$(mktemp -d -t fedmesh-random-chaos.XXXXXX)}
mkdir -p "$work"
sites=(); for i in $(seq 1 "$members"); do sites+=(site-$i); done
supervisors=()
cleanup() {
  touch "$work/stop"
  # Until every supervisor has seen the stop file, one may be starting its member again: sweep a few times.
  for _ in $(seq 1 20); do
    for s in "${sites[@]}"; do
      if [ -f "$work/$s/pid" ]; then
        read -r p _ <"$work/$s/pid" || true
        kill -CONT "$p" 2>/dev/null || true
        kill -9 "$p" 2>/dev/null || true
      fi
    done
    alive=0
    for sp in "${supervisors[@]}"; do kill -0 "$sp" 2>/dev/null && alive=1; done
    [ $alive = 1 ] || break
    sleep 0.2
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
now_ms() { date +%s%3N; }
fedmesh() { FEDMESH_NO_RELAUNCH=1 "$java" -jar "$jar" "$@"; }

echo "Working in $work (seed $seed, $members members, scenario $scenario)"
fedmesh ca init --out "$work/ca" --name chaos >/dev/null
fedmesh data split --dataset breast-cancer --parts "$members" --out "$work/data" >/dev/null
ports=($(python3 -c "
import socket
socks=[socket.socket() for _ in range($members)]
for s in socks: s.bind(('127.0.0.1', 0))
print(' '.join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()"))
seeds=$(printf '"127.0.0.1:%s",' "${ports[@]}"); seeds="[${seeds%,}]"
# The first seed forms the cluster after seed-node-timeout without an answer; first-seed makes that window short.
seed_timeout=$([ "$scenario" = first-seed ] && echo 500ms || echo 5s)
restart_join_timeout=$([ "$scenario" = all-restart ] && echo 20s || echo 60s)

# Pekko's membership lines (joins, islands, downing, singleton hand-over) are what the checks read.
sed -e 's#<logger name="org.apache.pekko" level="WARN"/>#&\n  <logger name="org.apache.pekko.cluster.Cluster" level="INFO"/>\n  <logger name="org.apache.pekko.cluster.singleton.ClusterSingletonManager" level="INFO"/>\n  <logger name="org.apache.pekko.cluster.sbr.SplitBrainResolver" level="INFO"/>#' \
  "$root/deploy/src/main/resources/logback.xml" >"$work/logback.xml"
grep -q ClusterSingletonManager "$work/logback.xml" || { echo "cannot derive the log configuration" >&2; exit 2; }

for i in $(seq 1 "$members"); do
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
  # enough local work that rounds have phases worth hitting
  training { local-epochs = 40, batch-size = 8, optimizer = "sgd:0.02" }
  data { path = "$work/data/part-$i.csv", classes = ["benign", "malignant"], test-fraction = 0.2 }
  identity { key = "$work/$site/identity/node.key", certificate = "$work/$site/identity/node.crt", ca = "$work/$site/identity/ca.crt" }
  checkpoint-dir = "$work/$site/checkpoints"
  coordinator.min-participants = 3
  restart-join-timeout = $restart_join_timeout
}
pekko.cluster.seed-node-timeout = $seed_timeout
CONF
done

# One supervisor per member: start it, wait, record the exit, start it again after a second unless it exited 0
# or the run is over. Each start logs to its own file (log.1, log.2, ...); pid holds "PID START".
supervise() {
  local site=$1 n=0 child rc
  trap - EXIT INT TERM
  while [ ! -f "$work/stop" ]; do
    n=$((n + 1))
    # shellcheck disable=SC2086 # CHAOS_JAVA_OPTS holds several options
    FEDMESH_NO_RELAUNCH=1 "$java" -XX:+UseSerialGC -Xmx512m ${CHAOS_JAVA_OPTS:-} \
      -Dlogback.configurationFile="$work/logback.xml" -jar "$jar" run --config "$work/$site/site.conf" \
      >"$work/$site/log.$n" 2>&1 &
    child=$!
    echo "$child $n" >"$work/$site/pid"
    rc=0; wait "$child" || rc=$?
    echo "$(now_ms) $n $rc" >>"$work/$site/exits"
    [ "$rc" != 0 ] || break
    sleep 1
  done
}
start_member() {
  supervise "$1" 2>>"$work/$1/supervisor.err" &   # bash reports its killed children there
  supervisors+=($!)
}

pid_of() { local p; read -r p _ <"$work/$1/pid"; echo "$p"; }
log_of() { local _p n; read -r _p n <"$work/$1/pid"; echo "$work/$1/log.$n"; }
committed() { # highest round in a member's journal
  local j="$work/$1/checkpoints/commits.jsonl"
  if [ -s "$j" ]; then tail -1 "$j" | sed -n 's/.*"round":\([0-9]*\).*/\1/p'; else echo 0; fi
}
max_committed() { local m=0 c; for s in "${sites[@]}"; do c=$(committed "$s"); [ "${c:-0}" -gt $m ] && m=$c; done; echo $m; }
min_committed() { local m=999999999 c; for s in "${sites[@]}"; do c=$(committed "$s"); [ "${c:-0}" -lt $m ] && m=${c:-0}; done; echo $m; }
wait_until() { # wait_until SECONDS COMMAND...
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}
joined() { # the member's current start is Up in a cluster (the isolation watch says so)
  [ -f "$work/$1/pid" ] && grep -q "This member is Up" "$(log_of "$1")" 2>/dev/null
}
declare -A paused_until settle_until
for s in "${sites[@]}"; do paused_until[$s]=0; settle_until[$s]=0; done
healthy() { # running, not frozen by us, settled after a resume, joined
  local s=$1
  [ "${paused_until[$s]}" = 0 ] && [ "$(now_ms)" -ge "${settle_until[$s]}" ] && kill -0 "$(pid_of "$s")" 2>/dev/null \
    && joined "$s"
}
healthy_sites() { for s in "${sites[@]}"; do healthy "$s" && echo "$s"; done; return 0; }
all_healthy() { [ "$(healthy_sites | wc -l)" -eq "$members" ]; }
coordinator_host() { # the running member that most recently started the coordinator singleton
  local s best="" best_t="" t
  for s in "${sites[@]}"; do
    kill -0 "$(pid_of "$s")" 2>/dev/null || continue
    t=$(grep -h "Singleton manager starting singleton actor\|Round coordinator started" "$(log_of "$s")" 2>/dev/null \
      | tail -1 | cut -c1-12)
    [ -n "$t" ] && [[ -z "$best_t" || "$t" > "$best_t" ]] && { best=$s; best_t=$t; }
  done
  echo "$best"
}
phase() { # what the coordinator last said: the phase a disturbance lands in
  local host line
  host=$(coordinator_host)
  [ -n "$host" ] || { echo "no-coordinator"; return; }
  line=$(grep -h "Starting round\|agree on\|Committed round\|Paused\|goes on without\|Completing\|Training complete" \
    "$(log_of "$host")" 2>/dev/null | grep -v "Participant\|Caught up" | tail -1 || true)
  case $line in
    *"Training complete"*) echo "finished" ;;
    *"Committed round"*) echo "between-rounds" ;;
    *"agree on"*) echo "committing" ;;
    *"Starting round"*|*"Completing"*|*"goes on without"*) echo "in-round" ;;
    *Paused*) echo "paused" ;;
    *) echo "unknown" ;;
  esac
}
t_start=$(now_ms)
record() { # record ACTION SITE [PAUSE_MS] : one JSON line per disturbance or resume
  local at; at=$(( $(now_ms) - t_start ))
  printf '{"at_ms":%d,"action":"%s","site":"%s","coordinator":%s,"pause_ms":%s,"committed_round":%d,"phase":"%s"}\n' \
    "$at" "$1" "$2" "$([ "$2" = "$(coordinator_host)" ] && echo true || echo false)" "${3:-null}" \
    "$(max_committed)" "$(phase)" >>"$work/events.jsonl"
  echo "  +$((at / 1000))s $1 $2${3:+ for ${3} ms}"
}
: >"$work/events.jsonl"

# site-1 first: it forms the cluster and the oldest member hosts the coordinator
start_member site-1
wait_until 120 joined site-1 || { echo "site-1 did not start a cluster" >&2; tail -n 20 "$work/site-1/log.1" >&2; exit 2; }
for s in "${sites[@]:1}"; do start_member "$s"; done
warm() { all_healthy && [ "$(min_committed)" -ge 2 ]; }
wait_until 300 warm || { echo "the consortium did not reach round 2 with every member" >&2; tail -n 5 "$work"/site-*/log.* >&2; exit 2; }
echo "All $members members joined and at round $(min_committed); chaos starts"
t_chaos=$(now_ms) round_at_chaos=$(max_committed)

disturb() { # disturb SITE: SIGKILL it, or SIGSTOP it for a random pause
  local s=$1
  if [ $((RANDOM % 2)) = 0 ]; then
    record kill "$s"
    kill -9 "$(pid_of "$s")" 2>/dev/null || true
    settle_until[$s]=$(( $(now_ms) + 3000 ))   # until the supervisor has started it again
  else
    local pause=$(( 1000 + RANDOM % 14000 ))     # below ~4 s a stall, above it the others down it
    record stop "$s" $pause
    kill -STOP "$(pid_of "$s")" 2>/dev/null || true
    paused_until[$s]=$(( $(now_ms) + pause ))
  fi
}
resume_due() {
  local s
  for s in "${sites[@]}"; do
    if [ "${paused_until[$s]}" != 0 ] && [ "$(now_ms)" -ge "${paused_until[$s]}" ]; then
      kill -CONT "$(pid_of "$s")" 2>/dev/null || true
      paused_until[$s]=0
      settle_until[$s]=$(( $(now_ms) + 15000 ))   # downed while frozen: it exits 3 and restarts within this
      record resume "$s"
    fi
  done
}
any_paused() { for s in "${sites[@]}"; do [ "${paused_until[$s]}" = 0 ] || return 0; done; return 1; }

fired=0 cut_short=false max_seen_disturbed=0 done_events=0 plan=()
random_ms() { echo $(( (RANDOM * 32768 + RANDOM) % ($1 + 1) )); }
if [ "$scenario" = random ]; then
  # --events: each event at a random round of the training left, then a random 0-2 s into it (its phase), so
  # that all of them land while the consortium trains however fast it is. --duration: random gaps of time.
  if [ "$duration" = 0 ]; then
    lo=$(( round_at_chaos + 2 )) hi=$(( rounds - 5 ))
    [ $hi -gt $lo ] || { echo "--rounds $rounds leaves no rounds for the chaos (round $round_at_chaos now)" >&2; exit 2; }
    for _ in $(seq 1 "$events"); do plan+=($(( lo + RANDOM % (hi - lo + 1) ))); done
    mapfile -t plan < <(printf '%s\n' "${plan[@]}" | sort -n)
    echo "Planned rounds: ${plan[*]}"
  fi
  next=$(( $(now_ms) + gap_min_ms + $(random_ms $gap_span_ms) )) reached_at=0
  due() { # is the next planned disturbance due?
    if [ "$duration" -gt 0 ]; then [ "$(now_ms)" -ge $next ]; return; fi
    if [ $reached_at = 0 ] && [ "$(max_committed)" -ge "${plan[$done_events]}" ]; then
      reached_at=$(now_ms); next=$(( reached_at + $(random_ms 2000) ))
    fi
    [ $reached_at != 0 ] && [ "$(now_ms)" -ge $next ]
  }
  while :; do
    resume_due
    elapsed=$(( ($(now_ms) - t_chaos) / 1000 ))
    if { [ "$duration" -gt 0 ] && [ "$elapsed" -ge "$duration" ]; } || { [ "$duration" = 0 ] && [ $done_events -ge "$events" ]; }; then
      any_paused || break
    elif [ "$(max_committed)" -ge $(( rounds - 2 )) ]; then
      cut_short=true; any_paused || break   # the training is ending: what is left of the plan is dropped
    elif due; then
      mapfile -t ok < <(healthy_sites)
      disturbed=$(( members - ${#ok[@]} ))
      budget=$(( max_disturbed - disturbed ))
      if [ $budget -ge 1 ]; then
        count=$([ $budget -ge 2 ] && [ $((RANDOM % 4)) = 0 ] && echo 2 || echo 1)   # sometimes two at once
        host=$(coordinator_host)
        chosen=()
        for _ in $(seq 1 $count); do
          if [ -n "$host" ] && [ $((RANDOM % 5)) -lt 2 ] && [[ " ${ok[*]} " == *" $host "* ]] && [[ " ${chosen[*]} " != *" $host "* ]]; then
            pick=$host
          else
            cand=(); for s in "${ok[@]}"; do [[ " ${chosen[*]} " == *" $s "* ]] || cand+=("$s"); done
            [ ${#cand[@]} -gt 0 ] || break
            pick=${cand[$((RANDOM % ${#cand[@]}))]}
          fi
          chosen+=("$pick")
        done
        for s in "${chosen[@]}"; do disturb "$s"; done
        fired=$((fired + ${#chosen[@]})) done_events=$((done_events + 1)) reached_at=0
        [ $((disturbed + ${#chosen[@]})) -le $max_seen_disturbed ] || max_seen_disturbed=$((disturbed + ${#chosen[@]}))
        next=$(( $(now_ms) + gap_min_ms + $(random_ms $gap_span_ms) ))
      fi   # else a minority is already down: the event waits until it is back
    fi
    sleep 0.1
  done
elif [ "$scenario" = all-restart ]; then
  # all-restart: every member killed at once, as by a power cut; the supervisors start them all again.
  wait_until 120 eval '[ "$(min_committed)" -ge 3 ]' || { echo "round 3 not reached" >&2; exit 2; }
  victims=(); for s in "${sites[@]}"; do victims+=("$(pid_of "$s")"); done
  kill -9 "${victims[@]}"
  for s in "${sites[@]}"; do record kill "$s"; done
  fired=$members max_seen_disturbed=$members max_disturbed=$members done_events=1
  wait_until 300 all_healthy || echo "the members did not all come back Up within 300 s" >&2
  record all-up site-1
else
  # first-seed: kill the first seed node in a round; restart it at once while the others do not answer.
  wait_until 120 eval '[ "$(min_committed)" -ge 3 ]' || { echo "round 3 not reached" >&2; exit 2; }
  read -r _ before <"$work/site-1/pid"
  record kill site-1
  kill -9 "$(pid_of site-1)"
  fired=1 max_seen_disturbed=1 done_events=1
  restarted() { local _p n; read -r _p n <"$work/site-1/pid"; [ "$n" -gt "$before" ] && grep -q "Starting up" "$work/site-1/log.$n"; }
  wait_until 120 restarted || { echo "site-1 was not started again" >&2; exit 2; }
  # Hold its cluster start until the others have removed the killed incarnation: freezing them while that is
  # pending would make their split brain resolvers see a long instability and down everyone (DownAll).
  kill -STOP "$(pid_of site-1)"
  record hold-restart site-1
  removed() { grep -q "is removing unreachable node \[pekko://fedmesh@127.0.0.1:${ports[0]}\]" \
    $(for s in "${sites[@]:1}"; do log_of "$s"; done) 2>/dev/null; }
  wait_until 60 removed || echo "the others did not remove the killed site-1 within 60 s" >&2
  sleep 1   # the removal reaches every member
  for s in "${sites[@]:1}"; do kill -STOP "$(pid_of "$s")"; done
  kill -CONT "$(pid_of site-1)"
  record freeze-others site-1 2000
  sleep 2   # longer than seed-node-timeout (500 ms) plus its 1 s retry tick: it would have formed a cluster
  for s in "${sites[@]:1}"; do kill -CONT "$(pid_of "$s")"; done
  record thaw-others site-1
fi
t_chaos_end=$(now_ms)
echo "Chaos over after $(( (t_chaos_end - t_chaos) / 1000 )) s ($fired disturbances); waiting for round $rounds everywhere"
done_all() { [ "$(min_committed)" -ge "$rounds" ]; }
wait_until "$finish_timeout" done_all || echo "not every member reached round $rounds within $finish_timeout s" >&2
t_end=$(now_ms)
cleanup
trap - EXIT

python3 - "$work" "$report" "$seed" "$members" "$rounds" "$scenario" "$t_start" "$t_chaos" "$t_chaos_end" "$t_end" \
  "$cut_short" "$max_seen_disturbed" "$max_disturbed" "$round_at_chaos" \
  "$([ "$duration" = 0 ] && [ "$scenario" = random ] && echo "$events" || echo "$done_events")" "$done_events" <<'PY'
import glob, json, os, re, sys
(work, report, seed, members, rounds, scenario, t_start, t_chaos, t_chaos_end, t_end, cut_short, max_seen,
 max_allowed, round_at_chaos, planned, done) = sys.argv[1:]
members, rounds = int(members), int(rounds)
t_start, t_chaos, t_chaos_end, t_end = map(int, (t_start, t_chaos, t_chaos_end, t_end))
sites = [f"site-{i}" for i in range(1, members + 1)]
events = [json.loads(l) for l in open(os.path.join(work, "events.jsonl"))]

journals, torn = {}, []
for s in sites:
    path = os.path.join(work, s, "checkpoints", "commits.jsonl")
    entries = []
    for n, line in enumerate(open(path) if os.path.exists(path) else [], 1):
        try:
            entries.append(json.loads(line))
        except ValueError:
            torn.append(f"{s}:{n}")
    journals[s] = entries

hashes, repeated = {}, set()
for s, entries in journals.items():
    last = 0
    for e in entries:
        hashes.setdefault(e["round"], set()).add(e["hash"])
        if e["round"] <= last:          # again, or backwards: a member adopted a round it had passed
            repeated.add(e["round"])
        last = max(last, e["round"])
forked = sorted(r for r, h in hashes.items() if len(h) > 1)
committed = max(hashes, default=0)
lost = [r for r in range(1, committed + 1) if r not in hashes]
finals = {s: (j[-1]["round"], j[-1]["hash"]) if j else None for s, j in journals.items()}
agree = None not in finals.values() and len(set(finals.values())) == 1

def starts(site):  # the member's logs, one per start, in order
    return sorted(glob.glob(os.path.join(work, site, "log.*")), key=lambda p: int(p.rsplit(".", 1)[1]))
islands, reformed, restarts, exit_codes, rejoined = [], [], {}, {}, {}
for s in sites:
    logs = starts(s)
    restarts[s] = len(logs) - 1
    exits = os.path.join(work, s, "exits")
    exit_codes[s] = [int(l.split()[2]) for l in open(exits)] if os.path.exists(exits) else []
    for n, path in enumerate(logs, 1):
        text = open(path, errors="replace").read()
        if n > 1 and "forming new cluster" in text:
            # After restart-join-timeout without an answer (everyone was down) it is meant to; otherwise an island.
            (reformed if "whole consortium seems to be down" in text else islands).append(f"{s} start {n}")
        if n > 1:
            rejoined.setdefault(s, []).append("Welcome from" in text)

violations = []
if lost: violations.append(f"lost rounds {lost}")
if repeated: violations.append(f"repeated rounds {sorted(repeated)}")
if forked: violations.append(f"forked rounds {forked}")
if not agree: violations.append(f"members end on different models: {finals}")
if any(f is None or f[0] < rounds for f in finals.values()): violations.append(f"not every member reached round {rounds}")
if islands: violations.append(f"restarted members formed a cluster of their own: {islands}")
if torn: violations.append(f"unreadable journal lines {torn}")
if int(max_seen) > int(max_allowed): violations.append("the plan disturbed a majority")  # a bug in this script
result = {
    "scenario": scenario, "seed": int(seed), "members": members, "rounds_target": rounds,
    "events": events, "events_planned": int(planned), "events_fired": int(done), "disturbances": sum(e["action"] in ("kill", "stop") for e in events),
    "kills": sum(e["action"] == "kill" for e in events), "stops": sum(e["action"] == "stop" for e in events),
    "coordinator_hits": sum(e["action"] in ("kill", "stop") and e["coordinator"] for e in events),
    "max_disturbed_at_once": int(max_seen), "chaos_cut_short_by_training_end": cut_short == "true",
    "round_at_chaos_start": int(round_at_chaos), "rounds_committed": committed, "lost_rounds": len(lost), "repeated_rounds": len(repeated),
    "forked_rounds": len(forked), "lost": lost, "repeated": sorted(repeated), "forked": forked,
    "final_hashes_agree": agree, "final_rounds": {s: f[0] if f else None for s, f in finals.items()},
    "final_hash": next(iter(finals.values()))[1] if agree else None,
    "restarts": restarts, "exit_codes": exit_codes, "islands": islands, "reformed_after_everyone_was_down": reformed,
    "restarts_rejoined_existing_cluster": rejoined,
    "seconds": round((t_end - t_start) / 1000, 1), "chaos_seconds": round((t_chaos_end - t_chaos) / 1000, 1),
    "seconds_to_finish_after_chaos": round((t_end - t_chaos_end) / 1000, 1),
    "violations": violations, "work_dir": work,
}
text = json.dumps(result, indent=2)
print(text)
if report:
    open(report, "w").write(text + "\n")
sys.exit(1 if violations else 0)
PY
