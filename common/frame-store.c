/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-common"

#include <string.h>

#include "common.h"

/* Growth from an Update the console's size does not explain stops at 8K x 8K. */
#define FRAME_GROW_MAX_AREA (8192ull * 8192ull)

struct frame_consumer {
	struct frame_store *store;
	frame_consumer_notify_fn notify;
	void *data;
	struct damage damage;
	gint64 damage_since_us;
	struct frame *pending_view;
	bool dirty;
};

struct frame_store {
	GMutex lock;
	GMainContext *context;
	struct frame *current;
	GPtrArray *consumers;
	GSource *idle;
	uint32_t hint_width, hint_height;
	struct frame_store_stats stats;
};

struct frame_store *frame_store_create(GMainContext *context)
{
	struct frame_store *store = g_new0(struct frame_store, 1);

	g_mutex_init(&store->lock);
	store->context =
		context ? g_main_context_ref(context) : g_main_context_ref_thread_default();
	store->consumers = g_ptr_array_new();
	return store;
}

void frame_store_destroy(struct frame_store *store)
{
	if (!store)
		return;
	g_assert(store->consumers->len == 0);
	if (store->idle) {
		g_source_destroy(store->idle);
		g_source_unref(store->idle);
	}
	frame_unref(store->current);
	g_ptr_array_free(store->consumers, TRUE);
	g_main_context_unref(store->context);
	g_mutex_clear(&store->lock);
	g_free(store);
}

static gboolean on_notify_idle(gpointer data)
{
	struct frame_store *store = data;
	g_autoptr(GPtrArray) due = g_ptr_array_new();

	g_mutex_lock(&store->lock);
	g_clear_pointer(&store->idle, g_source_unref);
	for (guint i = 0; i < store->consumers->len; i++) {
		struct frame_consumer *c = store->consumers->pdata[i];

		if (c->dirty)
			g_ptr_array_add(due, c);
		c->dirty = false;
	}
	g_mutex_unlock(&store->lock);

	for (guint i = 0; i < due->len; i++) {
		struct frame_consumer *c = due->pdata[i];
		bool still_there;

		/* An earlier callback may have removed this consumer. */
		g_mutex_lock(&store->lock);
		still_there = g_ptr_array_find(store->consumers, c, NULL);
		g_mutex_unlock(&store->lock);
		if (still_there)
			c->notify(c->data);
	}
	return G_SOURCE_REMOVE;
}

static void schedule_notify_locked(struct frame_store *store)
{
	if (store->idle)
		return;
	store->idle = g_idle_source_new();
	g_source_set_priority(store->idle, G_PRIORITY_HIGH_IDLE);
	g_source_set_callback(store->idle, on_notify_idle, store, NULL);
	g_source_attach(store->idle, store->context);
}

static void damage_consumer_locked(struct frame_store *store, struct frame_consumer *c,
				   const struct rect *rect)
{
	damage_add(&c->damage, rect);
	if (c->damage_since_us == 0)
		c->damage_since_us = g_get_real_time();
	c->dirty = true;
	schedule_notify_locked(store);
}

static void damage_all_locked(struct frame_store *store, const struct rect *rect)
{
	for (guint i = 0; i < store->consumers->len; i++)
		damage_consumer_locked(store, store->consumers->pdata[i], rect);
}

static void damage_full_locked(struct frame_store *store)
{
	struct rect all = {0, 0, 0, 0};

	if (store->current)
		all = (struct rect){0, 0, (int32_t)store->current->width,
				    (int32_t)store->current->height};
	for (guint i = 0; i < store->consumers->len; i++) {
		struct frame_consumer *c = store->consumers->pdata[i];

		damage_clear(&c->damage);
		if (all.w > 0) {
			damage_consumer_locked(store, c, &all);
		} else {
			c->dirty = true;
			schedule_notify_locked(store);
		}
	}
}

/* Pending views belong to the old surface; dropping them lets their replies go out. */
static void take_pending_views_locked(struct frame_store *store, GPtrArray *out)
{
	for (guint i = 0; i < store->consumers->len; i++) {
		struct frame_consumer *c = store->consumers->pdata[i];

		if (c->pending_view)
			g_ptr_array_add(out, g_steal_pointer(&c->pending_view));
	}
}

static void replace_surface_locked(struct frame_store *store, struct frame *frame, GPtrArray *drop)
{
	if (store->current)
		g_ptr_array_add(drop, store->current);
	store->current = frame;
	take_pending_views_locked(store, drop);
	store->stats.surfaces++;
	damage_full_locked(store);
}

void frame_store_set_surface_take(struct frame_store *store, struct frame *frame)
{
	g_autoptr(GPtrArray) drop = g_ptr_array_new_with_free_func((GDestroyNotify)frame_unref);

	g_mutex_lock(&store->lock);
	replace_surface_locked(store, frame, drop);
	store->stats.updates++;
	g_mutex_unlock(&store->lock);
}

void frame_store_disable(struct frame_store *store)
{
	g_autoptr(GPtrArray) drop = g_ptr_array_new_with_free_func((GDestroyNotify)frame_unref);

	g_mutex_lock(&store->lock);
	replace_surface_locked(store, NULL, drop);
	g_mutex_unlock(&store->lock);
}

static void copy_rows(uint8_t *dst, uint32_t dst_stride, const uint8_t *src, uint32_t src_stride,
		      size_t row_bytes, uint32_t rows)
{
	for (uint32_t y = 0; y < rows; y++)
		memcpy(dst + (size_t)y * dst_stride, src + (size_t)y * src_stride, row_bytes);
}

/* A writable copy of the current surface at a new size, keeping the overlap. */
static struct frame *copy_surface_locked(struct frame_store *store, uint32_t width, uint32_t height)
{
	struct frame *old = store->current;
	struct frame *frame = frame_new_shm_alloc(width, height, old->fourcc);
	uint32_t bpp = format_bpp(old->fourcc);
	uint32_t rows = MIN(height, old->height);
	size_t row_bytes = (size_t)MIN(width, old->width) * bpp;

	if (!frame)
		return NULL;
	copy_rows(frame_pixels_mut(frame), frame->stride, old->pixels, old->stride, row_bytes,
		  rows);
	store->stats.bytes_copied += row_bytes * rows;
	return frame;
}

int frame_store_update(struct frame_store *store, const struct rect *rect, const uint8_t *src,
		       size_t src_len, uint32_t src_stride, uint32_t fourcc, const char **field)
{
	g_autoptr(GPtrArray) drop = g_ptr_array_new_with_free_func((GDestroyNotify)frame_unref);
	uint32_t bpp = format_bpp(fourcc);
	int64_t right = (int64_t)rect->x + rect->w, bottom = (int64_t)rect->y + rect->h;
	struct frame *cur;
	int ret = -EINVAL;

	*field = NULL;
	if (rect->x < 0 || rect->x >= (int32_t)FRAME_MAX_SIDE)
		*field = "x";
	else if (rect->y < 0 || rect->y >= (int32_t)FRAME_MAX_SIDE)
		*field = "y";
	else if (rect->w < 0 || right > FRAME_MAX_SIDE)
		*field = "width";
	else if (rect->h < 0 || bottom > FRAME_MAX_SIDE)
		*field = "height";
	else if (bpp == 0)
		*field = "format";
	else if ((uint64_t)src_stride < (uint64_t)rect->w * bpp)
		*field = "stride";
	else if (rect->w > 0 && rect->h > 0 &&
		 (uint64_t)src_stride * (uint64_t)(rect->h - 1) + (uint64_t)rect->w * bpp > src_len)
		*field = "data";
	if (*field)
		return -EINVAL;
	if (rect->w == 0 || rect->h == 0)
		return 0;

	g_mutex_lock(&store->lock);
	cur = store->current;
	if (!cur || cur->storage != FRAME_STORAGE_SHM) {
		*field = "surface";
		goto out;
	}
	if (cur->fourcc != fourcc) {
		*field = "format";
		goto out;
	}
	if (right > cur->width || bottom > cur->height) {
		uint32_t w = MAX(cur->width, (uint32_t)right),
			 h = MAX(cur->height, (uint32_t)bottom);
		struct frame *grown;

		if (store->hint_width >= right && store->hint_height >= bottom) {
			w = store->hint_width;
			h = store->hint_height;
		} else if ((uint64_t)w * h > FRAME_GROW_MAX_AREA) {
			/* A stray rectangle far out must not make us allocate gigabytes. */
			*field = right > cur->width ? "x" : "y";
			goto out;
		}
		grown = copy_surface_locked(store, w, h);
		if (!grown) {
			*field = "width";
			ret = -ENOMEM;
			goto out;
		}
		replace_surface_locked(store, grown, drop);
	} else if (!cur->writable || g_atomic_int_get(&cur->refcount) > 1) {
		/* A consumer still reads the current frame: write into a copy instead. */
		struct frame *copy;
		uint64_t before = store->stats.bytes_copied;

		copy = copy_surface_locked(store, cur->width, cur->height);
		if (!copy) {
			*field = "surface";
			ret = -ENOMEM;
			goto out;
		}
		store->stats.copy_on_write_bytes += store->stats.bytes_copied - before;
		g_ptr_array_add(drop, store->current);
		store->current = copy;
	}
	cur = store->current;
	copy_rows(frame_pixels_mut(cur) + (size_t)rect->y * cur->stride + (size_t)rect->x * bpp,
		  cur->stride, src, src_stride, (size_t)rect->w * bpp, (uint32_t)rect->h);
	store->stats.bytes_copied += (uint64_t)rect->w * bpp * rect->h;
	store->stats.updates++;
	damage_all_locked(store, rect);
	ret = 0;
out:
	if (ret < 0)
		store->stats.rejected++;
	g_mutex_unlock(&store->lock);
	return ret;
}

int frame_store_damage_take(struct frame_store *store, const struct rect *rect, struct frame *view,
			    const char **field)
{
	g_autoptr(GPtrArray) drop = g_ptr_array_new_with_free_func((GDestroyNotify)frame_unref);
	struct frame *cur;
	int64_t right = (int64_t)rect->x + rect->w, bottom = (int64_t)rect->y + rect->h;

	if (view)
		g_ptr_array_add(drop, view);
	*field = NULL;
	g_mutex_lock(&store->lock);
	cur = store->current;
	if (!cur)
		*field = "surface";
	else if (rect->x < 0 || rect->x >= (int32_t)cur->width)
		*field = "x";
	else if (rect->y < 0 || rect->y >= (int32_t)cur->height)
		*field = "y";
	else if (rect->w <= 0 || right > cur->width)
		*field = "width";
	else if (rect->h <= 0 || bottom > cur->height)
		*field = "height";
	if (*field) {
		store->stats.rejected++;
		g_mutex_unlock(&store->lock);
		return -EINVAL;
	}
	for (guint i = 0; i < store->consumers->len; i++) {
		struct frame_consumer *c = store->consumers->pdata[i];

		if (view) {
			if (c->pending_view)
				g_ptr_array_add(drop, c->pending_view);
			c->pending_view = frame_ref(view);
		}
		damage_consumer_locked(store, c, rect);
	}
	store->stats.updates++;
	g_mutex_unlock(&store->lock);
	return 0;
}

int frame_store_set_size_hint(struct frame_store *store, uint32_t width, uint32_t height)
{
	g_autoptr(GPtrArray) drop = g_ptr_array_new_with_free_func((GDestroyNotify)frame_unref);
	struct frame *cur, *resized;
	int ret = 0;

	if (width == 0 || height == 0 || width > FRAME_MAX_SIDE || height > FRAME_MAX_SIDE)
		return -EINVAL;
	g_mutex_lock(&store->lock);
	store->hint_width = width;
	store->hint_height = height;
	cur = store->current;
	/* Only pixels we own follow the hint; mapped and dmabuf surfaces are QEMU's. */
	if (!cur || cur->storage != FRAME_STORAGE_SHM || cur->live ||
	    (cur->width == width && cur->height == height))
		goto out;
	resized = copy_surface_locked(store, width, height);
	if (!resized) {
		ret = -ENOMEM;
		goto out;
	}
	replace_surface_locked(store, resized, drop);
out:
	g_mutex_unlock(&store->lock);
	return ret;
}

void frame_store_get_stats(struct frame_store *store, struct frame_store_stats *stats)
{
	g_mutex_lock(&store->lock);
	*stats = store->stats;
	g_mutex_unlock(&store->lock);
}

bool frame_store_get_size(struct frame_store *store, uint32_t *width, uint32_t *height)
{
	bool have;

	g_mutex_lock(&store->lock);
	have = store->current != NULL;
	if (have) {
		*width = store->current->width;
		*height = store->current->height;
	}
	g_mutex_unlock(&store->lock);
	return have;
}

struct frame_consumer *frame_store_add_consumer(struct frame_store *store,
						frame_consumer_notify_fn notify, void *data)
{
	struct frame_consumer *c = g_new0(struct frame_consumer, 1);

	c->store = store;
	c->notify = notify;
	c->data = data;
	g_mutex_lock(&store->lock);
	g_ptr_array_add(store->consumers, c);
	/* A new consumer starts with the whole picture. */
	if (store->current)
		damage_consumer_locked(store, c,
				       &(struct rect){0, 0, (int32_t)store->current->width,
						      (int32_t)store->current->height});
	g_mutex_unlock(&store->lock);
	return c;
}

void frame_store_remove_consumer(struct frame_store *store, struct frame_consumer *consumer)
{
	struct frame *pending;

	if (!consumer)
		return;
	g_mutex_lock(&store->lock);
	g_ptr_array_remove(store->consumers, consumer);
	pending = g_steal_pointer(&consumer->pending_view);
	g_mutex_unlock(&store->lock);
	frame_unref(pending);
	g_free(consumer);
}

struct frame *frame_consumer_take(struct frame_consumer *consumer, struct damage *damage,
				  int64_t *time_us)
{
	struct frame_store *store = consumer->store;
	struct frame *frame;

	g_mutex_lock(&store->lock);
	if (consumer->pending_view)
		frame = g_steal_pointer(&consumer->pending_view);
	else
		frame = store->current ? frame_ref(store->current) : NULL;
	if (damage)
		*damage = consumer->damage;
	if (time_us)
		*time_us = consumer->damage_since_us;
	damage_clear(&consumer->damage);
	consumer->damage_since_us = 0;
	consumer->dirty = false;
	g_mutex_unlock(&store->lock);
	return frame;
}
