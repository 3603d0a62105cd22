#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the build and tests need: the kernel source,
# the LLVM and Rust toolchains, QEMU, busybox and the tools the scripts call.
# Quiet and fast when everything is present.
. "$(dirname "$0")/lib.sh"

# DEPS_EXTRA: packages only some targets need (make bench: plotting, static libc).
# qemu-system-arm and device-tree-compiler: `make test ARCH=arm64` (small; always installed).
DEPS_EXTRA=${DEPS_EXTRA:-}

PKGS="linux-source-6.12 rustc-web rust-web-src rustfmt-web rust-web-clippy bindgen libclang-dev clang lld llvm
      flex bison libelf-dev libssl-dev bc cpio rsync ccache qemu-system-x86
      busybox-static python3 make xz-utils patch
      qemu-system-arm device-tree-compiler $DEPS_EXTRA"

missing=()
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

step "deps: installing ${missing[*]}"
[ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root or install them"
export DEBIAN_FRONTEND=noninteractive
logged "$LOGS/apt.log" apt-get update
logged "$LOGS/apt.log" apt-get install -y --no-install-recommends "${missing[@]}"
step "deps: done"
