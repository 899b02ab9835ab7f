/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-common"

#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "common.h"

static void dmabuf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync sync = {.flags = flags | DMA_BUF_SYNC_READ};

	/* memfd stand-ins answer ENOTTY; they need no cache maintenance. */
	while (ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync) < 0 && errno == EINTR)
		;
}

int frame_map(struct frame *frame, struct frame_mapping *map)
{
	const struct frame_plane *plane = &frame->planes[0];
	size_t len;
	void *base;

	*map = (struct frame_mapping){.fd = -1};
	if (frame->storage == FRAME_STORAGE_SHM) {
		map->pixels = frame->pixels;
		map->stride = frame->stride;
		return 0;
	}
	/* A tiled or compressed layout read linearly would be garbage: refuse it. */
	if ((frame->modifier != MODIFIER_LINEAR && frame->modifier != MODIFIER_INVALID) ||
	    frame->n_planes != 1 || format_bpp(frame->fourcc) == 0)
		return -ENOTSUP;
	len = (size_t)plane->offset + (size_t)plane->stride * frame->height;
	base = mmap(NULL, len, PROT_READ, MAP_SHARED, plane->fd, 0);
	if (base == MAP_FAILED)
		return -errno;
	dmabuf_sync(plane->fd, DMA_BUF_SYNC_START);
	map->base = base;
	map->len = len;
	map->fd = plane->fd;
	map->pixels = (const uint8_t *)base + plane->offset;
	map->stride = plane->stride;
	return 0;
}

void frame_unmap(struct frame_mapping *map)
{
	if (map->base) {
		dmabuf_sync(map->fd, DMA_BUF_SYNC_END);
		munmap(map->base, map->len);
	}
	*map = (struct frame_mapping){.fd = -1};
}
