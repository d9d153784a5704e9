#!/usr/bin/env bash
# Renders deploy/nginx.conf.template.
#   scripts/render-nginx.sh PREFIX LISTEN NODE... > nginx.conf
# e.g. scripts/render-nginx.sh /var/lib/presence-nginx 0.0.0.0:80 10.0.0.1:8080 10.0.0.2:8080
set -euo pipefail
[[ $# -ge 3 ]] || { echo "usage: $0 PREFIX LISTEN NODE..." >&2; exit 2; }
prefix=$1 listen=$2
shift 2
upstreams=""
for node in "$@"; do
    upstreams+="server $node max_fails=1 fail_timeout=2s; "
done
template="$(dirname "${BASH_SOURCE[0]}")/../deploy/nginx.conf.template"
sed -e "s|@PREFIX@|$prefix|g" -e "s|@LISTEN@|$listen|g" -e "s|@UPSTREAMS@|$upstreams|g" "$template"
