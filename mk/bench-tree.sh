#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The baseline tree of `make bench`: build/linux-base, the kernel tree with
# upstream's swiotlb. It is a hard-linked copy of build/linux (cheap) in
# which every file our overlay or patches/ changed is upstream's again,
# except the benchmark harness itself: kernel/dma/swiotlb_bench.c, its Kconfig
# symbol (patches/0011, which applies to upstream's kernel/dma/Kconfig too),
# x86's copy loops kept within a page of code (patches/0023, in both kernels)
# and its line of the kernel/dma/Makefile patch (appended here alone). Files
# are replaced, never edited in place, so build/linux keeps its own.
. "$(dirname "$0")/lib.sh"

BASE=${BASE:-$BUILD/linux-base}
# The bench's Kconfig symbol, and memcpy kept within a page of code in both
# kernels (0023: under TCG, a copy loop across a page runs ~4x slower).
HARNESS_PATCHES="0011-kernel-dma-kconfig-swiotlb-bench.patch
0023-x86-lib-memcpy-loops-within-one-page-for-tcg-bench.patch"
HARNESS_FILES="kernel/dma/swiotlb_bench.c"
# The bench's line of the one kernel/dma/Makefile patch, without its "+".
bench_line=$(sed -n 's/^+\(obj-$(CONFIG_SWIOTLB_BENCH).*\)/\1/p' "$TOP"/patches/*-kernel-dma-build-*.patch)
[ -n "$bench_line" ] || die "no obj-\$(CONFIG_SWIOTLB_BENCH) line in patches/*-kernel-dma-build-*.patch"

stamp=$( (cat "$BUILD/overlay.list"; cat "$BUILD"/patches.applied/* \
	"$KSRC/kernel/dma/swiotlb_bench.c") | md5sum | cut -d' ' -f1)
[ -f "$BASE/.bench-stamp" ] && [ "$(cat "$BASE/.bench-stamp")" = "$stamp" ] && exit 0

step "bench: baseline tree with upstream's swiotlb (build/linux-base)"
rm -rf "$BASE"
cp -al "$KSRC" "$BASE"

# own COPY: give BASE its own copy of a file, so that changing it leaves build/linux alone.
own() {
	[ -e "$BASE/$1" ] || return 0
	cp -p "$BASE/$1" "$BASE/$1.own" && mv -f "$BASE/$1.own" "$BASE/$1"
}

# patch_base PATCH FLAG: apply PATCH (-N) or take it back (-R) in BASE, on files of its own.
patch_base() {
	local f
	for f in $(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$1"); do
		own "$f"
	done
	patch -d "$BASE" -p1 "$2" -s --fuzz=0 --no-backup-if-mismatch <"$1" ||
		die "patch $2 $(basename "$1") failed in $BASE"
}

# Take back every patch, newest first.
for p in $(ls -r "$BUILD/patches.applied"); do
	patch_base "$BUILD/patches.applied/$p" -R
done

# Upstream's files where we replaced them; none where we added ours.
while IFS= read -r rel; do
	case " $HARNESS_FILES " in *" $rel "*) continue ;; esac
	rm -f "$BASE/$rel"
	if [ -e "$BUILD/pristine/$rel" ]; then
		cp -p "$BUILD/pristine/$rel" "$BASE/$rel"
	fi
done <"$BUILD/overlay.list"

for p in $HARNESS_PATCHES; do
	patch_base "$TOP/patches/$p" -N
done
own kernel/dma/Makefile
grep -qxF "$bench_line" "$BASE/kernel/dma/Makefile" || echo "$bench_line" >>"$BASE/kernel/dma/Makefile"

# What differs from build/linux must be exactly our swiotlb and the rest of our changes.
cmp -s "$BASE/kernel/dma/swiotlb.c" "$BUILD/pristine/kernel/dma/swiotlb.c" ||
	die "$BASE/kernel/dma/swiotlb.c is not upstream's"
echo "$stamp" >"$BASE/.bench-stamp"
