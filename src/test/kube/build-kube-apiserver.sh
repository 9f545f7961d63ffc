#!/usr/bin/env bash
# Builds kube-apiserver v1.20.2 from Debian bookworm's source package "kubernetes" and caches the binary.
#
#   src/test/kube/build-kube-apiserver.sh     # prints the path of the cached binary
#
# The tests in package io.mepsidecar.kube (./mvnw -Pkube verify) run this binary against Debian's etcd.
# The first run installs packages with apt and builds for about 7 minutes on 2 cores; later runs only
# check that the binary and the run-time packages are there. Nothing is written inside the repository.
#
# Environment:
#   MEP_KUBE_CACHE   cache directory (default $HOME/.cache/mep-sidecar); the binary is
#                    $MEP_KUBE_CACHE/kube-apiserver-v1.20.2, the build scratch $MEP_KUBE_CACHE/kube-build
#   MEP_KUBE_KEEP_BUILD=1  keep the build scratch (about 2 GB) after a successful build
set -euo pipefail

readonly KUBE_VERSION=v1.20.2
readonly CACHE_DIR="${MEP_KUBE_CACHE:-$HOME/.cache/mep-sidecar}"
readonly BINARY="$CACHE_DIR/kube-apiserver-$KUBE_VERSION"
readonly BUILD_DIR="$CACHE_DIR/kube-build"
readonly GO=/usr/lib/go-1.19/bin/go
readonly RUNTIME_PACKAGES=(etcd-server openssl)
readonly BUILD_PACKAGES=(dpkg-dev golang-1.19-go rsync jq make
  golang-github-modern-go-reflect2-dev golang-github-json-iterator-go-dev)
readonly DEB_SRC_FILE=/etc/apt/sources.list.d/mep-sidecar-deb-src.sources

fail() {
  echo "build-kube-apiserver: $*" >&2
  exit 1
}

log() {
  echo "build-kube-apiserver: $*" >&2
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    fail "needs root (or sudo) to run: $*"
  fi
}

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
  done
}

apt_updated=false
apt_update() {
  if [ "$apt_updated" = false ]; then
    as_root apt-get update -qq || fail "apt-get update failed"
    apt_updated=true
  fi
}

install_packages() {
  local missing
  missing=$(missing_packages "$@")
  [ -z "$missing" ] && return 0
  log "installing with apt: $missing"
  apt_update
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2 \
    || fail "apt-get install failed for: $missing"
}

has_deb_src() {
  grep -Eqs '^(deb-src[[:space:]]|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources
}

ensure_deb_src() {
  has_deb_src && return 0
  log "adding Debian bookworm source lines in $DEB_SRC_FILE"
  as_root tee "$DEB_SRC_FILE" >/dev/null <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  apt_updated=false
}

# Unpacks the source package into $BUILD_DIR and prints its directory.
fetch_source() {
  local src
  src=$(find "$BUILD_DIR/source" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes-*' 2>/dev/null | head -n 1)
  if [ -n "$src" ]; then
    echo "$src"
    return 0
  fi
  ensure_deb_src
  apt_update
  # unpacked beside, then moved in place: an interrupted download is never taken for a source tree
  rm -rf "$BUILD_DIR/source" "$BUILD_DIR/source.partial"
  mkdir -p "$BUILD_DIR/source.partial"
  log "downloading the Debian source package kubernetes"
  (cd "$BUILD_DIR/source.partial" && apt-get source -qq kubernetes >&2) \
    || fail "apt-get source kubernetes failed (is there a deb-src line for bookworm?)"
  mv "$BUILD_DIR/source.partial" "$BUILD_DIR/source"
  src=$(find "$BUILD_DIR/source" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes-*' | head -n 1)
  [ -n "$src" ] || fail "apt-get source kubernetes left no kubernetes-* directory in $BUILD_DIR/source"
  grep -q "${KUBE_VERSION#v}" <<<"$src" || fail "expected Kubernetes ${KUBE_VERSION#v}, got $(basename "$src")"
  echo "$src"
}

# Lays the source out as $GOPATH/src/k8s.io/kubernetes and prints that directory.
gopath_layout() {
  local src=$1 dest="$BUILD_DIR/gopath/src/k8s.io/kubernetes"
  mkdir -p "$dest"
  rsync -a --delete --exclude=/debian --exclude=/.pc "$src/" "$dest/"
  echo "$dest"
}

# The vendored reflect2 and json-iterator crash at run time when built with Go 1.19; Debian's copies do not.
replace_vendored() {
  local tree=$1 pkg
  for pkg in github.com/modern-go/reflect2 github.com/json-iterator/go; do
    [ -d "/usr/share/gocode/src/$pkg" ] || fail "missing /usr/share/gocode/src/$pkg (Debian golang-*-dev package)"
    rm -rf "${tree:?}/vendor/$pkg"
    mkdir -p "$tree/vendor/$pkg"
    rsync -a --exclude='*_test.go' "/usr/share/gocode/src/$pkg/" "$tree/vendor/$pkg/"
  done
}

build() {
  local src tree
  install_packages "${BUILD_PACKAGES[@]}"
  [ -x "$GO" ] || fail "no Go toolchain at $GO (package golang-1.19-go)"
  src=$(fetch_source)
  tree=$(gopath_layout "$src")
  replace_vendored "$tree"
  export GOPATH="$BUILD_DIR/gopath" GO111MODULE=off CGO_ENABLED=0
  export GOCACHE="$BUILD_DIR/go-cache" PATH="${GO%/go}:$PATH"
  log "generating the OpenAPI definitions (make gen_openapi)"
  (cd "$tree" && nice -n 10 make gen_openapi >&2) || fail "make gen_openapi failed"
  log "building kube-apiserver $KUBE_VERSION (about 7 minutes on 2 cores)"
  local ldflags="-s -w" pkg minor=${KUBE_VERSION#v1.}
  # GOPATH mode: the version packages are known by their vendor path
  for pkg in component-base/version client-go/pkg/version; do
    pkg="k8s.io/kubernetes/vendor/k8s.io/$pkg"
    ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor%%.*}"
    ldflags+=" -X $pkg.gitTreeState=clean"
  done
  (cd "$tree" && nice -n 10 go build -o "$BINARY.tmp" -ldflags "$ldflags" k8s.io/kubernetes/cmd/kube-apiserver >&2) \
    || fail "go build of kube-apiserver failed (scratch kept in $BUILD_DIR)"
  [ "$("$BINARY.tmp" --version)" = "Kubernetes $KUBE_VERSION" ] \
    || fail "the built kube-apiserver does not run or reports another version: $("$BINARY.tmp" --version 2>&1)"
  mv "$BINARY.tmp" "$BINARY"
  if [ "${MEP_KUBE_KEEP_BUILD:-0}" != 1 ]; then
    chmod -R u+w "$BUILD_DIR" && rm -rf "$BUILD_DIR"
  fi
}

main() {
  mkdir -p "$CACHE_DIR"
  # one build at a time per cache, e.g. two test runs started together
  exec 9>"$CACHE_DIR/.kube-apiserver.lock"
  flock 9 || fail "cannot lock $CACHE_DIR/.kube-apiserver.lock"
  install_packages "${RUNTIME_PACKAGES[@]}"
  [ -x "$BINARY" ] || build
  "$BINARY" --version >/dev/null 2>&1 || fail "$BINARY does not run; delete it and run this script again"
  echo "$BINARY"
}

main "$@"
