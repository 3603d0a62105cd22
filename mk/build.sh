#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build bzImage (Image when ARCH=arm64). The whole log goes to
# build/logs/build.log; its tail is shown on failure. A build with nothing to
# do takes well under a minute.
. "$(dirname "$0")/lib.sh"

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# Hash paths relative to the checkout, so that another clone (CI builds in a
# fresh one) hits the same cache entries.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$TOP}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
target=bzImage image=arch/x86/boot/bzImage
[ "${ARCH:-x86_64}" = arm64 ] && target=Image image=arch/arm64/boot/Image
before=$(stat -c %Y "$KOBJ/$image" 2>/dev/null || echo 0)
log=${BUILD_LOG:-$LOGS/build.log}
step "build: $target$(objname) with LLVM=1 and Debian's rustc (log: ${log#"$TOP"/})"
logged "$log" kmake -j"$(nproc)" "$target"
after=$(stat -c %Y "$KOBJ/$image")
if [ "$before" = "$after" ]; then
	step "build: up to date"
else
	step "build: done ($(ccache -s 2>/dev/null | sed -n 's/^ *Hits: *\([0-9]*\) \/ *\([0-9]*\).*/ccache \1\/\2 hits/p' | head -n 1))"
fi
