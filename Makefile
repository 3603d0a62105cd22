# SPDX-License-Identifier: GPL-2.0
#
# Driver of the swiotlb project: installs what it needs, builds a 6.12 kernel
# with our overlay, and boots it in QEMU. `make help` lists the targets.
#
# Everything it makes goes to build/ (git-ignored). Long steps print progress
# lines "==> [mm:ss] ..."; full logs are in build/logs/.

SHELL := /bin/bash
export TOP := $(CURDIR)
export MK_START := $(shell date +%s)

# Kernel command-line pieces (override on the command line).
# SWIOTLB_ARG: the swiotlb= boot parameter of every boot but make run's
# (RUN_SWIOTLB_ARG, default 512,force: a 1 MiB pool for the Rust NVMe driver).
export SWIOTLB_ARG ?= 2048,force
# KUNIT_ARGS, RUN_ARGS: extra kernel arguments of the test and run boots.
export KUNIT_ARGS ?=
export RUN_ARGS ?=

.PHONY: all help deps tree config kernel test run storage rust-pci lint bench stress compat series clean distclean

all: kernel

help:
	@echo 'make run        install deps, build, boot the kernel in QEMU and show the swiotlb state'
	@echo 'make test       the same, then KUnit + Rust doctests + boot checks; ends "N passed, N failed"'
	@echo 'make test ARCH=arm64  the C KUnit suites and a restricted DMA pool on QEMU arm64 virt'
	@echo 'make kernel     install deps and build build/obj/arch/x86/boot/bzImage'
	@echo 'make deps       install the Debian packages the build needs (root, apt-get)'
	@echo 'make tree       unpack linux-source-6.12, overlay our files, apply patches/'
	@echo 'make config     configure the kernel from configs/*.config'
	@echo 'make compat     build kernel/dma and the swiotlb callers for arm64 Xen, x86 Xen/SEV/TDX/Hyper-V'
	@echo '                and x86 without SWIOTLB_DYNAMIC; check their swiotlb symbols (ends "compat: ...")'
	@echo 'make storage    the storage boot of make test alone: NVMe and virtio-blk disks, dd jobs'
	@echo 'make rust-pci   the Rust PCI boot of make test alone: the Rust sample on QEMU NVMe'
	@echo 'make lint       checkpatch, kernel-doc, rustfmt and clippy on our files'
	@echo 'make bench      our swiotlb against upstream, alternately in QEMU, with NVMe and virtio-blk'
	@echo '                storage boots; writes bench/results/'
	@echo 'make stress     the swiotlb_stress suite alone, COUNT operations per thread (default 200000)'
	@echo 'make series     our work as a git format-patch series against pristine 6.12 in build/series/,'
	@echo '                checked: checkpatch --strict, git am on a fresh unpack, a build after every patch'
	@echo 'make clean      remove kernel objects and logs (keeps the unpacked tree)'
	@echo 'make distclean  remove build/ entirely'
	@echo
	@echo 'Variables: SWIOTLB_ARG=$(SWIOTLB_ARG)  KUNIT_ARGS=  RUN_ARGS='
	@echo '           KUNIT_TIMEOUT=900  RUN_TIMEOUT=300 (seconds of a QEMU boot)'
	@echo '           DEBUG_RUN=0 (make test without the debug kernel)  COUNT= (make stress)'
	@echo '           STORAGE_RUN=0 (make test without the storage boot)'
	@echo '           RUST_PCI_RUN=0 (make test without the Rust NVMe bad-input boots)'
	@echo '           RUN_SWIOTLB_ARG=512,force (make run: swiotlb= of the Rust NVMe boot)'
	@echo '           ROUNDS=5  BENCH_SECS=2 (make bench: rounds, seconds per map_benchmark case)'
	@echo '           BENCH_SMP="2 4" (make bench: guest CPU counts, one report each; default 2)'
	@echo '           BENCH_STORAGE=0 (make bench without its storage boots; =only: them alone)'
	@echo '           BENCH_RNVME=0 (make bench without the C-vs-Rust NVMe row; =only: it alone)'

deps:
	@mk/deps.sh

tree: deps
	@mk/tree.sh

config: tree
	@mk/config.sh

kernel: config
	@mk/build.sh

ifeq ($(ARCH),arm64)
# `make test ARCH=arm64`: the C suites and a restricted DMA pool on QEMU's
# arm64 virt machine (mk/test-arm64.sh, objects in build/obj-arm64). The
# other targets build and boot x86 only: refuse them rather than mix an
# arm64 build into build/obj.
ifneq ($(filter-out test help deps tree compat clean distclean,$(or $(MAKECMDGOALS),all)),)
$(error ARCH=arm64 goes with 'make test' only)
endif
test: tree
	@mk/test-arm64.sh
else
test: kernel
	@mk/test.sh
endif

run: kernel
	@mk/run.sh

storage: kernel
	@mk/storage.sh

rust-pci: kernel
	@mk/rust-pci.sh

lint: kernel
	@mk/lint.sh

bench: tree
	@mk/bench.sh

stress: kernel
	@mk/stress.sh

compat: tree
	@mk/compat.sh

series: deps
	@mk/series.sh

clean:
	rm -rf build/obj build/obj-debug build/obj-arm64 build/arm64.dtb* build/obj-bench-* build/compat-* build/logs build/initramfs.cpio build/initramfs.d build/fragment*.config build/series build/series-*

distclean:
	rm -rf build
