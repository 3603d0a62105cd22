#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prepare the kernel tree: unpack Debian's linux-source-6.12 once, copy our
# overlay over it (content-compared, so an unchanged file keeps its timestamp),
# and bring patches/ in line with the repo.
#
# Upstream files that the overlay replaces are saved in build/pristine/ first:
# a file dropped from the overlay is restored from there, and the benchmark
# builds its baseline from them.
. "$(dirname "$0")/lib.sh"

OVERLAY_DIRS="kernel include rust samples Documentation"
PRISTINE=$BUILD/pristine
MANIFEST=$BUILD/overlay.list
APPLIED=$BUILD/patches.applied

unpack() {
	[ -f "$KSRC/Makefile" ] && return 0
	[ -r "$TARBALL" ] || die "$TARBALL not found: run 'make deps' (package linux-source-6.12)"
	step "tree: unpacking $(basename "$TARBALL") (about a minute)"
	local tmp=$BUILD/unpack.tmp
	rm -rf "$tmp" "$PRISTINE" "$MANIFEST" "$APPLIED"
	mkdir -p "$tmp"
	tar -xJf "$TARBALL" -C "$tmp"
	local dir
	dir=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	local v p s
	v=$(sed -n 's/^VERSION = //p' "$dir/Makefile")
	p=$(sed -n 's/^PATCHLEVEL = //p' "$dir/Makefile")
	s=$(sed -n 's/^SUBLEVEL = //p' "$dir/Makefile")
	[ "$v.$p" = 6.12 ] || die "$TARBALL holds Linux $v.$p.$s; this project needs 6.12.x"
	mv "$dir" "$KSRC"
	rm -rf "$tmp"
	step "tree: Linux $v.$p.$s in $KSRC"
}

# install SRC DST: copy when the content differs, saving upstream's version once.
install_file() {
	local src=$1 rel=$2
	local dst=$KSRC/$rel
	cmp -s "$src" "$dst" && return 0
	if [ -e "$dst" ] && [ ! -e "$PRISTINE/$rel" ] && ! grep -qxF "$rel" "$MANIFEST.old"; then
		mkdir -p "$(dirname "$PRISTINE/$rel")"
		cp -p "$dst" "$PRISTINE/$rel"
	fi
	mkdir -p "$(dirname "$dst")"
	# A new file, not a write through: build/linux-base shares hard links.
	cp --remove-destination "$src" "$dst"
	changed=$((changed + 1))
}

overlay() {
	local rel changed=0 removed=0
	touch "$MANIFEST"
	mv "$MANIFEST" "$MANIFEST.old"
	: >"$MANIFEST"
	while IFS= read -r rel; do
		install_file "$TOP/$rel" "$rel"
		echo "$rel" >>"$MANIFEST"
	done < <(cd "$TOP" && find $OVERLAY_DIRS -type f 2>/dev/null | sort)

	while IFS= read -r rel; do
		grep -qxF "$rel" "$MANIFEST" && continue
		if [ -e "$PRISTINE/$rel" ]; then
			cp --remove-destination "$PRISTINE/$rel" "$KSRC/$rel"
		else
			rm -f "$KSRC/$rel"
		fi
		removed=$((removed + 1))
	done <"$MANIFEST.old"
	rm -f "$MANIFEST.old"
	step "tree: overlay $(wc -l <"$MANIFEST") files, $changed updated, $removed restored"
}

patches() {
	mkdir -p "$APPLIED"
	diff -rq "$TOP/patches" "$APPLIED" >/dev/null 2>&1 && return 0
	local p
	# Take back what was applied before, newest first, then apply the set.
	for p in $(ls -r "$APPLIED"); do
		patch -d "$KSRC" -p1 -R -s --no-backup-if-mismatch <"$APPLIED/$p" ||
			die "cannot reverse $p; run 'make distclean' to start from a fresh tree"
		rm "$APPLIED/$p"
	done
	for p in $(ls "$TOP/patches"); do
		patch -d "$KSRC" -p1 -N -s --fuzz=0 --no-backup-if-mismatch <"$TOP/patches/$p" ||
			die "patches/$p does not apply to $(basename "$KSRC")"
		cp "$TOP/patches/$p" "$APPLIED/$p"
	done
	step "tree: applied $(ls "$APPLIED" | wc -l) patches"
}

unpack
overlay
patches
