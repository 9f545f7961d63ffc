#!/usr/bin/env bash
# Builds the base image of mep-sidecar without a container engine or registry:
#   - a jlink JRE of the host's JDK 17 under /opt/java,
#   - the few Debian packages that JRE and the Kubernetes hooks need (dpkg-deb -x),
#   - /etc/passwd and /etc/group with the user nonroot (65532), /tmp with mode 1777,
# packed as an OCI image with umoci (two layers: system files, JRE) and written as a docker-archive with skopeo.
#
# Usage: build-base.sh OUTPUT_DIR
#   OUTPUT_DIR/base.tar is the result (docker-archive), for jib-core's TarImage.
#   MEP_IMAGE_CACHE (optional): a directory that keeps the result across `mvn clean`; reused while the inputs
#   (this script, the JDK, the package versions) are unchanged.
#   SOURCE_DATE_EPOCH (optional): time stamp of every file and of the image; default 0 (1970-01-01).
# Needs umoci, skopeo, jlink, dpkg-deb and apt-get; installs the missing ones when run as root.
set -euo pipefail

out_dir=${1:?usage: build-base.sh OUTPUT_DIR}
cache_dir=${MEP_IMAGE_CACHE:-$out_dir}
epoch=${SOURCE_DATE_EPOCH:-0}
java_home=${JAVA_HOME_17:-$(dirname "$(dirname "$(readlink -f "$(command -v jlink || echo /usr/bin/jlink)")")")}

# Modules the sidecar and the injector use (jdeps of target/quarkus-app plus the JDK services they load at run time):
# TLS, SASL and Kerberos to brokers; JMX and JVM metrics; the injector's HTTPS server.
jre_modules=java.base,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.security.sasl
jre_modules+=,java.sql,java.xml,jdk.crypto.cryptoki,jdk.crypto.ec,jdk.httpserver,jdk.management,jdk.security.auth
jre_modules+=,jdk.unsupported,jdk.zipfs
packages=(libc6 libgcc-s1 libstdc++6 zlib1g busybox-static ca-certificates)

fail() { echo "build-base.sh: $*" >&2; exit 1; }

ensure_tools() {
  local missing=()
  command -v umoci >/dev/null || missing+=(umoci)
  command -v skopeo >/dev/null || missing+=(skopeo)
  command -v dpkg-deb >/dev/null || missing+=(dpkg)
  command -v apt-get >/dev/null || fail "apt-get not found: a Debian machine is needed to fetch the base packages"
  [[ -x "$java_home/bin/jlink" && -d "$java_home/jmods" ]] \
    || fail "no JDK 17 with jmods at $java_home (set JAVA_HOME_17 or install openjdk-17-jdk)"
  if ((${#missing[@]})); then
    [[ $(id -u) == 0 ]] || fail "missing ${missing[*]}; install with: apt-get install -y --no-install-recommends ${missing[*]}"
    echo "build-base.sh: installing ${missing[*]}"
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
      || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; } \
      || fail "cannot install ${missing[*]} with apt-get"
  fi
}

# The versions apt would download now; part of the cache key.
package_versions() {
  local p
  for p in "${packages[@]}"; do
    echo "$p=$(apt-cache policy "$p" | awk '/Candidate:/ {print $2}')"
  done
}

cache_key() {
  { sha256sum "$0" | cut -d' ' -f1; "$java_home/bin/java" -version 2>&1; package_versions; echo "$epoch"; } \
    | sha256sum | cut -d' ' -f1
}

build_jre() {
  "$java_home/bin/jlink" --add-modules "$jre_modules" --output "$1/opt/java" \
    --strip-debug --no-man-pages --no-header-files --compress=2
  # Debian's JDK links its trust store to /etc/ssl/certs/java/cacerts; the image gets its own (see build_truststore).
  rm -f "$1/opt/java/lib/security/cacerts"
}

extract_packages() {
  local root=$1 debs=$2 p
  chown _apt "$debs" 2>/dev/null || true  # apt-get download writes as _apt when it can
  (cd "$debs" && apt-get download "${packages[@]}" >/dev/null) || fail "apt-get download ${packages[*]} failed"
  for p in "$debs"/*.deb; do dpkg-deb -x "$p" "$root"; done
  # what no process in the image reads
  rm -rf "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/lintian "$root"/usr/share/locale \
    "$root"/usr/share/info "$root"/usr/share/bug "$root"/usr/lib/x86_64-linux-gnu/gconv "$root"/usr/sbin \
    "$root"/etc/ld.so.conf.d "$root"/usr/share/ca-certificates-java
  # Releases after bookworm ship everything under /usr (merged /usr): give the tree the top-level links a merged
  # system has, so the JRE finds its loader at /lib64 and the hooks find /bin/sh either way.
  local dir
  for dir in bin lib lib64; do
    if [[ -d "$root/usr/$dir" && ! -e "$root/$dir" ]]; then ln -s "usr/$dir" "$root/$dir"; fi
  done
  [[ -e "$root/bin/busybox" ]] || fail "busybox-static did not install /bin/busybox or /usr/bin/busybox"
  [[ -e "$root/lib64/ld-linux-x86-64.so.2" ]] || fail "libc6 did not install the loader /lib64/ld-linux-x86-64.so.2"
  local tool
  for tool in sh sleep wget; do ln -sf busybox "$root/bin/$tool"; done
}

# One PEM bundle for non-Java clients, and a PKCS#12 trust store of the same certificates for the JRE.
build_truststore() {
  local sys=$1 jre=$2
  mkdir -p "$sys/etc/ssl/certs"
  find "$sys/usr/share/ca-certificates/mozilla" -name '*.crt' | LC_ALL=C sort | xargs cat \
    > "$sys/etc/ssl/certs/ca-certificates.crt"
  "$java_home/bin/java" -Dkeystore.pkcs12.certProtectionAlgorithm=NONE -Dkeystore.pkcs12.macAlgorithm=NONE \
    "$(dirname "$0")/TrustStore.java" "$sys/etc/ssl/certs/ca-certificates.crt" "$jre/opt/java/lib/security/cacerts"
}

write_system_files() {
  local root=$1
  mkdir -p "$root/etc" "$root/tmp" "$root/home/nonroot" "$root/deployments"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
    > "$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
  printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
  chmod 1777 "$root/tmp"
  chown 65532:65532 "$root/home/nonroot"
}

pack() {
  local sys=$1 jre=$2 layout=$3 tar=$4
  local created
  created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
  find "$sys" "$jre" -exec touch -h -d "@$epoch" {} +
  rm -rf "$layout"
  umoci init --layout "$layout"
  umoci new --image "$layout:base"
  umoci insert --image "$layout:base" --history.created "$created" \
    --history.created_by "build-base.sh: Debian packages, users" "$sys" /
  umoci insert --image "$layout:base" --history.created "$created" \
    --history.created_by "build-base.sh: jlink JRE" "$jre" /
  umoci config --image "$layout:base" --created "$created" --history.created "$created" \
    --config.user 65532:65532 --config.workingdir /deployments \
    --config.env PATH=/opt/java/bin:/bin --config.env JAVA_HOME=/opt/java --config.env LANG=C.UTF-8
  umoci gc --layout "$layout"
  rm -f "$tar"
  skopeo copy --quiet "oci:$layout:base" "docker-archive:$tar:mep-sidecar-base:latest"
}

main() {
  ensure_tools
  mkdir -p "$cache_dir" "$out_dir"
  local key
  key=$(cache_key)
  if [[ -f "$cache_dir/base.tar" && "$(cat "$cache_dir/base.key" 2>/dev/null)" == "$key" ]]; then
    [[ "$cache_dir" -ef "$out_dir" ]] || cp "$cache_dir/base.tar" "$out_dir/base.tar"
    echo "build-base.sh: base image up to date ($out_dir/base.tar)"
    return
  fi
  # (global: the EXIT trap reads it)
  work=$(mktemp -d "${TMPDIR:-/tmp}/mep-base.XXXXXX")
  chmod 755 "$work"  # apt-get download runs as _apt
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/sys" "$work/jre" "$work/debs"
  extract_packages "$work/sys" "$work/debs"
  write_system_files "$work/sys"
  build_jre "$work/jre"
  build_truststore "$work/sys" "$work/jre"
  pack "$work/sys" "$work/jre" "$work/oci" "$cache_dir/base.tar"
  echo "$key" > "$cache_dir/base.key"
  [[ "$cache_dir" -ef "$out_dir" ]] || cp "$cache_dir/base.tar" "$out_dir/base.tar"
  echo "build-base.sh: built $out_dir/base.tar ($(du -h "$out_dir/base.tar" | cut -f1))"
}

main
