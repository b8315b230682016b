#!/bin/sh
# ci/install-lac.sh — install lac on a fresh Debian/Ubuntu CI machine: the
# build dependencies from the distribution (and curl, for GitLab's merge
# request note), then lac from its source repository ($LAC_REPO, at
# $LAC_VERSION: a tag, set as CI variables).
set -eu
: "${LAC_REPO:?set LAC_REPO to the lac source repository}"
: "${LAC_VERSION:?set LAC_VERSION to the lac release tag}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
	git ca-certificates curl build-essential autoconf automake pkg-config flex bison \
	libyaml-dev libsqlite3-dev libcurl4-openssl-dev libjansson-dev libpq-dev libssl-dev python3
src=$(mktemp -d)
git clone --quiet --depth 1 --branch "$LAC_VERSION" "$LAC_REPO" "$src"
cd "$src"
autoreconf -fi >/dev/null
./configure --quiet
make -j"$(nproc)" lac
$SUDO make install-exec install-data >/dev/null
lac --version
