#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make compat`: prove that our swiotlb still builds in the configurations
# upstream's swiotlb serves, and that every swiotlb symbol its callers need is
# defined by kernel/dma. For each configuration below: defconfig of its
# architecture, our symbols switched on or off with scripts/config, then
# olddefconfig (every requested symbol must survive); `prepare`, then
# kernel/dma/ and every in-tree caller of the swiotlb API, objects only (no
# link, no boot), in build/compat-<name>/. Then `llvm-nm -u` on those objects:
# each undefined symbol whose name holds "swiotlb" or "io_tlb" must be defined
# by kernel/dma/built-in.a (or by one of the callers themselves, such as
# swiotlb-xen's own xen_swiotlb_dma_ops); with DMA_RESTRICTED_POOL, a
# kernel/dma object must also register the "restricted-dma-pool" handler.
# Last, mk/tools/layers.py on the configuration's kernel/dma objects: the
# core's files use one another only downwards through their layers.
#
# Checks go to build/logs/compat-checks.txt ("ok NAME" / "not ok NAME"), each
# configuration's log to build/logs/compat-<name>.log; the last line is
# "compat: N passed, N failed". A failing configuration does not stop the
# others. LLVM=1 cross-compiles arm64 with the same clang: no other toolchain.
#
# usage: mk/compat.sh [NAME...]   (default: every configuration)
. "$(dirname "$0")/lib.sh"

# As mk/build.sh: the same ccache, paths hashed relative to the checkout.
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$TOP}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

CONFIGS="arm64-xen x86-xen-cc x86-nodynamic x86-tdx x86-32-pae x86-rust-nodynamic"
checks=$LOGS/compat-checks.txt

# What our own test code needs, in every configuration (the KUnit suites
# watch the swiotlb_bounced tracepoint: TRACEPOINTS). RUST stays off: the
# Rust side is built by `make test`, and would make these builds far longer.
TEST_SYMS="KUNIT DEBUG_FS FAULT_INJECTION TRACEPOINTS SWIOTLB_KUNIT_TEST SWIOTLB_CORE_KUNIT_TEST !RUST"

# compat_config NAME: set arch, syms (SYM: must end up =y; !SYM: must end up unset;
# SYM?: wanted, but Kconfig may refuse it for a reason this configuration
# explains, i.e. a dependency on a symbol it turns off), and objs (what to
# compile: "CONFIG_GUARD:path", a path ending in / is a directory; the guard
# must be =y, so that no object is compiled that its configuration leaves out).
#
# The callers are the 6.12 files that call the swiotlb API or include its
# headers (grep -rlw 'swiotlb_[a-z_]*\|io_tlb_[a-z_]*' and
# '<linux/swiotlb.h>\|swiotlb-xen.h' over arch/{x86,arm64,arm/xen}, drivers,
# mm and kernel), less those of other architectures, 32-bit x86 (sta2x11)
# and comments.
compat_config() {
	local common="-:kernel/dma/ -:drivers/base/core.o -:mm/slab_common.o
		CONFIG_IOMMU_DMA:drivers/iommu/dma-iommu.o"
	case $1 in
	arm64-xen)
		arch=arm64
		# arm64's defconfig has no tracing: FTRACE and the default
		# tracers bring TRACEPOINTS, as in configs/arm64/swiotlb.config.
		syms="XEN DMA_RESTRICTED_POOL IOMMU_DMA SWIOTLB_DYNAMIC SWIOTLB_TEST_DEVICE
			FTRACE ENABLE_DEFAULT_TRACERS $TEST_SYMS"
		objs="$common -:arch/arm64/mm/init.o -:arch/arm64/mm/dma-mapping.o
			CONFIG_XEN:arch/arm64/xen/ CONFIG_OF:drivers/of/
			CONFIG_XEN:drivers/xen/grant-table.o
			CONFIG_SWIOTLB_XEN:drivers/xen/swiotlb-xen.o" ;;
	x86-xen-cc)
		arch=x86_64
		# TDX needs X86_X2APIC, which x86_64_defconfig leaves out.
		syms="XEN XEN_PV XEN_PVHVM XEN_DOM0 SWIOTLB_XEN AMD_MEM_ENCRYPT X86_X2APIC INTEL_TDX_GUEST
			HYPERV SWIOTLB_DYNAMIC SWIOTLB_TEST_DEVICE $TEST_SYMS"
		objs="$common -:arch/x86/kernel/pci-dma.o -:arch/x86/kernel/setup.o
			CONFIG_CRASH_RESERVE:kernel/crash_reserve.o
			CONFIG_X86_MEM_ENCRYPT:arch/x86/mm/mem_encrypt.o
			CONFIG_AMD_MEM_ENCRYPT:arch/x86/mm/mem_encrypt_amd.o
			CONFIG_XEN_PV:arch/x86/xen/mmu_pv.o
			CONFIG_XEN:drivers/xen/grant-table.o
			CONFIG_SWIOTLB_XEN:drivers/xen/swiotlb-xen.o
			CONFIG_XEN_PCIDEV_FRONTEND:drivers/pci/xen-pcifront.o" ;;
	x86-nodynamic)
		arch=x86_64
		syms="!SWIOTLB_DYNAMIC SWIOTLB_TEST_DEVICE? $TEST_SYMS"
		objs="$common -:arch/x86/kernel/pci-dma.o -:arch/x86/kernel/setup.o
			CONFIG_CRASH_RESERVE:kernel/crash_reserve.o" ;;
	x86-tdx)
		# A TDX guest without SEV: dynamic pools, no atomic DMA pool
		# (only AMD_MEM_ENCRYPT selects DMA_COHERENT_POOL on x86).
		arch=x86_64
		syms="X86_X2APIC INTEL_TDX_GUEST !AMD_MEM_ENCRYPT !DMA_COHERENT_POOL SWIOTLB_DYNAMIC
			SWIOTLB_TEST_DEVICE $TEST_SYMS"
		objs="$common -:arch/x86/kernel/pci-dma.o -:arch/x86/kernel/setup.o
			CONFIG_X86_MEM_ENCRYPT:arch/x86/mm/mem_encrypt.o" ;;
	x86-32-pae)
		# 32-bit x86 with PAE, where SWIOTLB is selected: no 64-bit
		# division may reach the linker.
		arch=i386
		syms="HIGHMEM64G !HIGHMEM4G !NOHIGHMEM X86_PAE SWIOTLB SWIOTLB_DYNAMIC SWIOTLB_TEST_DEVICE $TEST_SYMS"
		objs="$common -:arch/x86/kernel/pci-dma.o" ;;
	x86-rust-nodynamic)
		# The Rust side and its doctests (which map on test devices)
		# without dynamic pools: kernel::dma and the doctests must build,
		# and so must the blk-mq users of the changed kernel::block::mq
		# (rnull, which no other configuration builds, and the Rust NVMe
		# driver sample).
		arch=x86_64
		syms="!SWIOTLB_DYNAMIC RUST RUST_KERNEL_DOCTESTS SWIOTLB_TEST_DEVICE
			BLK_DEV_RUST_NULL SAMPLES SAMPLES_RUST SAMPLE_RUST_NVME_PCI
			${TEST_SYMS/!RUST/}"
		objs="$common -:rust/ CONFIG_BLK_DEV_RUST_NULL:drivers/block/rnull.o
			CONFIG_SAMPLE_RUST_NVME_PCI:samples/rust/" ;;
	*)
		die "no compat configuration '$1' (there are: $CONFIGS)" ;;
	esac
}

# ckmake ARGS...: kmake for this configuration (kmake_vars takes ARCH from
# the environment).
ckmake() {
	ARCH=$arch kmake "$@"
}

# clog CMD...: run CMD with its output appended to $log; on failure show the
# compiler's errors and the tail of the log, and exit.
clog() {
	if ! "$@" >>"$log" 2>&1; then
		printf '\nerror: %s: "%s" failed; errors and last lines of %s:\n' \
			"$name" "$*" "${log#"$TOP"/}" >&2
		grep -E ': (fatal )?error:' "$log" | sort -u | head -n 20 >&2 || true
		echo '...' >&2
		grep -v 'not remade because of errors' "$log" | tail -n 40 >&2
		exit 1
	fi
}

# kconfig_depends SYM: the "depends on" lines of SYM's Kconfig entry.
kconfig_depends() {
	local f
	f=$(grep -rlx --include='Kconfig*' "config $1" "$KSRC" | head -n 1)
	[ -n "$f" ] || { echo "no such symbol in this tree's Kconfig"; return; }
	awk -v sym="config $1" '$0 == sym { on = 1; next }
		on && /^(config|menuconfig|endmenu|menu|if|endif|choice|source)/ { exit }
		on && $1 == "depends" { sub(/^[ \t]+/, ""); printf "%s%s", sep, $0; sep = "; " }' "$f"
}

# configure: defconfig + our symbols + olddefconfig in .config.compat, each
# requested symbol checked; .config is replaced only when that differs, so
# that an unchanged configuration rebuilds nothing.
configure() {
	local cfg=$KOBJ/.config.compat s sym off="" opts=() bad=0 val dep why o guard req

	for s in $syms; do
		case $s in
		!*) opts+=(-d "${s#!}"); off+=" ${s#!}" ;;
		*) opts+=(-e "${s%\?}") ;;
		esac
	done
	step "compat: $name: $arch defconfig +$(printf ' %s' $syms) (log: ${log#"$TOP"/})"
	# Kconfig takes 10 s a run: reuse the last result while neither the
	# request nor a Kconfig file or defconfig of the tree has changed.
	req="$arch defconfig$(printf ' %s' $syms)"
	if [ -f "$KOBJ/.config" ] && [ -f "$cfg" ] && [ "$(cat "$cfg.request" 2>/dev/null)" = "$req" ] &&
		[ -z "$(find "$KSRC" \( -name 'Kconfig*' -o -name '*defconfig' \) -newer "$cfg" -print -quit)" ]; then
		echo "configuration unchanged: $req" >>"$log"
	else
		rm -f "$cfg" "$cfg.request"
		clog ckmake "KCONFIG_CONFIG=$cfg" defconfig
		clog "$KSRC/scripts/config" --file "$cfg" "${opts[@]}"
		clog ckmake "KCONFIG_CONFIG=$cfg" olddefconfig
		echo "$req" >"$cfg.request"
	fi

	for s in $syms; do
		sym=${s#!}
		sym=${sym%\?}
		val=$(sed -n "s/^CONFIG_$sym=//p" "$cfg")
		case $s in
		!*)
			[ -z "$val" ] && continue
			echo "error: $name: CONFIG_$sym is $val, but this configuration turns it off" >&2
			bad=1 ;;
		*\?)
			if [ "$val" = y ]; then
				echo "$name: CONFIG_$sym=y"
				continue
			fi
			why=""
			dep=$(kconfig_depends "$sym")
			for o in $off; do
				grep -qw "$o" <<<"$dep" && why=$o
			done
			if [ -n "$why" ]; then
				echo "$name: CONFIG_$sym not set: Kconfig refuses it ($dep), expected with $why off here"
			else
				echo "error: $name: CONFIG_$sym was refused ($dep), and not for a symbol this configuration turns off" >&2
				bad=1
			fi ;;
		*)
			[ "$val" = y ] && continue
			echo "error: $name: CONFIG_$sym=y was refused by Kconfig ($(kconfig_depends "$sym"))" >&2
			bad=1 ;;
		esac
	done

	for o in $objs; do
		guard=${o%%:*}
		[ "$guard" = - ] || grep -qx "$guard=y" "$cfg" && continue
		echo "error: $name: ${o#*:} needs $guard=y, which this configuration does not have" >&2
		bad=1
	done
	# For the log: where every symbol of ours ended up.
	grep -E '^(# )?CONFIG_(SWIOTLB|DMA_RESTRICTED_POOL|IOMMU_DMA|RUST)[A-Z_]*[= ]' "$cfg" >>"$log" || true
	[ $bad -eq 0 ] || exit 1
	cmp -s "$cfg" "$KOBJ/.config" || cp "$cfg" "$KOBJ/.config"
}

# build: `prepare`, then kernel/dma/ and the callers (-k: every error shows).
build() {
	local targets=() o
	for o in $objs; do
		targets+=("${o#*:}")
	done
	step "compat: $name: prepare"
	clog ckmake -j"$(nproc)" prepare
	step "compat: $name: compiling ${targets[*]}"
	clog ckmake -k -j"$(nproc)" "${targets[@]}"
}

# symbols: every swiotlb symbol the objects need is defined by kernel/dma.
symbols() {
	local callers=() o path need kdma own report missing n sym file

	for o in $objs; do
		path=${o#*:}
		case $path in
		*/) callers+=("$KOBJ/${path}built-in.a") ;;
		*) callers+=("$KOBJ/$path") ;;
		esac
	done
	# "file: name type ..." of each undefined swiotlb symbol.
	need=$(llvm-nm -A -u --format=posix "${callers[@]}" |
		awk '$2 ~ /swiotlb|io_tlb/ { sub(/:$/, "", $1); print $2, $1 }' | sort -u)
	kdma=$(llvm-nm -g --defined-only --format=posix "$KOBJ/kernel/dma/built-in.a" |
		awk 'NF >= 2 && $1 !~ /:$/ { print $1 }' | sort -u)
	own=$(llvm-nm -g --defined-only --format=posix "${callers[@]}" |
		awk 'NF >= 2 && $1 !~ /:$/ { print $1 }' | sort -u | comm -23 - <(echo "$kdma"))
	report=$(while read -r sym file; do
		[ -n "$sym" ] || continue
		file=${file#"$KOBJ"/}
		if grep -qxF "$sym" <<<"$kdma"; then
			echo "kernel/dma $sym (needed by $file)"
		elif grep -qxF "$sym" <<<"$own"; then
			echo "caller     $sym (needed by $file)"
		else
			echo "MISSING    $sym (needed by $file)"
		fi
	done <<<"$need")
	printf '== swiotlb symbols the objects need, and who defines them\n%s\n' "$report" >>"$log"
	n=$(awk 'NF { print $1 }' <<<"$need" | sort -u | grep -c . || true)
	missing=$(grep '^MISSING' <<<"$report" || true)
	if [ -n "$missing" ]; then
		echo "error: $name: swiotlb symbols needed but not defined by kernel/dma:" >&2
		sed 's/^MISSING */  /' <<<"$missing" >&2
		exit 1
	fi
	step "compat: $name: all $n swiotlb symbols the objects need are defined (kernel/dma or the callers)"

	# What our own objects need: no compiler helper (a 64-bit division on
	# a 32-bit kernel does not link), and no symbol that some kernel/dma
	# file defines in another configuration but not in this one (such as
	# dma_free_from_pool() without DMA_COHERENT_POOL). Objects are not
	# linked here, so this is how such references show.
	local ours=() ourneeds helpers elsewhere absent
	mapfile -t ours < <(ls "$KOBJ"/kernel/dma/swiotlb*.o 2>/dev/null)
	ourneeds=$(llvm-nm -u --format=posix "${ours[@]}" | awk 'NF >= 2 && $1 !~ /:$/ { print $1 }' |
		sort -u)
	helpers=$(grep -E '^__(u?div|u?mod)[sd]i3$|^__aeabi_u?l?div' <<<"$ourneeds" || true)
	elsewhere=$(ls "$BUILD"/obj*/kernel/dma/*.o "$BUILD"/compat-*/kernel/dma/*.o 2>/dev/null |
		grep -v '/swiotlb[^/]*\.o$' | xargs -r llvm-nm -g --defined-only --format=posix 2>/dev/null |
		awk 'NF >= 2 && $1 !~ /:$/ { print $1 }' | sort -u)
	absent=$(comm -12 <(echo "$ourneeds") <(echo "$elsewhere") | comm -23 - <(echo "$kdma"))
	if [ -n "$helpers$absent" ]; then
		echo "error: $name: kernel/dma/swiotlb*.o need what this kernel does not have:" >&2
		for sym in $helpers; do
			echo "  $sym (a compiler helper the kernel does not link)" >&2
		done
		for sym in $absent; do
			echo "  $sym (defined by kernel/dma only in other configurations)" >&2
		done
		exit 1
	fi
	step "compat: $name: kernel/dma/swiotlb*.o need no compiler helper and nothing kernel/dma lacks here"

	# drivers/of finds the restricted-pool handler through a table, not a
	# symbol: some kernel/dma object must hold its entry.
	grep -qx CONFIG_DMA_RESTRICTED_POOL=y "$KOBJ/.config" || return 0
	local table=$KOBJ/reservedmem_of_table.bin
	for o in $(cd "$KOBJ" && llvm-ar t kernel/dma/built-in.a); do
		rm -f "$table"
		llvm-objcopy -O binary --only-section=__reservedmem_of_table "$KOBJ/$o" "$table" \
			2>/dev/null || continue
		grep -aq restricted-dma-pool "$table" || continue
		step "compat: $name: $o registers the restricted-dma-pool reserved-memory handler"
		return 0
	done
	echo "error: $name: no kernel/dma object registers a \"restricted-dma-pool\" reserved-memory handler" \
		"(RESERVEDMEM_OF_DECLARE), so of_reserved_mem.c would never set up a restricted pool" >&2
	exit 1
}

# One configuration, in a process of its own: set -e holds in it, and its
# failure stops only it.
if [ "${1:-}" = --build ] || [ "${1:-}" = --symbols ]; then
	name=$2
	compat_config "$name"
	KOBJ=$BUILD/compat-$name
	log=$LOGS/compat-$name.log
	mkdir -p "$KOBJ"
	if [ "$1" = --build ]; then
		: >"$log"
		configure
		build
	else
		symbols
	fi
	exit 0
fi

names=${*:-$CONFIGS}
for name in $names; do
	compat_config "$name"
done
: >"$checks"
for name in $names; do
	start=$SECONDS
	rc=0
	"$BASH" "$0" --build "$name" || rc=$?
	t=$((SECONDS - start))
	step "compat: $name: $([ $rc -eq 0 ] && echo built || echo failed) in $((t / 60))m$((t % 60))s"
	record_check "$checks" "$name: kernel/dma and the swiotlb callers build" test $rc -eq 0
	tail -n 1 "$checks"
	if [ $rc -eq 0 ]; then
		"$BASH" "$0" --symbols "$name" || rc=$?
	else
		echo "$name: symbols not checked: the build failed"
	fi
	record_check "$checks" "$name: every swiotlb symbol the callers need is defined by kernel/dma" \
		test $rc -eq 0
	tail -n 1 "$checks"
	# The layers of the core hold in this configuration too (what calls
	# what changes with SWIOTLB_DYNAMIC, DEBUG_FS, the architecture).
	lrc=1
	if [ $rc -eq 0 ]; then
		lrc=0
		python3 "$TOP/mk/tools/layers.py" "$BUILD/compat-$name/kernel/dma" >"$LOGS/compat-$name-layers.log" 2>&1 ||
			{ lrc=1; cat "$LOGS/compat-$name-layers.log"; }
	else
		echo "$name: layers not checked: the build or the symbol check failed"
	fi
	record_check "$checks" "$name: the swiotlb core's files use one another in layers" test $lrc -eq 0
	tail -n 1 "$checks"
done

passed=$(grep -c '^ok ' "$checks" || true)
failed=$(grep -c '^not ok ' "$checks" || true)
echo "compat: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
