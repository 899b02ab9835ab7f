// SPDX-License-Identifier: MIT
#include "latency-stamp.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#define TEST_TIME_US 1732412345678901ull

struct picture {
	uint8_t *pixels;
	uint32_t width;
	uint32_t height;
	uint32_t stride;
};

/* A busy background, so the reader cannot rely on the stamp's surroundings being plain. */
static void picture_init(struct picture *pic, uint32_t width, uint32_t height, uint32_t pad)
{
	pic->width = width;
	pic->height = height;
	pic->stride = width * 4 + pad;
	pic->pixels = g_malloc0((gsize)pic->stride * height);
	for (uint32_t y = 0; y < height; y++) {
		for (uint32_t x = 0; x < width; x++) {
			uint8_t *p = pic->pixels + (gsize)y * pic->stride + x * 4;

			p[0] = (uint8_t)(x * 7 + y * 3);
			p[1] = (uint8_t)(x ^ y);
			p[2] = (uint8_t)(y * 5);
			p[3] = 0xff;
		}
	}
}

static void picture_clear(struct picture *pic)
{
	g_clear_pointer(&pic->pixels, g_free);
}

static int picture_read(const struct picture *pic, struct latency_stamp *out)
{
	memset(out, 0, sizeof(*out));
	return latency_stamp_read(pic->pixels, pic->width, pic->height, pic->stride, out);
}

/* Area-average scaling by 2/3: every 3×3 source pixels become 2×2, each a 1.5×1.5 box. */
static void picture_scale_two_thirds(const struct picture *src, struct picture *dst)
{
	dst->width = src->width * 2 / 3;
	dst->height = src->height * 2 / 3;
	dst->stride = dst->width * 4;
	dst->pixels = g_malloc0((gsize)dst->stride * dst->height);

	for (uint32_t dy = 0; dy < dst->height; dy++) {
		for (uint32_t dx = 0; dx < dst->width; dx++) {
			for (int c = 0; c < 4; c++) {
				double sum = 0.0;

				/* Source span [1.5 d, 1.5 d + 1.5) in doubled coordinates. */
				for (uint32_t sy2 = dy * 3; sy2 < dy * 3 + 3; sy2++) {
					for (uint32_t sx2 = dx * 3; sx2 < dx * 3 + 3; sx2++) {
						const uint8_t *p = src->pixels +
								   (gsize)(sy2 / 2) * src->stride +
								   (sx2 / 2) * 4;

						sum += p[c];
					}
				}
				dst->pixels[(gsize)dy * dst->stride + dx * 4 + c] =
					(uint8_t)(sum / 9.0 + 0.5);
			}
		}
	}
}

/* Inverts every pixel of one block, turning its bit over. */
static void picture_flip_block(struct picture *pic, uint32_t block, int row, int col)
{
	for (uint32_t y = row * block; y < (row + 1) * block; y++) {
		for (uint32_t x = col * block; x < (col + 1) * block; x++) {
			uint8_t *p = pic->pixels + (gsize)y * pic->stride + x * 4;

			for (int c = 0; c < 3; c++)
				p[c] = (uint8_t)~p[c];
		}
	}
}

static void test_crc_check_value(void)
{
	const char *check = "123456789";

	g_assert_cmphex(latency_stamp_crc16((const uint8_t *)check, strlen(check)), ==, 0x29b1);
	g_assert_cmphex(latency_stamp_crc16(NULL, 0), ==, 0xffff);
}

static void test_encode_layout(void)
{
	uint8_t msg[LATENCY_STAMP_MESSAGE_SIZE];

	latency_stamp_encode(msg, 0x0102030405060708ull, 0xa1b2);
	g_assert_cmphex(msg[0], ==, 0x01);
	g_assert_cmphex(msg[7], ==, 0x08);
	g_assert_cmphex(msg[8], ==, 0xa1);
	g_assert_cmphex(msg[9], ==, 0xb2);
	g_assert_cmphex(msg[10] << 8 | msg[11], ==, latency_stamp_crc16(msg, 10));
}

/* The layout itself, pixel by pixel: an independent reader must see the same blocks. */
static void test_draw_layout(void)
{
	struct picture pic;
	uint8_t msg[LATENCY_STAMP_MESSAGE_SIZE];
	const uint32_t b = 4;

	picture_init(&pic, 52 * b + 3, 2 * b + 1, 0);
	latency_stamp_draw(pic.pixels, pic.width, pic.height, pic.stride, b, TEST_TIME_US, 77);
	latency_stamp_encode(msg, TEST_TIME_US, 77);

	for (int row = 0; row < 2; row++) {
		for (int col = 0; col < 52; col++) {
			int bit = row * 48 + col - 2, want;

			if (col == 0 || col == 51)
				want = 1;
			else if (col == 1 || col == 50)
				want = 0;
			else
				want = msg[bit / 8] >> (7 - bit % 8) & 1;

			for (uint32_t y = row * b; y < (row + 1) * b; y++) {
				for (uint32_t x = col * b; x < (col + 1) * b; x++) {
					const uint8_t *p =
						pic.pixels + (gsize)y * pic.stride + x * 4;

					g_assert_cmpuint(p[0], ==, want ? 255 : 0);
					g_assert_cmpuint(p[1], ==, want ? 255 : 0);
					g_assert_cmpuint(p[2], ==, want ? 255 : 0);
				}
			}
		}
	}
	/* Nothing right of or below the stamp is touched. */
	g_assert_cmpuint(pic.pixels[52 * b * 4], ==, (uint8_t)(52 * b * 7));
	g_assert_cmpuint(pic.pixels[(gsize)2 * b * pic.stride + 1], ==, (uint8_t)(0 ^ (2 * b)));
	picture_clear(&pic);
}

static void check_round_trip(uint32_t block, uint32_t width, uint32_t height, uint32_t pad)
{
	struct picture pic;
	struct latency_stamp st;

	picture_init(&pic, width, height, pad);
	latency_stamp_draw(pic.pixels, pic.width, pic.height, pic.stride, block, TEST_TIME_US,
			   0xbeef);
	g_assert_cmpint(picture_read(&pic, &st), ==, 0);
	g_assert_cmpuint(st.time_us, ==, TEST_TIME_US);
	g_assert_cmpuint(st.counter, ==, 0xbeef);
	g_assert_cmpfloat_with_epsilon(st.block, (double)block, 1e-9);

	/* The remembered size decodes the next frame straight away. */
	latency_stamp_draw(pic.pixels, pic.width, pic.height, pic.stride, block, TEST_TIME_US + 1,
			   0xbef0);
	g_assert_cmpint(latency_stamp_read(pic.pixels, pic.width, pic.height, pic.stride, &st), ==,
			0);
	g_assert_cmpuint(st.time_us, ==, TEST_TIME_US + 1);
	g_assert_cmpuint(st.counter, ==, 0xbef0);
	picture_clear(&pic);
}

static void test_round_trip_block16(void)
{
	check_round_trip(16, 1280, 800, 0);
	check_round_trip(16, 832, 32, 0);
}

static void test_round_trip_block8(void)
{
	check_round_trip(8, 640, 480, 64);
	check_round_trip(8, 416, 16, 4);
}

static void test_round_trip_scaled(void)
{
	struct picture pic, small;
	struct latency_stamp st;

	picture_init(&pic, 1920, 1080, 0);
	latency_stamp_draw(pic.pixels, pic.width, pic.height, pic.stride, 16, TEST_TIME_US, 4242);
	picture_scale_two_thirds(&pic, &small);
	g_assert_cmpuint(small.width, ==, 1280);

	g_assert_cmpint(picture_read(&small, &st), ==, 0);
	g_assert_cmpuint(st.time_us, ==, TEST_TIME_US);
	g_assert_cmpuint(st.counter, ==, 4242);
	g_assert_cmpfloat(st.block, >, 16.0 * 2 / 3 - 0.5);
	g_assert_cmpfloat(st.block, <, 16.0 * 2 / 3 + 0.5);
	picture_clear(&small);
	picture_clear(&pic);
}

static void test_corrupted_bit(void)
{
	struct picture pic;
	struct latency_stamp st;

	picture_init(&pic, 1024, 64, 0);
	latency_stamp_draw(pic.pixels, pic.width, pic.height, pic.stride, 16, TEST_TIME_US, 1);
	g_assert_cmpint(picture_read(&pic, &st), ==, 0);

	/* Message bit 70: row 1, column 24. */
	picture_flip_block(&pic, 16, 1, 24);
	g_assert_cmpint(picture_read(&pic, &st), ==, -EINVAL);
	picture_flip_block(&pic, 16, 1, 24);
	g_assert_cmpint(picture_read(&pic, &st), ==, 0);

	/* A wrong right-hand guard: the data and CRC alone are not enough. */
	picture_flip_block(&pic, 16, 0, 50);
	g_assert_cmpint(picture_read(&pic, &st), ==, -EINVAL);
	picture_clear(&pic);
}

static void test_low_contrast(void)
{
	struct picture pic;
	struct latency_stamp st;

	picture_init(&pic, 832, 32, 0);
	latency_stamp_draw(pic.pixels, pic.width, pic.height, pic.stride, 16, TEST_TIME_US, 9);
	g_assert_cmpint(picture_read(&pic, &st), ==, 0);

	/* Squeeze 0…255 into 100…160: a contrast of 60, below the required 64. */
	for (gsize i = 0; i < (gsize)pic.stride * pic.height; i++)
		pic.pixels[i] = (uint8_t)(100 + pic.pixels[i] * 60 / 255);
	g_assert_cmpint(picture_read(&pic, &st), ==, -EINVAL);
	picture_clear(&pic);
}

static void test_too_small(void)
{
	struct picture pic, copy;
	struct latency_stamp st;

	/* One pixel narrower than 52 blocks: nothing may be drawn, nothing may be read. */
	picture_init(&pic, 52 * 16 - 1, 64, 0);
	picture_init(&copy, 52 * 16 - 1, 64, 0);
	latency_stamp_draw(pic.pixels, pic.width, pic.height, pic.stride, 16, TEST_TIME_US, 3);
	g_assert_cmpmem(pic.pixels, (gsize)pic.stride * pic.height, copy.pixels,
			(gsize)copy.stride * copy.height);
	g_assert_cmpint(picture_read(&pic, &st), ==, -EINVAL);
	picture_clear(&copy);
	picture_clear(&pic);

	/* Too short. */
	picture_init(&pic, 1024, 31, 0);
	latency_stamp_draw(pic.pixels, pic.width, pic.height, pic.stride, 16, TEST_TIME_US, 3);
	g_assert_cmpint(picture_read(&pic, &st), ==, -EINVAL);
	picture_clear(&pic);

	/* A stamp cut off by the right edge (drawn wide, read narrower) is unreadable too. */
	picture_init(&pic, 1024, 64, 0);
	latency_stamp_draw(pic.pixels, pic.width, pic.height, pic.stride, 16, TEST_TIME_US, 3);
	g_assert_cmpint(latency_stamp_read(pic.pixels, 52 * 16 - 8, 64, pic.stride,
					   &(struct latency_stamp){0}),
			==, -EINVAL);
	picture_clear(&pic);
}

static void test_no_stamp(void)
{
	struct picture pic;
	struct latency_stamp st;

	picture_init(&pic, 1280, 720, 0);
	g_assert_cmpint(picture_read(&pic, &st), ==, -EINVAL);
	memset(pic.pixels, 0xff, (gsize)pic.stride * pic.height);
	g_assert_cmpint(picture_read(&pic, &st), ==, -EINVAL);
	picture_clear(&pic);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/latency-stamp/crc-check-value", test_crc_check_value);
	g_test_add_func("/latency-stamp/encode-layout", test_encode_layout);
	g_test_add_func("/latency-stamp/draw-layout", test_draw_layout);
	g_test_add_func("/latency-stamp/round-trip-block16", test_round_trip_block16);
	g_test_add_func("/latency-stamp/round-trip-block8", test_round_trip_block8);
	g_test_add_func("/latency-stamp/round-trip-scaled-two-thirds", test_round_trip_scaled);
	g_test_add_func("/latency-stamp/corrupted-bit", test_corrupted_bit);
	g_test_add_func("/latency-stamp/low-contrast", test_low_contrast);
	g_test_add_func("/latency-stamp/too-small", test_too_small);
	g_test_add_func("/latency-stamp/no-stamp", test_no_stamp);
	return g_test_run();
}
