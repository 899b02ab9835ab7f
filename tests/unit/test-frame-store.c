/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-test"

#include <string.h>

#include "common.h"

struct counter {
	int notified;
};

static void on_notify(void *data)
{
	((struct counter *)data)->notified++;
}

static void drain(void)
{
	while (g_main_context_iteration(NULL, FALSE))
		;
}

static struct frame *solid_scanout(uint32_t w, uint32_t h, uint8_t value)
{
	uint32_t stride = w * 4;
	uint8_t *px = g_malloc(stride * h);

	memset(px, value, stride * h);
	return frame_new_shm_take(w, h, stride, FOURCC_XRGB8888, px, stride * h, px, g_free);
}

static void test_damage_merges(void)
{
	struct damage d;
	struct rect r;

	damage_clear(&d);
	damage_add(&d, &(struct rect){0, 0, 10, 10});
	damage_add(&d, &(struct rect){2, 2, 3, 3}); /* covered */
	g_assert_cmpuint(d.n, ==, 1);
	for (int i = 0; i < 40; i++)
		damage_add(&d, &(struct rect){20 + i * 3, 20, 2, 2});
	g_assert_cmpuint(d.n, <=, DAMAGE_MAX_RECTS);
	r = damage_extents(&d);
	g_assert_cmpint(r.x, ==, 0);
	g_assert_cmpint(r.x + r.w, ==, 20 + 39 * 3 + 2);
	/* A full repaint replaces everything it covers. */
	damage_add(&d, &(struct rect){0, 0, 1000, 1000});
	g_assert_cmpuint(d.n, ==, 1);
}

static void test_rect_clip_extremes(void)
{
	struct rect r = {G_MAXINT32 - 1, 0, G_MAXINT32, 5};

	g_assert_false(rect_clip(&r, 100, 100));
	r = (struct rect){-50, -50, 100, 100};
	g_assert_true(rect_clip(&r, 30, 30));
	g_assert_cmpint(r.x, ==, 0);
	g_assert_cmpint(r.w, ==, 30);
	r = (struct rect){G_MININT32, G_MININT32, G_MAXINT32, G_MAXINT32};
	g_assert_false(rect_clip(&r, 30, 30));
}

static void test_update_and_damage(void)
{
	struct frame_store *store = frame_store_create(NULL);
	struct counter a = {0}, b = {0};
	struct frame_consumer *ca = frame_store_add_consumer(store, on_notify, &a);
	struct frame_consumer *cb = frame_store_add_consumer(store, on_notify, &b);
	uint8_t patch[4 * 4 * 4];
	struct damage damage;
	struct frame *f;
	const char *field;
	int64_t t;

	frame_store_set_surface_take(store, solid_scanout(64, 32, 0x10));
	drain();
	g_assert_cmpint(a.notified, ==, 1);
	f = frame_consumer_take(ca, &damage, &t);
	g_assert_nonnull(f);
	g_assert_cmpuint(damage.n, ==, 1);
	g_assert_cmpint(damage.rects[0].w, ==, 64);
	g_assert_cmpint(t, >, 0);
	frame_unref(f);

	memset(patch, 0xff, sizeof(patch));
	g_assert_cmpint(frame_store_update(store, &(struct rect){8, 8, 4, 4}, patch, sizeof(patch),
					   16, FOURCC_XRGB8888, &field),
			==, 0);
	drain();
	f = frame_consumer_take(ca, &damage, NULL);
	g_assert_cmpuint(damage.n, ==, 1);
	g_assert_cmpint(damage.rects[0].x, ==, 8);
	g_assert_cmpint(damage.rects[0].w, ==, 4);
	g_assert_cmphex(f->pixels[8 * f->stride + 8 * 4], ==, 0xff);
	g_assert_cmphex(f->pixels[7 * f->stride + 8 * 4], ==, 0x10);

	/* While a consumer still reads f, a new update must not change it. */
	patch[0] = 0x42;
	g_assert_cmpint(frame_store_update(store, &(struct rect){8, 8, 1, 1}, patch, 4, 4,
					   FOURCC_XRGB8888, &field),
			==, 0);
	g_assert_cmphex(f->pixels[8 * f->stride + 8 * 4], ==, 0xff);
	frame_unref(f);

	/* b never took: its damage accumulated (full scanout covers all). */
	f = frame_consumer_take(cb, &damage, NULL);
	g_assert_cmpuint(damage.n, ==, 1);
	g_assert_cmpint(damage.rects[0].w, ==, 64);
	g_assert_cmphex(f->pixels[8 * f->stride + 8 * 4], ==, 0x42);
	frame_unref(f);

	/* No new damage, no notification. */
	drain();
	a.notified = b.notified = 0;
	drain();
	g_assert_cmpint(a.notified + b.notified, ==, 0);

	frame_store_remove_consumer(store, ca);
	frame_store_remove_consumer(store, cb);
	frame_store_destroy(store);
}

static void test_update_rejects_bad_input(void)
{
	struct frame_store *store = frame_store_create(NULL);
	struct frame_store_stats stats;
	uint8_t px[64] = {0};
	const char *field;

	/* Before any Scanout. */
	g_assert_cmpint(frame_store_update(store, &(struct rect){0, 0, 1, 1}, px, 4, 4,
					   FOURCC_XRGB8888, &field),
			==, -EINVAL);
	g_assert_cmpstr(field, ==, "surface");
	frame_store_set_surface_take(store, solid_scanout(16, 16, 0));

	g_assert_cmpint(frame_store_update(store, &(struct rect){-1, 0, 1, 1}, px, 4, 4,
					   FOURCC_XRGB8888, &field),
			==, -EINVAL);
	g_assert_cmpstr(field, ==, "x");
	g_assert_cmpint(frame_store_update(store, &(struct rect){0, 0, G_MAXINT32, 1}, px, 4,
					   G_MAXUINT32, FOURCC_XRGB8888, &field),
			==, -EINVAL);
	g_assert_cmpstr(field, ==, "width");
	g_assert_cmpint(frame_store_update(store, &(struct rect){0, 0, 4, 1}, px, 64, 8,
					   FOURCC_XRGB8888, &field),
			==, -EINVAL);
	g_assert_cmpstr(field, ==, "stride");
	g_assert_cmpint(frame_store_update(store, &(struct rect){0, 0, 4, 4}, px, 63, 16,
					   FOURCC_XRGB8888, &field),
			==, -EINVAL);
	g_assert_cmpstr(field, ==, "data");
	g_assert_cmpint(frame_store_update(store, &(struct rect){0, 0, 1, 1}, px, 4, 4,
					   FOURCC_RGB565, &field),
			==, -EINVAL);
	g_assert_cmpstr(field, ==, "format");
	frame_store_get_stats(store, &stats);
	/* Counted once the surface is consulted: the missing one and the format mismatch. */
	g_assert_cmpuint(stats.rejected, ==, 2);
	frame_store_destroy(store);
}

static void test_resize_without_scanout(void)
{
	struct frame_store *store = frame_store_create(NULL);
	struct frame_consumer *c = frame_store_add_consumer(store, on_notify, &(struct counter){0});
	uint8_t row[720 * 4];
	const char *field;
	uint32_t w, h;

	memset(row, 0x80, sizeof(row));
	frame_store_set_surface_take(store, solid_scanout(640, 480, 0));
	/* QEMU 7.2 after a switch to 720x400 text: rows wider than the last Scanout. */
	frame_store_set_size_hint(store, 640, 480);
	g_assert_cmpint(frame_store_update(store, &(struct rect){0, 0, 720, 16}, row, sizeof(row),
					   0, FOURCC_XRGB8888, &field),
			==, -EINVAL); /* stride 0 < width */
	g_assert_cmpint(frame_store_update(store, &(struct rect){0, 0, 720, 1}, row, sizeof(row),
					   sizeof(row), FOURCC_XRGB8888, &field),
			==, 0);
	g_assert_true(frame_store_get_size(store, &w, &h));
	g_assert_cmpuint(w, ==, 720);
	g_assert_cmpuint(h, ==, 480);
	/* The console's properties catch up: the surface follows, keeping the overlap. */
	g_assert_cmpint(frame_store_set_size_hint(store, 720, 400), ==, 0);
	g_assert_true(frame_store_get_size(store, &w, &h));
	g_assert_cmpuint(h, ==, 400);
	{
		struct frame *f = frame_consumer_take(c, NULL, NULL);

		g_assert_cmphex(f->pixels[719 * 4], ==, 0x80);
		frame_unref(f);
	}
	/* With the hint known first, the first wider Update lands on the right size at once. */
	frame_store_set_surface_take(store, solid_scanout(640, 480, 0));
	g_assert_cmpint(frame_store_update(store, &(struct rect){0, 16, 720, 1}, row, sizeof(row),
					   sizeof(row), FOURCC_XRGB8888, &field),
			==, 0);
	g_assert_true(frame_store_get_size(store, &w, &h));
	g_assert_cmpuint(w, ==, 720);
	g_assert_cmpuint(h, ==, 400);
	frame_store_remove_consumer(store, c);
	frame_store_destroy(store);
}

struct release_probe {
	int released;
};

static void on_release(void *data)
{
	((struct release_probe *)data)->released++;
}

static void test_view_released_by_every_consumer(void)
{
	struct frame_store *store = frame_store_create(NULL);
	struct frame_consumer *a = frame_store_add_consumer(store, on_notify, &(struct counter){0});
	struct frame_consumer *b = frame_store_add_consumer(store, on_notify, &(struct counter){0});
	struct release_probe probe = {0};
	struct frame *surface = solid_scanout(32, 32, 0), *fa, *fb;
	const char *field;

	frame_store_set_surface_take(store, frame_ref(surface));
	g_assert_cmpint(frame_store_damage_take(store, &(struct rect){0, 0, 8, 8},
						frame_new_view(surface, on_release, &probe),
						&field),
			==, 0);
	g_assert_cmpint(probe.released, ==, 0);
	fa = frame_consumer_take(a, NULL, NULL);
	frame_unref(fa);
	g_assert_cmpint(probe.released, ==, 0); /* b has not looked yet */
	fb = frame_consumer_take(b, NULL, NULL);
	frame_unref(fb);
	g_assert_cmpint(probe.released, ==, 1);

	/* A view outside the surface is refused and released at once (the reply must go). */
	g_assert_cmpint(frame_store_damage_take(store, &(struct rect){30, 30, 8, 8},
						frame_new_view(surface, on_release, &probe),
						&field),
			==, -EINVAL);
	g_assert_cmpstr(field, ==, "width");
	g_assert_cmpint(probe.released, ==, 2);

	/* A consumer leaving releases what it held. */
	frame_store_damage_take(store, &(struct rect){0, 0, 1, 1},
				frame_new_view(surface, on_release, &probe), &field);
	frame_store_remove_consumer(store, a);
	g_assert_cmpint(probe.released, ==, 2);
	frame_store_remove_consumer(store, b);
	g_assert_cmpint(probe.released, ==, 3);
	frame_unref(surface);
	frame_store_destroy(store);
}

static void test_frame_geometry_checked(void)
{
	uint8_t px[16] = {0};

	g_assert_null(frame_new_shm_take(4, 1, 8, FOURCC_XRGB8888, px, sizeof(px), NULL, NULL));
	g_assert_null(frame_new_shm_take(2, 2, 8, FOURCC_XRGB8888, px, 15, NULL, NULL));
	g_assert_null(frame_new_shm_take(20000, 1, 80000, FOURCC_XRGB8888, px, 16, NULL, NULL));
	g_assert_null(frame_new_shm_take(1, 1, 4, 0x12345678, px, 16, NULL, NULL));
	g_assert_null(frame_new_shm_alloc(16385, 1, FOURCC_XRGB8888));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/frame-store/damage-merges", test_damage_merges);
	g_test_add_func("/frame-store/rect-clip-extremes", test_rect_clip_extremes);
	g_test_add_func("/frame-store/update-and-damage", test_update_and_damage);
	g_test_add_func("/frame-store/update-rejects-bad-input", test_update_rejects_bad_input);
	g_test_add_func("/frame-store/resize-without-scanout", test_resize_without_scanout);
	g_test_add_func("/frame-store/view-released-by-every-consumer",
			test_view_released_by_every_consumer);
	g_test_add_func("/frame-store/frame-geometry-checked", test_frame_geometry_checked);
	return g_test_run();
}
