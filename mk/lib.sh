# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the mk/ scripts: paths, progress lines and logged commands.
# Sourced, never run.

set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$TOP/build}
KSRC=${KSRC:-$BUILD/linux}		# unpacked 6.12 tree with our overlay and patches
KOBJ=${KOBJ:-$BUILD/obj}		# O= output of the kernel build
LOGS=${LOGS:-$BUILD/logs}
TARBALL=${TARBALL:-/usr/src/linux-source-6.12.tar.xz}
MK_START=${MK_START:-$(date +%s)}
export TOP BUILD KSRC KOBJ LOGS TARBALL MK_START

mkdir -p "$BUILD" "$LOGS"

# step MESSAGE: one progress line with the time since `make` started.
step() {
	local t=$(( $(date +%s) - MK_START ))
	printf '==> [%02d:%02d] %s\n' $((t / 60)) $((t % 60)) "$*"
}

# objname: " (obj-...)" for a kernel built elsewhere than build/obj, for step lines.
objname() {
	[ "$KOBJ" = "$BUILD/obj" ] || printf ' (%s)' "${KOBJ#"$BUILD"/}"
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# record_check FILE NAME CMD...: append "ok NAME" or "not ok NAME" to FILE,
# as CMD succeeds or not (boot checks, counted by mk/summary.py).
record_check() {
	local file=$1 name=$2
	shift 2
	if "$@" >/dev/null 2>&1; then
		echo "ok $name" >>"$file"
	else
		echo "not ok $name" >>"$file"
	fi
}

# logged LOG CMD...: run CMD with its output in LOG; on failure show the tail.
logged() {
	local log=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		printf '\nerror: "%s" failed; last lines of %s:\n' "$*" "$log" >&2
		tail -n 40 "$log" >&2
		exit 1
	fi
}

# The make variables of every kernel build: LLVM, Debian's Rust tools, ccache.
# ccache comes in through Debian's masquerade link: rustc takes HOSTCC as its
# linker, so "ccache clang" with a space would not do. ARCH comes from the
# environment (x86_64 unless set; `make test ARCH=arm64` cross-compiles with
# the same clang).
kmake_vars() {
	local cc=clang

	[ -x /usr/lib/ccache/clang ] && cc=/usr/lib/ccache/clang
	printf '%s\n' LLVM=1 "ARCH=${ARCH:-x86_64}" "O=$KOBJ" "CC=$cc" "HOSTCC=$cc" \
		RUSTC=/usr/bin/rustc HOSTRUSTC=/usr/bin/rustc \
		RUSTDOC=/usr/bin/rustdoc BINDGEN=/usr/bin/bindgen \
		KBUILD_BUILD_TIMESTAMP=2026-01-01 KBUILD_BUILD_USER=swiotlb \
		KBUILD_BUILD_HOST=build
}

kmake() {
	local vars
	mapfile -t vars < <(kmake_vars)
	make -C "$KSRC" "${vars[@]}" "$@"
}
