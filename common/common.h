/* SPDX-License-Identifier: MIT */
/*
 * common: what every guestcast module shares — the refcounted frame, the per-console frame
 * store with per-consumer damage, pixel formats, and small cleanup helpers.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <glib.h>

/* ---- cleanup helpers ---------------------------------------------------------------------- */

static inline void close_fdp(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

/* GLib 2.74 has no g_autofd. */
#define autoclose_fd __attribute__((cleanup(close_fdp)))

static inline int steal_fd(int *fd)
{
	int ret = *fd;

	*fd = -1;
	return ret;
}

/* ---- pixel formats (DRM fourcc codes, little-endian as DRM defines them) ------------------ */

#define FOURCC(a, b, c, d) \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))

#define FOURCC_XRGB8888 FOURCC('X', 'R', '2', '4')
#define FOURCC_ARGB8888 FOURCC('A', 'R', '2', '4')
#define FOURCC_XBGR8888 FOURCC('X', 'B', '2', '4')
#define FOURCC_ABGR8888 FOURCC('A', 'B', '2', '4')
#define FOURCC_RGBX8888 FOURCC('R', 'X', '2', '4')
#define FOURCC_RGBA8888 FOURCC('R', 'A', '2', '4')
#define FOURCC_BGRX8888 FOURCC('B', 'X', '2', '4')
#define FOURCC_BGRA8888 FOURCC('B', 'A', '2', '4')
#define FOURCC_RGB888	FOURCC('R', 'G', '2', '4')
#define FOURCC_BGR888	FOURCC('B', 'G', '2', '4')
#define FOURCC_RGB565	FOURCC('R', 'G', '1', '6')

#define MODIFIER_LINEAR	 0ull
#define MODIFIER_INVALID 0x00ffffffffffffffull

/* The largest surface side accepted from any peer. */
#define FRAME_MAX_SIDE 16384u

/* Bytes per pixel of a single-plane RGB format, 0 for formats we cannot address. */
uint32_t format_bpp(uint32_t fourcc);
/* A printable name ("XR24"); buf must hold 5 bytes. */
const char *format_name(uint32_t fourcc, char buf[5]);
/* Reads one pixel of a format_bpp() format as 0xRRGGBB. */
uint32_t format_read_rgb(uint32_t fourcc, const uint8_t *pixel);

/* ---- rectangles and damage ---------------------------------------------------------------- */

struct rect {
	int32_t x, y, w, h;
};

#define DAMAGE_MAX_RECTS 16

/* A small set of rectangles; beyond DAMAGE_MAX_RECTS it collapses to the bounding box. */
struct damage {
	uint32_t n;
	struct rect rects[DAMAGE_MAX_RECTS];
};

void damage_clear(struct damage *damage);
bool damage_empty(const struct damage *damage);
void damage_add(struct damage *damage, const struct rect *rect);
void damage_union(struct damage *damage, const struct damage *other);
struct rect damage_extents(const struct damage *damage);
/* Total area of the rectangles (an upper bound on the damaged pixels). */
uint64_t damage_area(const struct damage *damage);

/*
 * Clips r to a width x height surface. Returns false (and leaves r empty) when nothing is
 * left. Coordinates are checked for overflow, so any int32 input is safe.
 */
bool rect_clip(struct rect *r, uint32_t width, uint32_t height);

/* ---- frames ------------------------------------------------------------------------------- */

enum frame_storage {
	FRAME_STORAGE_SHM,
	FRAME_STORAGE_DMABUF,
};

#define FRAME_MAX_PLANES 4

struct frame_plane {
	int fd; /* dmabuf only, owned by the frame */
	uint32_t offset;
	uint32_t stride;
};

typedef void (*frame_release_fn)(void *data);

/*
 * A refcounted picture. Consumers read the public fields and never write them. The storage
 * is either CPU memory (pixels, stride) or dmabuf planes. A frame made with frame_new_view()
 * shares its parent's storage but has its own release hook: the pacing reply to QEMU hangs
 * on such a view.
 */
struct frame {
	enum frame_storage storage;
	uint32_t width, height;
	uint32_t fourcc;
	uint64_t modifier;
	bool y0_top;

	/* FRAME_STORAGE_SHM */
	const uint8_t *pixels;
	uint32_t stride;
	bool live; /* QEMU's shared memory: it changes in place, the store never copies it */

	/* FRAME_STORAGE_DMABUF */
	uint32_t n_planes;
	struct frame_plane planes[FRAME_MAX_PLANES];

	/* private */
	gint refcount;
	bool writable;
	struct frame *parent;
	gpointer owner;
	GDestroyNotify owner_free;
	frame_release_fn release;
	void *release_data;
};

/*
 * Wraps pixels owned by owner (freed with owner_free on the last unref) without copying.
 * Returns NULL and sets errno to EINVAL when the geometry does not fit size bytes.
 */
struct frame *frame_new_shm_take(uint32_t width, uint32_t height, uint32_t stride, uint32_t fourcc,
				 const void *pixels, size_t size, gpointer owner,
				 GDestroyNotify owner_free);
/* A writable, zeroed shm frame; NULL with errno EINVAL or ENOMEM. */
struct frame *frame_new_shm_alloc(uint32_t width, uint32_t height, uint32_t fourcc);
/* Takes ownership of the plane fds (also on failure). */
struct frame *frame_new_dmabuf_take(uint32_t width, uint32_t height, uint32_t fourcc,
				    uint64_t modifier, bool y0_top, uint32_t n_planes,
				    const struct frame_plane *planes);
/* A frame sharing parent's storage (holds a ref on it) with its own release hook. */
struct frame *frame_new_view(struct frame *parent, frame_release_fn release, void *data);

struct frame *frame_ref(struct frame *frame);
void frame_unref(struct frame *frame);
/* Writable pixels of a frame from frame_new_shm_alloc(), NULL for any other. */
uint8_t *frame_pixels_mut(struct frame *frame);

/* CPU access to a frame's pixels: shm directly, linear dmabufs through a read mapping. */
struct frame_mapping {
	const uint8_t *pixels;
	uint32_t stride;
	/* private */
	void *base;
	size_t len;
	int fd;
};

/* Returns 0, -ENOTSUP for a layout the CPU cannot read (tiled modifier), or -errno. */
int frame_map(struct frame *frame, struct frame_mapping *map);
void frame_unmap(struct frame_mapping *map);

/* ---- frame store: one console's current surface, shared by its consumers ------------------ */

struct frame_store;
struct frame_consumer;

/* Called on the store's main context when new damage waits for this consumer. */
typedef void (*frame_consumer_notify_fn)(void *data);

struct frame_store_stats {
	uint64_t updates;	      /* Scanout/Update/... applied */
	uint64_t rejected;	      /* messages refused as invalid */
	uint64_t bytes_copied;	      /* pixel bytes copied by the store */
	uint64_t surfaces;	      /* new surfaces (scanouts, resizes) */
	uint64_t copy_on_write_bytes; /* part of bytes_copied spent preserving a frame in use */
};

/*
 * Producers may call from any thread (the D-Bus worker applies QEMU's messages directly, so
 * nothing queues behind a slow consumer); notifications run on context (NULL: the default
 * main context).
 */
struct frame_store *frame_store_create(GMainContext *context);
void frame_store_destroy(struct frame_store *store);

/* A new surface (takes the reference); every consumer gets full damage. */
void frame_store_set_surface_take(struct frame_store *store, struct frame *frame);
/* No surface (the display was disabled); consumers are notified. */
void frame_store_disable(struct frame_store *store);
/*
 * Copies a rectangle of pixels into the shm surface. A rectangle beyond the surface grows it
 * (QEMU 7.2 may resize without a new Scanout). Returns 0, or -EINVAL with *field naming the
 * argument that was wrong (nothing is written then).
 */
int frame_store_update(struct frame_store *store, const struct rect *rect, const uint8_t *src,
		       size_t src_len, uint32_t src_stride, uint32_t fourcc, const char **field);
/*
 * Damage on the current (dmabuf or shared-memory) surface. When view is not NULL its
 * reference is taken and handed to every consumer; its release hook runs once every consumer
 * has dropped it (at once when there are none).
 */
int frame_store_damage_take(struct frame_store *store, const struct rect *rect, struct frame *view,
			    const char **field);
/*
 * The size the console reports (QEMU 7.2 may change mode without a new Scanout). An Update
 * beyond the surface resizes it to this hint when the hint covers it; a changed hint resizes
 * a pixel surface made of Scanout/Update at once, keeping the overlap.
 */
int frame_store_set_size_hint(struct frame_store *store, uint32_t width, uint32_t height);
void frame_store_get_stats(struct frame_store *store, struct frame_store_stats *stats);
/* Size of the current surface; false when there is none. */
bool frame_store_get_size(struct frame_store *store, uint32_t *width, uint32_t *height);

struct frame_consumer *frame_store_add_consumer(struct frame_store *store,
						frame_consumer_notify_fn notify, void *data);
void frame_store_remove_consumer(struct frame_store *store, struct frame_consumer *consumer);
/*
 * The frame to read now and the damage since this consumer's last take (then cleared).
 * time_us (may be NULL) receives the wall-clock time the oldest of that damage arrived.
 * Returns NULL when there is no surface. The caller owns the returned reference.
 */
struct frame *frame_consumer_take(struct frame_consumer *consumer, struct damage *damage,
				  int64_t *time_us);

/* ---- log rate limiting -------------------------------------------------------------------- */

/* At most `burst` messages per second per limiter; counts what it suppressed. */
struct ratelimit {
	gint64 window_start;
	uint32_t count;
	uint32_t suppressed;
};

/* True when the caller may log now; *suppressed gets how many were dropped before. */
bool ratelimit_allow(struct ratelimit *limit, uint32_t burst, uint32_t *suppressed);
