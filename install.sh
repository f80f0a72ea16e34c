#!/bin/sh
# Installs vxmesh: the jar, the /usr/bin/vxmesh launcher, the systemd unit, sysusers.d and
# tmpfiles.d entries, README.md and copyright, bash completion, the man page, and the default configuration (only if absent).
# The same files, paths and modes as the .deb (packaging/pom.xml; DebPackageTest compares).
# It never creates a cluster key: every host of a mesh needs the same one, so the operator
# makes it once and copies it to every host (the script says how when it is missing).
#
#   sudo ./install.sh                      # build if needed, install into /
#   DESTDIR=/tmp/pkg ./install.sh          # stage into a directory (packaging, tests)
#
# Variables: DESTDIR (staging root, default empty), PREFIX (default /usr), SYSCONFDIR
# (default /etc), VXMESH_JAR (use this jar instead of agent/target/vxmesh.jar; no build).
# Without DESTDIR, as root, it also creates the vxmesh group and reloads systemd.
set -eu

here="$(cd "$(dirname "$0")" && pwd)"
DESTDIR="${DESTDIR:-}"
PREFIX="${PREFIX:-/usr}"
SYSCONFDIR="${SYSCONFDIR:-/etc}"

jar="${VXMESH_JAR:-$here/agent/target/vxmesh.jar}"
if [ ! -f "$jar" ]; then
  if [ -n "${VXMESH_JAR:-}" ]; then
    echo "install.sh: $jar does not exist" >&2
    exit 1
  fi
  echo "install.sh: building $jar"
  (cd "$here" && mvn -q -B package -DskipTests)
fi

libdir="$DESTDIR$PREFIX/lib/vxmesh"
bindir="$DESTDIR$PREFIX/bin"
unitdir="$DESTDIR$PREFIX/lib/systemd/system"
confdir="$DESTDIR$SYSCONFDIR/vxmesh"

install -d -m 0755 "$libdir" "$bindir" "$unitdir" "$DESTDIR$PREFIX/lib/sysusers.d" "$DESTDIR$PREFIX/lib/tmpfiles.d"
install -m 0644 "$jar" "$libdir/vxmesh.jar"
install -d -m 0755 "$DESTDIR$PREFIX/share/doc/vxmesh"
install -m 0644 "$here/README.md" "$DESTDIR$PREFIX/share/doc/vxmesh/README.md"
install -m 0644 "$here/packaging/copyright" "$DESTDIR$PREFIX/share/doc/vxmesh/copyright"
# Bash completion and man page: generated next to the jar by the agent's build.
for f in vxmesh.bash vxmesh.1.gz; do
  if [ ! -f "$(dirname "$jar")/$f" ]; then
    echo "install.sh: $(dirname "$jar")/$f does not exist (the agent's build makes it next to vxmesh.jar)" >&2
    exit 1
  fi
done
install -d -m 0755 "$DESTDIR$PREFIX/share/bash-completion/completions" "$DESTDIR$PREFIX/share/man/man1"
install -m 0644 "$(dirname "$jar")/vxmesh.bash" "$DESTDIR$PREFIX/share/bash-completion/completions/vxmesh"
install -m 0644 "$(dirname "$jar")/vxmesh.1.gz" "$DESTDIR$PREFIX/share/man/man1/vxmesh.1.gz"

# The launcher and the unit name /usr paths; rewrite them when PREFIX differs.
sed "s|/usr/lib/vxmesh/vxmesh.jar|$PREFIX/lib/vxmesh/vxmesh.jar|" "$here/packaging/vxmesh" > "$bindir/vxmesh.tmp"
chmod 0755 "$bindir/vxmesh.tmp"
mv "$bindir/vxmesh.tmp" "$bindir/vxmesh"
sed -e "s|/usr/bin/vxmesh|$PREFIX/bin/vxmesh|" -e "s|/usr/share/doc/vxmesh|$PREFIX/share/doc/vxmesh|" -e "s|/etc/vxmesh/|$SYSCONFDIR/vxmesh/|" \
  "$here/systemd/vxmesh.service" > "$unitdir/vxmesh.service"
chmod 0644 "$unitdir/vxmesh.service"
install -m 0644 "$here/systemd/vxmesh.sysusers" "$DESTDIR$PREFIX/lib/sysusers.d/vxmesh.conf"
sed "s|/etc/vxmesh|$SYSCONFDIR/vxmesh|" "$here/systemd/vxmesh.tmpfiles" > "$DESTDIR$PREFIX/lib/tmpfiles.d/vxmesh.conf"
chmod 0644 "$DESTDIR$PREFIX/lib/tmpfiles.d/vxmesh.conf"

# Group first, so /etc/vxmesh can belong to it.
if [ -z "$DESTDIR" ] && [ "$(id -u)" = 0 ]; then
  if ! getent group vxmesh >/dev/null 2>&1; then
    if command -v systemd-sysusers >/dev/null 2>&1; then
      systemd-sysusers "$PREFIX/lib/sysusers.d/vxmesh.conf"
    else
      groupadd --system vxmesh
    fi
  fi
fi

install -d -m 0750 "$confdir"
if [ -z "$DESTDIR" ] && getent group vxmesh >/dev/null 2>&1; then
  chgrp vxmesh "$confdir" || true
fi

if [ -e "$confdir/vxmesh.toml" ]; then
  echo "install.sh: keeping existing $confdir/vxmesh.toml"
else
  sed "s|/etc/vxmesh/cluster.key|$SYSCONFDIR/vxmesh/cluster.key|" "$here/config/vxmesh.toml" > "$confdir/vxmesh.toml"
  chmod 0640 "$confdir/vxmesh.toml"
  echo "install.sh: installed $confdir/vxmesh.toml (edit it for this host)"
fi

# A key per host would split the mesh (peers drop each other's gossip), so none is made here.
key="$SYSCONFDIR/vxmesh/cluster.key"
if [ -e "$confdir/cluster.key" ]; then
  echo "install.sh: keeping existing $confdir/cluster.key"
else
  cat <<EOF
install.sh: no cluster key yet. A mesh has ONE key, the same file on every host:
  on one host, once:  (umask 077; vxmesh keygen > $key)
  then copy that file to every other host as $key (owner root, mode 0600).
EOF
fi

if [ -z "$DESTDIR" ] && [ "$(id -u)" = 0 ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  echo "install.sh: done; with the key and $confdir/vxmesh.toml filled in: systemctl enable --now vxmesh"
else
  echo "install.sh: done"
fi
