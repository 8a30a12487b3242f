#!/usr/bin/env bash
# Build the real OpenBao server used by the integration tests, once, into a cache outside the repo.
# Prints the path of the binary on stdout; progress goes to stderr.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module_dir="$repo_root/tools/openbao"
# The pinned OpenBao release: v2.4.0 (commit f9407a27fbee). Change it in tools/openbao/go.mod and here together.
openbao_release="2.4.0"
openbao_module_version="$(sed -nE 's#^(require)?[[:space:]]*github.com/openbao/openbao (v[^ ]+).*#\2#p' "$module_dir/go.mod" | head -1)"
if [ -z "$openbao_module_version" ]; then
  echo "build-openbao: tools/openbao/go.mod does not pin github.com/openbao/openbao" >&2
  exit 1
fi

cache_root="${BYBIT_VAULT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bybit-vault}"
# Keyed by the pinned version and the dependency lock, so a bump rebuilds and nothing else does.
lock_digest="$(cat "$module_dir/go.mod" "$module_dir/go.sum" | sha256sum | cut -c1-12)"
target_dir="$cache_root/openbao-$openbao_release-$openbao_module_version-$lock_digest"
target="$target_dir/bao"

if [ -x "$target" ] && "$target" version >/dev/null 2>&1; then
  echo "build-openbao: using cached $target" >&2
  echo "$target"
  exit 0
fi

if [ "${1:-}" = "--cached-only" ]; then
  echo "build-openbao: no cached build at $target (run: bash scripts/build-openbao.sh)" >&2
  exit 4
fi

if ! command -v go >/dev/null 2>&1; then
  echo "build-openbao: no Go toolchain on PATH; cannot build OpenBao (install Go, or set VAULT_BIN to a vault/bao binary)" >&2
  exit 3
fi

echo "build-openbao: building OpenBao $openbao_release ($openbao_module_version) into $target_dir (several minutes the first time)" >&2
mkdir -p "$target_dir"
started=$(date +%s)
(
  cd "$module_dir"
  # -mod=mod: OpenBao's test-only dependencies are not all served, so `go mod tidy` cannot run; the build needs none of them.
  CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath \
    -ldflags "-s -w -X github.com/openbao/openbao/version.fullVersion=$openbao_release" \
    -o "$target.partial" .
)
mv "$target.partial" "$target"
echo "build-openbao: built in $(( $(date +%s) - started ))s: $("$target" version)" >&2
echo "$target"
