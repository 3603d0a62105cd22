#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# arm64-dtb.sh [DTB]: the device tree of the arm64 test boot (default
# build/arm64.dtb). QEMU's own tree of `-M virt` (dumped with the CPU, CPU
# count and memory size of the boot) plus:
#
#   /reserved-memory/restricted-dma@...  a "restricted-dma-pool" of
#       RMEM_POOL_MB MiB (4) at a fixed address in the middle of RAM: the
#       swiotlb of the devices that name it (CONFIG_DMA_RESTRICTED_POOL);
#   /swiotlb-test  compatible "swiotlb-test,restricted-dma-user", whose
#       memory-region is that pool: the swiotlb_restricted_pool KUnit suite
#       (kernel/dma/swiotlb_rmem_kunit.c) gives its test device this node.
#
# Made again only when missing or when the machine or this script changed
# (the record beside it: DTB.inputs). The editable source stays as DTB.dts.
# The tree always goes through dtc: QEMU's raw dump (a 1 MiB blob) passed
# back with -dtb boots no kernel, not even unedited.
. "$(dirname "$0")/lib.sh"

dtb=${1:-$BUILD/arm64.dtb}
cpu=${QEMU_CPU:-max} smp=${QEMU_SMP:-2} mem=${QEMU_MEM:-1024}
pool_mb=${RMEM_POOL_MB:-4}
inputs="cpu=$cpu smp=$smp mem=$mem pool_mb=$pool_mb script=$(sha1sum <"$0" | cut -c1-12)"
[ -f "$dtb" ] && [ "$(cat "$dtb.inputs" 2>/dev/null)" = "$inputs" ] && exit 0

command -v dtc >/dev/null || die "dtc not found: run 'make deps' (package device-tree-compiler)"
[ "$mem" -ge 64 ] || die "QEMU_MEM=$mem: the arm64 boot needs at least 64 MiB"
# QEMU's virt machine puts RAM at 1 GiB. The pool goes in its middle,
# aligned to 4 MiB: above the kernel image and the tree QEMU loads at the
# start of RAM, below what memblock hands out top-down.
ram=$((0x40000000))
base=$(( (ram + (mem << 19)) & ~((4 << 20) - 1) ))
size=$((pool_mb << 20))
[ $((base + size)) -le $((ram + (mem << 20))) ] || die "a $pool_mb MiB pool does not fit in $mem MiB"

step "dtb: QEMU's virt tree plus a $pool_mb MiB restricted DMA pool at $(printf '%#x' $base) (${dtb#"$TOP"/})"
tmp=$dtb.tmp
mkdir -p "$(dirname "$dtb")"
rm -f "$tmp".*
qemu-system-aarch64 -M "virt,dumpdtb=$tmp.qemu" -cpu "$cpu" -smp "$smp" -m "$mem" \
	-nographic -nodefaults >"$tmp.log" 2>&1 || { cat "$tmp.log" >&2; die "QEMU could not dump its device tree"; }
dtc -q -I dtb -O dts -o "$tmp.qemu.dts" "$tmp.qemu"

# The nodes go in before the root node's closing brace, its last line.
hex() { printf '0x%x 0x%08x' $(($1 >> 32)) $(($1 & 0xffffffff)); }
nodes=$(cat <<EOF

	reserved-memory {
		#address-cells = <0x02>;
		#size-cells = <0x02>;
		ranges;

		swiotlb_rmem: restricted-dma@$(printf '%x' $base) {
			compatible = "restricted-dma-pool";
			reg = <$(hex $base) $(hex $size)>;
		};
	};

	swiotlb-test {
		compatible = "swiotlb-test,restricted-dma-user";
		memory-region = <&swiotlb_rmem>;
	};
EOF
)
[ "$(tail -n 1 "$tmp.qemu.dts")" = "};" ] || die "unexpected end of QEMU's device tree ($tmp.qemu.dts)"
grep -q 'reserved-memory' "$tmp.qemu.dts" && die "QEMU's device tree has a /reserved-memory node already"
{ head -n -1 "$tmp.qemu.dts"; printf '%s\n};\n' "$nodes"; } >"$tmp.dts"
dtc -q -I dts -O dtb -o "$tmp" "$tmp.dts"
mv "$tmp.dts" "$dtb.dts"
mv "$tmp" "$dtb"
echo "$inputs" >"$dtb.inputs"
rm -f "$tmp".*
