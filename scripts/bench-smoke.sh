#!/usr/bin/env bash
# Smoke run of every benchmark scenario with small N, against a server the tool starts itself.
# Asserts correctness only (no lost or duplicated deliveries, no visitorconn flaps, every signal
# acked, every connection opened and kept), never speed: presence-bench exits 1 when a check
# fails, 2 when a run cannot be made. Reports land in target/bench-smoke/*.json. Then a cross-node
# smoke (scripts/bench-cluster.sh smoke: redis-server + 2 nodes, agents on the other node).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --release --locked -p presence-server -p presence-bench
bench=target/release/presence-bench
out=target/bench-smoke
mkdir -p "$out"

failed=0
run() {
    local name=$1
    shift
    printf '\n--- bench smoke: %s ---\n' "$name"
    if ! "$bench" "$@" --json "$out/$name.json"; then
        echo "bench smoke: $name FAILED" >&2
        failed=$((failed + 1))
    fi
}

# Short timings keep the run under a minute; --grace 1 makes churn's flap check cheap to wait for.
run idle   idle   --connections 300 --hold 3
run relay  relay  --visitors 50 --agents-per-visitor 4 --rate 500 --duration 3 --warmup 0
run signal signal --visitors 300 --agents 30 --rate 300 --duration 3 --warmup 0
run churn  churn  --visitors 60 --agents-per-visitor 1 --period 1 --gap-ms 50 --duration 4 --grace 1
# Webhooks: every custom event becomes a signed POST to the tool's own receiver (loopback, so the
# endpoint is allowed explicitly); each must arrive once with a valid signature.
run webhooks webhooks --visitors 20 --rate 500 --duration 3 --warmup 0
# Soak (§7), 60 s: visitors arriving, navigating, signalled and leaving; every signal delivered
# once across the navigations, and the server's memory and open files sampled (figures only).
run soak   soak   --visitors 40 --duration 60 --sample-every 10

# Cross-node (§8): redis-server + 2 nodes; visitors on node 0, agents on node 1, so every
# delivery, signal and visitorsock/visitorconn frame crosses nodes through Redis (relay, signal,
# churn, small N, correctness only). Needs redis-server (scripts/install.sh).
printf '\n--- bench smoke: cluster (2 nodes + redis) ---\n'
if ! NO_BUILD=1 OUT="$out" scripts/bench-cluster.sh smoke; then
    echo "bench smoke: cluster FAILED" >&2
    failed=$((failed + 1))
fi

if [[ $failed -ne 0 ]]; then
    echo "bench smoke: $failed scenario(s) failed" >&2
    exit 1
fi
echo "bench-smoke: 7 passed (idle, relay, signal, churn, webhooks, soak, cross-node), 0 failed"
