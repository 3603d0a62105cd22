#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make series`: our work as a `git format-patch` series against pristine
# Linux 6.12, in build/series/, then its check.
#
# The series is made from mk/series.list, which maps every overlay file and
# every patches/* file to exactly one patch of the series (or to its
# "excluded" block) and holds the commit messages. In build/series-gen, a
# small git repository holding upstream's version of the files we change,
# each patch of the list is one commit: its overlay files copied in, its
# patches/ files applied (--fuzz=0). `git format-patch --cover-letter` then
# writes build/series/.
#
# The check: every patch is `checkpatch.pl --strict` clean; the series
# applies with `git am` to a fresh unpack of linux-source-6.12
# (build/series-tree); and the tree builds after every patch (vmlinux, with
# the Rust samples, which our config builds in), configured from
# configs/*.config as mk/config.sh does, in one object directory
# (build/series-obj) so each step is incremental, with ccache. The toolchain
# shim patches/0001 stays out of the series and is applied to the tree
# uncommitted, so that Debian's bindgen can build the Rust code.
#
# Usage: mk/series.sh          write and check the series
#        mk/series.sh write    write it only (and run checkpatch)
#        mk/series.sh list     only check that mk/series.list maps every file
# Nothing here takes a lock or runs in parallel with itself: one `make
# series` at a time per build/.
. "$(dirname "$0")/lib.sh"

MODE=${1:-check}
LIST=$TOP/mk/series.list
OUT=$BUILD/series
GEN=$BUILD/series-gen
TREE=$BUILD/series-tree
SOBJ=$BUILD/series-obj
WORK=$BUILD/series.d
OVERLAY_DIRS="kernel include rust samples Documentation"	# as mk/tree.sh
SHIM=patches/0001-toolchain-accept-debian-bindgen-0.60.1.patch
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
T0=$(date +%s)

# elapsed SINCE: "Ns" since the epoch second SINCE.
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

# Parse mk/series.list into $WORK: NN.files, NN.msg, NN.subject per patch;
# cover.subject, cover.body; excluded.files. Fails on an unmapped file, a
# file mapped twice or a named file that does not exist.
parse_list() {
	rm -rf "$WORK"
	mkdir -p "$WORK"
	python3 - "$LIST" "$TOP" "$WORK" "$OVERLAY_DIRS" <<'EOF'
import os, sys

lst, top, work, dirs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split()
rel = os.path.relpath(lst, top)
blocks = []        # [kind, subject, files, body lines, line number]
kind = None
for n, line in enumerate(open(lst).read().split('\n'), 1):
    if line.startswith('#'):
        continue
    if line == '-- cover':
        kind = 'cover'
        continue
    if line == '!! excluded':
        blocks.append(['excluded', '', [], [], n])
        kind = None
        continue
    if line.startswith('== '):
        blocks.append([kind or 'patch', line[3:].strip(), [], [], n])
        kind = None
        continue
    if not blocks:
        if line.strip():
            sys.exit(f'{rel}:{n}: text before the first block')
        continue
    if line.startswith('+ '):
        blocks[-1][2].append((line[2:].strip(), n))
    else:
        blocks[-1][3].append(line)

errors = []
where = {}
for b in blocks:
    for f, n in b[2]:
        if f in where:
            errors.append(f'{rel}:{n}: {f} is already in the patch at line '
                          f'{where[f][1]} ("{where[f][0]}"); name it once')
        else:
            where[f] = (b[1] or b[0], n)
        if not os.path.isfile(os.path.join(top, f)):
            errors.append(f'{rel}:{n}: {f} does not exist (renamed or removed? '
                          f'change or drop this line)')

have = []
for d in dirs:
    for root, _, files in os.walk(os.path.join(top, d)):
        have += [os.path.relpath(os.path.join(root, f), top) for f in files]
have += ['patches/' + f for f in os.listdir(os.path.join(top, 'patches'))]

def suggest(f):
    """The block of the mapped file that shares the longest path prefix."""
    best, blen = None, -1
    for g, (subj, n) in where.items():
        k = len(os.path.commonprefix([f, g]))
        if k > blen:
            best, blen = (subj, n, g), k
    return best

for f in sorted(have):
    if f not in where:
        subj, n, g = suggest(f)
        errors.append(f'{f} is in no patch of the series: add the line "+ {f}" to '
                      f'the block of the change it belongs to in {rel} (perhaps '
                      f'"== {subj}", beside {g} at line {n}), or to "!! excluded"')
if errors:
    sys.exit('\n'.join('error: ' + e for e in errors))

def body(lines):
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return '\n'.join(lines) + '\n'

k = 0
for b in blocks:
    if b[0] == 'cover':
        open(f'{work}/cover.subject', 'w').write(b[1] + '\n')
        open(f'{work}/cover.body', 'w').write(body(b[3]))
    elif b[0] == 'excluded':
        open(f'{work}/excluded.files', 'w').write(''.join(f + '\n' for f, _ in b[2]))
        open(f'{work}/excluded.body', 'w').write(body(b[3]))
    else:
        k += 1
        if not b[2]:
            sys.exit(f'{rel}:{b[4]}: "{b[1]}" names no file')
        open(f'{work}/{k:02d}.subject', 'w').write(b[1] + '\n')
        open(f'{work}/{k:02d}.files', 'w').write(''.join(f + '\n' for f, _ in b[2]))
        open(f'{work}/{k:02d}.msg', 'w').write(b[1] + '\n\n' + body(b[3]))
print(f'{k} patches, {len(where)} files mapped')
EOF
}

# unpack DIR: a fresh unpack of linux-source-6.12 in DIR, as mk/tree.sh does.
unpack() {
	local dir=$1 tmp=$1.tmp top
	rm -rf "$dir" "$tmp"
	mkdir -p "$tmp"
	tar -xJf "$TARBALL" -C "$tmp"
	top=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	mv "$top" "$dir"
	rm -rf "$tmp"
}

# files_touched N: the kernel paths patch N of the series changes.
files_touched() {
	local f
	while IFS= read -r f; do
		case $f in
		patches/*) sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$TOP/$f" ;;
		*) echo "$f" ;;
		esac
	done <"$WORK/$1.files"
}

signoff() {
	local name email
	name=$(git -C "$TOP" config user.name || echo "swiotlb project")
	email=$(git -C "$TOP" config user.email || echo "swiotlb@example.org")
	echo "$name <$email>"
}

# Make build/series-gen (upstream's version of every file we change), one
# commit per patch, and write build/series/.
write_series() {
	local n f who
	who=$(signoff)
	step "series: upstream's files from $(basename "$TARBALL") (build/series-gen)"
	rm -rf "$GEN"
	mkdir -p "$GEN"
	# Upstream's versions: from the fresh unpack made for the check, when
	# there is one, else extracted from the tarball.
	for n in $(ls "$WORK" | sed -n 's/^\([0-9]*\)\.files$/\1/p'); do files_touched "$n"; done |
		sort -u >"$WORK/touched"
	if [ -d "$TREE" ]; then
		while IFS= read -r f; do
			[ -e "$TREE/$f" ] || continue
			mkdir -p "$GEN/$(dirname "$f")"
			cp -p "$TREE/$f" "$GEN/$f"
		done <"$WORK/touched"
	else
		local tmp=$BUILD/series-gen.tmp top
		unpack "$tmp"
		while IFS= read -r f; do
			[ -e "$tmp/$f" ] || continue
			mkdir -p "$GEN/$(dirname "$f")"
			cp -p "$tmp/$f" "$GEN/$f"
		done <"$WORK/touched"
		rm -rf "$tmp"
	fi
	git -C "$GEN" init -q
	git -C "$GEN" add -A
	git -C "$GEN" -c user.name=upstream -c user.email=upstream@localhost \
		commit -q -m "Linux 6.12 (Debian linux-source-6.12), the files the series changes"
	git -C "$GEN" tag base

	for n in $(ls "$WORK" | sed -n 's/^\([0-9]*\)\.msg$/\1/p'); do
		while IFS= read -r f; do
			case $f in
			patches/*)
				patch -d "$GEN" -p1 -N -s --fuzz=0 --no-backup-if-mismatch <"$TOP/$f" ||
					die "series: $f does not apply after patch $n's other files" ;;
			*)
				mkdir -p "$GEN/$(dirname "$f")"
				cp "$TOP/$f" "$GEN/$f" ;;
			esac
		done <"$WORK/$n.files"
		printf '\nSigned-off-by: %s\n' "$who" >>"$WORK/$n.msg"
		git -C "$GEN" add -A
		git -C "$GEN" -c user.name="${who% <*}" -c user.email="$(sed 's/.*<\(.*\)>/\1/' <<<"$who")" \
			commit -q -F "$WORK/$n.msg"
	done

	rm -rf "$OUT"
	git -C "$GEN" -c user.name="${who% <*}" -c user.email="$(sed 's/.*<\(.*\)>/\1/' <<<"$who")" \
		format-patch -q --cover-letter --no-signature -o "$OUT" base..HEAD
	python3 - "$OUT"/0000-cover-letter.patch "$WORK" "$who" <<'EOF'
import sys
path, work, who = sys.argv[1:]
s = open(path).read()
body = open(f'{work}/cover.body').read()
body += '\nNot in the series:\n\n' + open(f'{work}/excluded.body').read()
body += '\nSigned-off-by: ' + who + '\n'
s = s.replace('*** SUBJECT HERE ***', open(f'{work}/cover.subject').read().strip())
s = s.replace('*** BLURB HERE ***', body.rstrip('\n'))
open(path, 'w').write(s)
EOF
	step "series: wrote $(ls "$OUT" | grep -vc '^0000-') patches and a cover letter to ${OUT#"$TOP"/}/"
}

# checkpatch_filter: checkpatch's findings on stdin, less two kinds that are
# checked otherwise or are false positives: FILE_PATH_CHANGES ("does
# MAINTAINERS need updating?", drawn by every new file: check_build checks
# instead that each file a patch adds has a MAINTAINERS entry), and, in
# include/trace/, what the TRACE_EVENT() layout always draws (as mk/lint.sh);
# and BIT_MACRO in include/linux/dma-mapping.h, where every DMA_ATTR_* is
# (1UL << n) (DMA_ATTR_MAY_BLOCK follows them; bindgen evaluates that form).
checkpatch_filter() {
	python3 -c '
import re, sys
trace = {"OPEN_ENDED_LINE", "PARENTHESIS_ALIGNMENT", "SPACING", "COMPLEX_MACRO"}
for block in re.split(r"\n\s*\n", sys.stdin.read()):
    m = re.match(r"(ERROR|WARNING|CHECK):([A-Z_]+):", block)
    if not m:
        continue
    kind = m.group(2)
    if kind == "FILE_PATH_CHANGES":
        continue
    if kind in trace and re.search(r"FILE: include/trace/", block):
        continue
    if kind == "BIT_MACRO" and re.search(r"FILE: include/linux/dma-mapping.h:", block):
        continue
    print(block.strip() + "\n")
'
}

# checkpatch --strict on every patch of build/series/.
check_style() {
	local p out bad=0
	# checkpatch and its data files from the unpack (the tree's own scripts/).
	[ -d "$TREE" ] || die "series: no $TREE"
	for p in "$OUT"/0*.patch; do
		[[ $p == */0000-cover-letter.patch ]] && continue
		out=$(cd "$TREE" && scripts/checkpatch.pl --strict --quiet --show-types "$p" 2>&1 |
			checkpatch_filter || true)
		if [ -n "$out" ]; then
			echo "${p#"$TOP"/}:"
			echo "$out"
			bad=1
		fi
	done
	[ $bad -eq 0 ] || die "series: checkpatch --strict findings above"
	step "series: checkpatch --strict clean on every patch"
}

# git am the series on the fresh unpack, building after every patch.
check_build() {
	local p k=0 total t frag=$BUILD/fragment-series.config subj
	local log=$LOGS/series-build.log
	total=$(ls "$OUT"/0*.patch | grep -vc 0000-cover-letter)
	git -C "$TREE" apply "$TOP/$SHIM" || die "series: $SHIM does not apply to the fresh unpack"
	cat "$TOP"/configs/*.config >"$frag"
	mkdir -p "$SOBJ"
	: >"$log"
	# ccache serves the first step's full build only. At step 2 ccache
	# (4.7.5, in direct and in preprocessor mode alike) handed back a
	# kernel/dma/mapping.o built against step 1's <linux/swiotlb.h>: an
	# is_swiotlb_active() call to what step 2 makes an inline function, so
	# the link failed; the same command without ccache built it right.
	# Later steps compile only what their patch changed, without it.
	for p in "$OUT"/0*.patch; do
		[[ $p == */0000-cover-letter.patch ]] && continue
		k=$((k + 1))
		[ $k -gt 1 ] && export CCACHE_DISABLE=1
		t=$(date +%s)
		git -C "$TREE" am -q --keep-cr "$p" >>"$log" 2>&1 ||
			{ tail -n 20 "$log"; die "series: git am failed at $(basename "$p")"; }
		subj=$(git -C "$TREE" log -1 --format=%s)
		# Every file the patch adds falls under a MAINTAINERS entry (other
		# than THE REST's), so the entry need not change.
		git -C "$TREE" show --diff-filter=A --name-only --format= HEAD | while IFS= read -r f; do
			(cd "$TREE" && scripts/get_maintainer.pl --no-git --no-rolestats --nol -f "$f" 2>/dev/null) |
				grep -qv 'torvalds@' ||
				die "series: $f, added by $(basename "$p"), has no MAINTAINERS entry"
		done
		# Kconfig symbols of later patches do not exist yet: configure from
		# the fragments at every step; only the last must keep them all.
		if [ $k -eq "$total" ]; then
			rm -f "$BUILD/fragment-series.config.done"
			KSRC=$TREE KOBJ=$SOBJ FRAG=$BUILD/fragment-series.config.done \
				"$TOP/mk/config.sh" >>"$log" 2>&1 ||
				{ tail -n 20 "$log"; die "series: after the last patch the config lacks symbols of configs/"; }
		else
			cp "$frag" "$SOBJ/.config"
			KSRC=$TREE KOBJ=$SOBJ kmake olddefconfig >>"$log" 2>&1 ||
				{ tail -n 20 "$log"; die "series: olddefconfig failed after $(basename "$p")"; }
		fi
		KSRC=$TREE KOBJ=$SOBJ kmake -j"$(nproc)" vmlinux >>"$log" 2>&1 ||
			{ grep -E 'error|Error' "$log" | tail -n 20; die "series: the build fails after $(basename "$p") (log: ${log#"$TOP"/})"; }
		step "series: [$k/$total] builds ($(elapsed "$t")): $subj"
	done
	[ "$(git -C "$TREE" status --porcelain --untracked-files=no | grep -v ' scripts/min-tool-version.sh$\| rust/Makefile$' || true)" = "" ] ||
		die "series: the tree has changes git am did not make"
}

step "series: checking $(basename "$LIST") against the overlay and patches/"
if [ "$MODE" = list ]; then
	# Its own scratch directory: make lint may run while a make series does.
	WORK=$(mktemp -d)
	trap 'rm -rf "$WORK"' EXIT
	parse_list
	exit 0
fi
parse_list

# The check's tree: unpacked and committed once per tarball (tag "base"),
# then put back to exactly that commit at every run (reset, and clean of
# every file it does not hold), which is as fresh as a new unpack.
if [ "$MODE" = check ]; then
	stamp=$(stat -c '%n %s %Y' "$TARBALL")
	if [ "$(cat "$TREE/.git/series-stamp" 2>/dev/null)" = "$stamp" ] &&
		git -C "$TREE" rev-parse -q --verify base >/dev/null; then
		git -C "$TREE" am --abort >/dev/null 2>&1 || true
		git -C "$TREE" checkout -q -f --detach base
		git -C "$TREE" clean -q -f -d -x
		step "series: build/series-tree back at the unpacked $(basename "$TARBALL") ($(elapsed "$T0"))"
	else
		step "series: fresh unpack of $(basename "$TARBALL") (build/series-tree)"
		unpack "$TREE"
		git -C "$TREE" init -q
		# -f: Debian's top-level .gitignore ignores everything but debian/.
		git -C "$TREE" add -A -f
		git -C "$TREE" -c user.name=upstream -c user.email=upstream@localhost \
			commit -q -m "Linux 6.12 (Debian linux-source-6.12)"
		git -C "$TREE" tag base
		echo "$stamp" >"$TREE/.git/series-stamp"
		step "series: unpacked and committed ($(elapsed "$T0"))"
	fi
fi
write_series
if [ "$MODE" = write ]; then
	[ -d "$TREE" ] && check_style
	exit 0
fi
check_style
check_build
step "series: ok, $(ls "$OUT" | grep -vc '^0000-') patches apply to pristine 6.12 and build one by one ($(elapsed "$T0"))"
