// SPDX-License-Identifier: GPL-2.0
/*
 * rnvme-io DEV START_MIB: direct I/O at odd buffer offsets and lengths, for
 * the Rust NVMe driver's checks (run.d/70-rnvme.sh). Built static into the
 * initramfs by mk/initramfs.sh.
 *
 * Each case writes a run of 512-byte sectors from a buffer that starts at a
 * given offset in a page (O_DIRECT: the queue's dma_alignment lets the
 * buffer start on any 4-byte boundary), so that the request's first
 * segment starts inside a page and its last one may end inside one: the
 * PRP shapes of one page, two pages, a list, a list of 32, and requests the
 * block layer splits. Every sector holds a stamp: its LBA (8 bytes, little
 * endian), the case number (8 bytes), then bytes computed from both, which
 * the host checks in the disk image after the boot (mk/check-rnvme-image.py)
 * to catch a request written at the wrong place. Each case is then read
 * back into a buffer at another offset and compared.
 *
 * Prints "rnvme-io: case N: buf+OFF LEN bytes at sector S: ok|..." per case
 * and "rnvme-io: cases=N ok=N sectors=N first=S" at the end; exits 1 if a
 * case failed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECTOR 512

struct io_case {
	size_t buf_off;	/* where the buffer starts in its page */
	size_t len;	/* bytes, a multiple of SECTOR */
};

static const struct io_case cases[] = {
	{ 0, 4096 },			/* one page */
	{ 512, 4096 },			/* PRP1 inside a page, PRP2 */
	{ 4, 8192 },			/* three pages: a list of two */
	{ 2048, 12288 },		/* four pages */
	{ 3584, 512 },			/* one sector at a page's end */
	{ 0, 131072 },			/* 32 pages: PRP1 and a list of 31 */
	{ 512, 131072 },		/* 33 pages: a list of 32 */
	{ 1024, 262144 + 1536 },	/* split by the block layer */
};

static void fill(unsigned char *p, uint64_t lba, uint64_t c)
{
	size_t i;

	memcpy(p, &lba, 8);
	memcpy(p + 8, &c, 8);
	for (i = 16; i < SECTOR; i++)
		p[i] = (unsigned char)(lba * 131 + c * 31 + i);
}

int main(int argc, char **argv)
{
	size_t n = sizeof(cases) / sizeof(cases[0]), ok = 0, k, sectors = 0;
	uint64_t first, lba;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: rnvme-io DEV START_MIB\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	first = strtoull(argv[2], NULL, 0) * 2048;
	lba = first;
	for (k = 0; k < n; k++) {
		const struct io_case *c = &cases[k];
		size_t s, cnt = c->len / SECTOR, roff = (c->buf_off + 1024) % 4096;
		unsigned char *wbuf, *rbuf, *w, *r;
		ssize_t got;

		if (posix_memalign((void **)&wbuf, 4096, c->len + 8192) ||
		    posix_memalign((void **)&rbuf, 4096, c->len + 8192)) {
			fprintf(stderr, "rnvme-io: out of memory\n");
			return 1;
		}
		w = wbuf + c->buf_off;
		r = rbuf + roff;
		for (s = 0; s < cnt; s++)
			fill(w + s * SECTOR, lba + s, k);
		memset(r, 0xa5, c->len);
		got = pwrite(fd, w, c->len, (off_t)(lba * SECTOR));
		if (got != (ssize_t)c->len) {
			printf("rnvme-io: case %zu: buf+%zu %zu bytes at sector %llu: write returned %zd (%m)\n",
			       k, c->buf_off, c->len, (unsigned long long)lba, got);
		} else if ((got = pread(fd, r, c->len, (off_t)(lba * SECTOR))) != (ssize_t)c->len) {
			printf("rnvme-io: case %zu: buf+%zu %zu bytes at sector %llu: read returned %zd (%m)\n",
			       k, c->buf_off, c->len, (unsigned long long)lba, got);
		} else if (memcmp(w, r, c->len)) {
			printf("rnvme-io: case %zu: buf+%zu %zu bytes at sector %llu: read back differs\n",
			       k, c->buf_off, c->len, (unsigned long long)lba);
		} else {
			printf("rnvme-io: case %zu: buf+%zu %zu bytes at sector %llu: ok\n",
			       k, c->buf_off, c->len, (unsigned long long)lba);
			ok++;
		}
		lba += cnt;
		sectors += cnt;
		free(wbuf);
		free(rbuf);
	}
	close(fd);
	printf("rnvme-io: cases=%zu ok=%zu sectors=%zu first=%llu\n", n, ok, sectors,
	       (unsigned long long)first);
	return ok == n ? 0 : 1;
}
