#!/usr/bin/env bash
# Cluster benchmark (§8): starts redis-server on a free port and NODES presence-server release
# nodes sharing it (cluster config, generous [limits] as presence-bench's own config), runs
# presence-bench against them, and stops everything by PID on exit.
#
#   scripts/bench-cluster.sh smoke                 # 2 nodes, small cross-node relay/signal/churn: correctness only (CI)
#   scripts/bench-cluster.sh relay  [bench args]   # visitors on node 0, agents on node 1
#   scripts/bench-cluster.sh signal [bench args]   # visitors on node 0, agents on node 1
#   scripts/bench-cluster.sh churn  [bench args]   # visitors on node 0, agents on node 1
#   NODES=5 scripts/bench-cluster.sh idle -n 95000 --hold 30   # visitors spread over every node
#
# Every scenario is given --redis, so the report carries Redis commands and bytes per update /
# delivery / signal / navigation (INFO commandstats + INFO stats around the timed part). The script
# also prints whole-run Redis deltas read with redis-cli. Reports land in $OUT (default
# target/bench-cluster). NO_BUILD=1 skips the build; GRACE (default 5) and KEEPALIVE (default 25)
# set the nodes' timings.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"

mode=${1:?usage: bench-cluster.sh smoke|idle|relay|signal|churn [presence-bench args]}
shift
NODES=${NODES:-2}
GRACE=${GRACE:-5}
KEEPALIVE=${KEEPALIVE:-25}
OUT=${OUT:-target/bench-cluster}
[[ $mode == smoke ]] && GRACE=${SMOKE_GRACE:-1}
((NODES >= 2)) || { echo "bench-cluster: NODES must be at least 2" >&2; exit 2; }

if [[ -z ${NO_BUILD:-} ]]; then
    cargo build --release --locked -p presence-server -p presence-bench
fi
bench=target/release/presence-bench
server=target/release/presence-server
mkdir -p "$OUT"
dir=$(mktemp -d "${TMPDIR:-/tmp}/presence-bench-cluster.XXXXXX")

pids=()
cleanup() {
    local rc=$?
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$dir"
    exit "$rc"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --loglevel warning >"$dir/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$redis_port" ping >/dev/null

secret="bench-cluster-secret-$RANDOM$RANDOM"
api_key="bench-cluster-key-$RANDOM$RANDOM"
group=12345
urls=()
node_pids=()
for i in $(seq 0 $((NODES - 1))); do
    cat >"$dir/node$i.toml" <<EOF
listen = "127.0.0.1:0"
jwt_secret = "$secret"

[timings]
keepalive = $KEEPALIVE
grace = $GRACE
hold = $GRACE

[limits]
rate = 1000.0
burst = 2000.0
# All the tool's agents share one token: lift the per-token socket cap (32 by default).
agent_sockets_per_token = 1000000

[[groups]]
id = $group
api_key = "$api_key"
allow_no_origin = true        # the bench tool's agents send no Origin

[cluster]
redis_url = "redis://127.0.0.1:$redis_port"
node_name = "bench-n$i"
EOF
    RUST_LOG=${PRESENCE_BENCH_SERVER_LOG:-warn} "$server" --config "$dir/node$i.toml" --addr-file "$dir/node$i.addr" \
        >"$dir/node$i.log" 2>&1 </dev/null &
    pids+=($!)
    node_pids+=($!)
done
for i in $(seq 0 $((NODES - 1))); do
    for _ in $(seq 200); do [[ -s $dir/node$i.addr ]] && break; sleep 0.1; done
    [[ -s $dir/node$i.addr ]] || { echo "node $i did not start:" >&2; cat "$dir/node$i.log" >&2; exit 2; }
    urls+=("http://$(tr -d '[:space:]' <"$dir/node$i.addr")")
done
echo "bench-cluster: redis 127.0.0.1:$redis_port (pid ${pids[0]}), nodes ${urls[*]} (pids ${node_pids[*]})"

# Whole-run Redis figures with redis-cli (the tool reports the timed part alone).
redis_snapshot() {
    { redis-cli -p "$redis_port" INFO commandstats; redis-cli -p "$redis_port" INFO stats; } | tr -d '\r' >"$1"
}
redis_delta() { # before after
    python3 - "$1" "$2" <<'PY'
import re, sys
def load(p):
    calls, stats = {}, {}
    for line in open(p):
        m = re.match(r"cmdstat_([^:]+):calls=(\d+)", line)
        if m: calls[m.group(1)] = int(m.group(2))
        m = re.match(r"(total_net_input_bytes|total_net_output_bytes|total_commands_processed):(\d+)", line)
        if m: stats[m.group(1)] = int(m.group(2))
    return calls, stats
(c0, s0), (c1, s1) = load(sys.argv[1]), load(sys.argv[2])
d = {k: v - c0.get(k, 0) for k, v in c1.items() if k != "info" and v - c0.get(k, 0) > 0}
print("redis whole run (connect + timed part + close): %d commands, %d B in, %d B out" % (
    sum(d.values()), s1["total_net_input_bytes"] - s0["total_net_input_bytes"],
    s1["total_net_output_bytes"] - s0["total_net_output_bytes"]))
print("  " + ", ".join("%s %d" % kv for kv in sorted(d.items(), key=lambda kv: -kv[1])))
PY
}

common=(--url "${urls[0]}" --server-pid "${node_pids[0]}" --api-key "$api_key" --group "$group"
    --redis "redis://127.0.0.1:$redis_port" --grace "$GRACE" --keepalive "$KEEPALIVE")
cross=(--agent-url "${urls[1]}" --agent-server-pid "${node_pids[1]}")

failed=0
run() { # name scenario args...
    local name=$1
    shift
    printf '\n--- bench cluster: %s ---\n' "$name"
    redis_snapshot "$dir/before"
    if ! "$bench" "$@" --json "$OUT/$name.json"; then
        echo "bench cluster: $name FAILED" >&2
        failed=$((failed + 1))
    fi
    redis_snapshot "$dir/after"
    redis_delta "$dir/before" "$dir/after"
}

case $mode in
    smoke)
        run cluster-relay  relay  "${common[@]}" "${cross[@]}" --visitors 50 --agents-per-visitor 4 --rate 500 --duration 3 --warmup 0
        run cluster-signal signal "${common[@]}" "${cross[@]}" --visitors 300 --agents 30 --rate 300 --duration 3 --warmup 0
        run cluster-churn  churn  "${common[@]}" "${cross[@]}" --visitors 60 --agents-per-visitor 1 --period 1 --gap-ms 50 --duration 4
        ;;
    relay | signal | churn)
        run "cluster-$mode" "$mode" "${common[@]}" "${cross[@]}" "$@"
        ;;
    idle)
        also=()
        for i in $(seq 1 $((NODES - 1))); do also+=(--also-url "${urls[$i]}" --also-server-pid "${node_pids[$i]}"); done
        run "cluster-idle-$NODES" idle "${common[@]}" "${also[@]}" "$@"
        ;;
    *)
        echo "bench-cluster: unknown mode $mode" >&2
        exit 2
        ;;
esac

if [[ $failed -ne 0 ]]; then
    echo "bench cluster: $failed run(s) failed (node logs: see above; rerun with PRESENCE_BENCH_SERVER_LOG=info)" >&2
    for i in $(seq 0 $((NODES - 1))); do tail -5 "$dir/node$i.log" >&2; done
    exit 1
fi
echo "bench-cluster: $mode passed"
