#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build build/initramfs.cpio: busybox-static and our init script
# (mk/initramfs/init), plus any run.d/ scripts later steps add, and the
# static test tools of mk/tools/ (rnvme-io). Rebuilt only when one of its
# inputs changed.
. "$(dirname "$0")/lib.sh"

out=$BUILD/initramfs.cpio
src=$TOP/mk/initramfs
bb=/bin/busybox
[ -x "$bb" ] || die "$bb missing: run 'make deps' (package busybox-static)"
if [ -f "$out" ] && [ -z "$(find "$src" "$TOP/mk/tools" "$bb" -newer "$out" 2>/dev/null | head -n 1)" ]; then
	exit 0
fi

step "initramfs: busybox + mk/initramfs"
root=$BUILD/initramfs.d
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc}
cp "$bb" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp -r "$src"/. "$root/"
chmod +x "$root/init"
cc -static -O2 -Wall -Werror -o "$root/bin/rnvme-io" "$TOP/mk/tools/rnvme-io.c" ||
	die "cannot build mk/tools/rnvme-io.c statically (packages gcc, libc6-dev)"
(cd "$root" && find . | sort | cpio -o -H newc --quiet -R 0:0) >"$out.tmp"
mv "$out.tmp" "$out"
