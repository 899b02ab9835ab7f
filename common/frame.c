/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-common"

#include "common.h"

static bool geometry_ok(uint32_t width, uint32_t height, uint32_t stride, uint32_t fourcc,
			size_t size)
{
	uint32_t bpp = format_bpp(fourcc);

	if (bpp == 0 || width == 0 || height == 0 || width > FRAME_MAX_SIDE ||
	    height > FRAME_MAX_SIDE)
		return false;
	if ((uint64_t)stride < (uint64_t)width * bpp)
		return false;
	/* The last row need not be padded to the full stride. */
	return (uint64_t)stride * (height - 1) + (uint64_t)width * bpp <= size;
}

struct frame *frame_new_shm_take(uint32_t width, uint32_t height, uint32_t stride, uint32_t fourcc,
				 const void *pixels, size_t size, gpointer owner,
				 GDestroyNotify owner_free)
{
	struct frame *frame;

	if (!pixels || !geometry_ok(width, height, stride, fourcc, size)) {
		if (owner_free && owner)
			owner_free(owner);
		errno = EINVAL;
		return NULL;
	}
	frame = g_new0(struct frame, 1);
	frame->refcount = 1;
	frame->storage = FRAME_STORAGE_SHM;
	frame->width = width;
	frame->height = height;
	frame->stride = stride;
	frame->fourcc = fourcc;
	frame->modifier = MODIFIER_LINEAR;
	frame->y0_top = true;
	frame->pixels = pixels;
	frame->owner = owner;
	frame->owner_free = owner_free;
	return frame;
}

struct frame *frame_new_shm_alloc(uint32_t width, uint32_t height, uint32_t fourcc)
{
	uint32_t bpp = format_bpp(fourcc);
	struct frame *frame;
	uint32_t stride;
	void *pixels;

	if (bpp == 0 || width == 0 || height == 0 || width > FRAME_MAX_SIDE ||
	    height > FRAME_MAX_SIDE) {
		errno = EINVAL;
		return NULL;
	}
	/* 64-byte rows suit SIMD colour conversion downstream. */
	stride = (width * bpp + 63u) & ~63u;
	pixels = g_try_malloc0((gsize)stride * height);
	if (!pixels) {
		errno = ENOMEM;
		return NULL;
	}
	frame = frame_new_shm_take(width, height, stride, fourcc, pixels, (size_t)stride * height,
				   pixels, g_free);
	frame->writable = true;
	return frame;
}

struct frame *frame_new_dmabuf_take(uint32_t width, uint32_t height, uint32_t fourcc,
				    uint64_t modifier, bool y0_top, uint32_t n_planes,
				    const struct frame_plane *planes)
{
	struct frame *frame;

	if (n_planes == 0 || n_planes > FRAME_MAX_PLANES || width == 0 || height == 0 ||
	    width > FRAME_MAX_SIDE || height > FRAME_MAX_SIDE) {
		for (uint32_t i = 0; i < MIN(n_planes, FRAME_MAX_PLANES); i++)
			close(planes[i].fd);
		errno = EINVAL;
		return NULL;
	}
	frame = g_new0(struct frame, 1);
	frame->refcount = 1;
	frame->storage = FRAME_STORAGE_DMABUF;
	frame->width = width;
	frame->height = height;
	frame->fourcc = fourcc;
	frame->modifier = modifier;
	frame->y0_top = y0_top;
	frame->n_planes = n_planes;
	for (uint32_t i = 0; i < n_planes; i++)
		frame->planes[i] = planes[i];
	for (uint32_t i = n_planes; i < FRAME_MAX_PLANES; i++)
		frame->planes[i].fd = -1;
	frame->stride = planes[0].stride;
	return frame;
}

struct frame *frame_new_view(struct frame *parent, frame_release_fn release, void *data)
{
	struct frame *frame = g_new(struct frame, 1);

	*frame = *parent;
	frame->refcount = 1;
	frame->writable = false;
	frame->parent = frame_ref(parent);
	frame->owner = NULL;
	frame->owner_free = NULL;
	frame->release = release;
	frame->release_data = data;
	return frame;
}

struct frame *frame_ref(struct frame *frame)
{
	g_atomic_int_inc(&frame->refcount);
	return frame;
}

void frame_unref(struct frame *frame)
{
	if (!frame || !g_atomic_int_dec_and_test(&frame->refcount))
		return;
	if (frame->release)
		frame->release(frame->release_data);
	if (frame->parent) {
		frame_unref(frame->parent);
	} else {
		if (frame->owner_free)
			frame->owner_free(frame->owner);
		for (uint32_t i = 0; frame->storage == FRAME_STORAGE_DMABUF && i < frame->n_planes;
		     i++)
			close(frame->planes[i].fd);
	}
	g_free(frame);
}

uint8_t *frame_pixels_mut(struct frame *frame)
{
	return frame->writable ? (uint8_t *)frame->pixels : NULL;
}
