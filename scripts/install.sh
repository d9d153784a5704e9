#!/usr/bin/env bash
# Installs everything the build and the tests need on a Debian machine (run as root, no sudo).
#
# Idempotent: each step first checks whether its tool is already there, so a second run does no
# network access and finishes in about a second. Safe to call from CI before every run.
#
#   apt:    chromium chromium-driver binaryen redis-server nginx zopfli
#   rustup: the wasm32-unknown-unknown target
#   cargo:  wasm-pack, and wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock
#           (today 0.2.130, pinned with `=0.2.130` in Cargo.toml; read from the lock below)
#           (the CLI and the library must match or wasm-bindgen refuses the module)
#   apt:    nodejs and npm, when node or npm is missing: scripts/build-module.sh runs node, and
#           installs tools/npm (binaryen's wasm-opt, terser) with npm on first use
#   npm:    tests/e2e's packages, if that folder has a package.json (browsers come from apt, so
#           Playwright's own browser download is skipped), and server/tests/webhooks' (the
#           webhook tests' receiver: standardwebhooks)
#
# wasm-pack runs with `--mode no-install` (scripts/build-module.sh): it uses the wasm-bindgen-cli
# installed here and never downloads a tool of its own.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

if [[ -d "$HOME/.cargo/bin" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi

APT_PACKAGES=(chromium chromium-driver binaryen redis-server nginx zopfli)
WASM_TARGET=wasm32-unknown-unknown
E2E_DIR=tests/e2e
# The webhook tests' receiver (verifies deliveries with the standardwebhooks package).
WEBHOOK_RECEIVER_DIR=server/tests/webhooks

log() {
    echo "install.sh: $*"
}

die() {
    echo "install.sh: error: $*" >&2
    exit 1
}

apt_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# Installs the given Debian packages; `apt-get update` runs once per script run, and only when
# something is actually missing.
apt_updated=no
apt_install() {
    [[ $EUID -eq 0 ]] || die "apt packages missing ($*): run as root"
    export DEBIAN_FRONTEND=noninteractive
    if [[ $apt_updated == no ]]; then
        apt-get update -q
        apt_updated=yes
    fi
    apt-get install -y -q "$@"
}

install_apt_packages() {
    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        apt_installed "$pkg" || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        log "apt packages present: ${APT_PACKAGES[*]}"
        return
    fi
    log "installing apt packages: ${missing[*]}"
    apt_install "${missing[@]}"
}

install_wasm_target() {
    command -v rustup >/dev/null || die "rustup not found: install the Rust toolchain first"
    if rustup target list --installed | grep -qx "$WASM_TARGET"; then
        log "rust target present: $WASM_TARGET"
        return
    fi
    log "adding rust target $WASM_TARGET"
    rustup target add "$WASM_TARGET"
}

install_wasm_pack() {
    command -v cargo >/dev/null || die "cargo not found: install the Rust toolchain first"
    if command -v wasm-pack >/dev/null; then
        log "wasm-pack present: $(wasm-pack --version)"
        return
    fi
    log "installing wasm-pack"
    cargo install wasm-pack
}

# The wasm-bindgen version the crate builds with: Cargo.lock's entry, else the `=X` pin in
# Cargo.toml (before the first build there may be no lock file).
wasm_bindgen_version() {
    local version=""
    if [[ -f Cargo.lock ]]; then
        version="$(awk '
            /^\[\[package\]\]/ { in_pkg = 0 }
            /^name = "wasm-bindgen"$/ { in_pkg = 1; next }
            in_pkg && /^version = / { gsub(/"/, "", $3); print $3; exit }
        ' Cargo.lock)"
    fi
    if [[ -z $version ]]; then
        version="$(sed -nE 's/^wasm-bindgen[[:space:]]*=.*"=?([0-9]+\.[0-9]+\.[0-9]+)".*/\1/p' Cargo.toml | head -n1)"
    fi
    [[ -n $version ]] || die "cannot find the wasm-bindgen version in Cargo.lock or Cargo.toml"
    echo "$version"
}

install_wasm_bindgen_cli() {
    local wanted installed=""
    wanted="$(wasm_bindgen_version)"
    if command -v wasm-bindgen >/dev/null; then
        installed="$(wasm-bindgen --version | awk '{ print $2 }')"
    fi
    if [[ $installed == "$wanted" ]]; then
        log "wasm-bindgen-cli present: $wanted"
        return
    fi
    log "installing wasm-bindgen-cli $wanted (found: ${installed:-none})"
    cargo install wasm-bindgen-cli --version "$wanted" --force
}

# node_modules is (re)installed when missing, or when package.json / package-lock.json changed
# since npm last wrote it.
node_modules_current() {
    local dir=$1 stamp="$1/node_modules/.package-lock.json" file
    [[ -f $stamp ]] || return 1
    for file in "$dir/package.json" "$dir/package-lock.json"; do
        if [[ -f $file && $file -nt $stamp ]]; then
            return 1
        fi
    done
}

# The node packages of folder $1 (`npm ci` when it has a lock file).
install_node_packages() {
    local dir=$1
    if [[ ! -f $dir/package.json ]]; then
        log "no $dir/package.json: skipping node packages"
        return
    fi
    if node_modules_current "$dir"; then
        log "node packages present in $dir"
        return
    fi
    if ! command -v npm >/dev/null; then
        log "installing nodejs and npm"
        apt_install nodejs npm
    fi
    log "installing node packages in $dir"
    local npm_cmd=(npm install)
    [[ -f $dir/package-lock.json ]] && npm_cmd=(npm ci)
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "${npm_cmd[@]}" --no-audit --no-fund)
    # npm may write package-lock.json after its stamp (and writes no node_modules at all for a
    # package without dependencies): mark the install as current.
    mkdir -p "$dir/node_modules"
    touch "$dir/node_modules/.package-lock.json"
}

install_node() {
    if command -v node >/dev/null && command -v npm >/dev/null; then
        log "node and npm present: node $(node --version)"
        return
    fi
    log "installing nodejs and npm"
    apt_install nodejs npm
}

install_apt_packages
install_node
install_wasm_target
install_wasm_pack
install_wasm_bindgen_cli
install_node_packages "$E2E_DIR"
install_node_packages "$WEBHOOK_RECEIVER_DIR"
log "done"
