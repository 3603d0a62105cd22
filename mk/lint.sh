#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make lint`: the kernel's style checks on our files only:
# checkpatch --strict and kernel-doc on the C files, rustfmt and clippy on
# the Rust ones, that the swiotlb core's objects use one another only
# downwards through their layers (mk/tools/layers.py), and that
# mk/series.list maps every file. Clippy builds the
# Rust code once more with clippy-driver, so the next `make kernel`
# recompiles it. Exits non-zero on any finding.
. "$(dirname "$0")/lib.sh"

fail=0
mapfile -t cfiles < <(cd "$TOP" && git ls-files 'kernel/*.c' 'kernel/*.h' 'include/*.h' \
	'rust/helpers/*.c' 'samples/*.c')
mapfile -t rsfiles < <(cd "$TOP" && git ls-files 'rust/*.rs' 'samples/*.rs')
mapfile -t rsroots < <(cd "$TOP" && git ls-files 'rust/kernel/dma.rs' 'rust/kernel/pci.rs' \
	'rust/kernel/io.rs' 'rust/kernel/irq.rs' 'samples/rust/*.rs')

step "lint: checkpatch --strict ($((${#cfiles[@]} + ${#rsfiles[@]})) files)"
for f in "${cfiles[@]}" "${rsfiles[@]}"; do
	out=$("$KSRC/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types -f "$TOP/$f" 2>&1 |
		grep -vE '^(total|NOTE|$)' || true)
	# The TRACE_EVENT layout of trace headers always draws these CHECKs, and a
	# list of fields named by a macro (it cannot be parenthesised) COMPLEX_MACRO.
	[[ $f == include/trace/* ]] && out=$(grep -vE 'OPEN_ENDED_LINE|PARENTHESIS_ALIGNMENT|SPACING|COMPLEX_MACRO' <<<"$out" | grep -E '^(ERROR|WARNING|CHECK)' || true)
	if [ -n "$out" ]; then
		echo "$f:"; echo "$out"; fail=1
	fi
done

step "lint: kernel-doc -Wall"
for f in "${cfiles[@]}"; do
	out=$("$KSRC/scripts/kernel-doc" -none -Wall "$TOP/$f" 2>&1 || true)
	[ -z "$out" ] || { echo "$out"; fail=1; }
done

step "lint: rustfmt --check"
/usr/bin/rustfmt --check --config-path "$KSRC/.rustfmt.toml" --edition 2021 \
	"${rsroots[@]/#/$TOP/}" || fail=1

step "lint: clippy (log: ${LOGS#"$TOP"/}/clippy.log)"
kmake CLIPPY=1 CLIPPY_DRIVER=/usr/bin/clippy-driver -j"$(nproc)" vmlinux >"$LOGS/clippy.log" 2>&1 ||
	{ tail -n 30 "$LOGS/clippy.log"; fail=1; }
if grep -E '^\s+--> .*/(rust/kernel/(dma|pci\.rs|io\.rs|irq\.rs)|samples/rust)' "$LOGS/clippy.log"; then
	grep -E '^(warning|error)' "$LOGS/clippy.log" | sort | uniq -c
	fail=1
fi

step "lint: the swiotlb core's files use one another in layers (mk/tools/layers.py)"
python3 "$TOP/mk/tools/layers.py" "$KOBJ/kernel/dma" "$TOP/kernel/dma" || fail=1

step "lint: mk/series.list maps every overlay and patches/ file"
"$TOP/mk/series.sh" list >/dev/null || fail=1

[ $fail -eq 0 ] && step "lint: clean" || die "lint: findings above"
