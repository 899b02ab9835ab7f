// SPDX-License-Identifier: MIT
#include "latency-stamp.h"

#include <errno.h>
#include <string.h>

#define WHITE_XRGB   0xffffffffu
#define BLACK_XRGB   0xff000000u
#define MIN_CONTRAST 64.0
/* The search for an unknown block size spans ±2 px around the measured edge in 1/8 px steps. */
#define SEARCH_STEPS 16
#define SEARCH_STEP  0.125
/* Widest block the edge scan can measure (40 is the largest size the document promises). */
#define EDGE_SCAN_MAX_BLOCK 48

uint16_t latency_stamp_crc16(const uint8_t *data, size_t len)
{
	uint16_t crc = 0xffff;

	for (size_t i = 0; i < len; i++) {
		crc ^= (uint16_t)data[i] << 8;
		for (int bit = 0; bit < 8; bit++)
			crc = crc & 0x8000 ? (uint16_t)(crc << 1) ^ 0x1021 : (uint16_t)(crc << 1);
	}
	return crc;
}

void latency_stamp_encode(uint8_t msg[LATENCY_STAMP_MESSAGE_SIZE], uint64_t time_us,
			  uint16_t counter)
{
	uint16_t crc;

	for (int i = 0; i < 8; i++)
		msg[i] = (uint8_t)(time_us >> (56 - 8 * i));
	msg[8] = (uint8_t)(counter >> 8);
	msg[9] = (uint8_t)counter;
	crc = latency_stamp_crc16(msg, 10);
	msg[10] = (uint8_t)(crc >> 8);
	msg[11] = (uint8_t)crc;
}

/* Guards first, then the message bits: column col of row row is white? */
static int stamp_bit(const uint8_t *msg, int row, int col)
{
	int bit;

	if (col == 0 || col == LATENCY_STAMP_COLUMNS - 1)
		return 1;
	if (col == 1 || col == LATENCY_STAMP_COLUMNS - 2)
		return 0;
	bit = row * 48 + col - 2;
	return (msg[bit / 8] >> (7 - bit % 8)) & 1;
}

void latency_stamp_draw(uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
			uint32_t block, uint64_t time_us, uint16_t counter)
{
	uint8_t msg[LATENCY_STAMP_MESSAGE_SIZE];

	if (!pixels || block == 0 || (uint64_t)width < (uint64_t)LATENCY_STAMP_COLUMNS * block ||
	    (uint64_t)height < (uint64_t)LATENCY_STAMP_ROWS * block)
		return;

	latency_stamp_encode(msg, time_us, counter);
	for (uint32_t y = 0; y < LATENCY_STAMP_ROWS * block; y++) {
		uint8_t *line = pixels + (size_t)y * stride;
		int row = (int)(y / block);

		for (int col = 0; col < LATENCY_STAMP_COLUMNS; col++) {
			uint32_t value = stamp_bit(msg, row, col) ? WHITE_XRGB : BLACK_XRGB;
			uint8_t *p = line + (size_t)col * block * 4;

			/* memcpy: the caller's stride need not keep 32-bit alignment. */
			for (uint32_t x = 0; x < block; x++)
				memcpy(p + x * 4, &value, 4);
		}
	}
}

/* BT.601 full-range luma of one B, G, R, X pixel, 0…255. */
static unsigned int pixel_luma(const uint8_t *p)
{
	return (29u * p[0] + 150u * p[1] + 77u * p[2] + 128u) >> 8;
}

/* First pixel whose centre lies at or after position pos (pos >= 0; no libm for the guest). */
static long first_pixel_at(double pos)
{
	double v = pos - 0.5;
	long i = (long)v;

	return (double)i < v ? i + 1 : i;
}

/*
 * Mean luma of the centre half of block (row, col) for block size b; negative if that area is
 * outside the picture.
 */
static double block_luma(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
			 double b, int row, int col)
{
	long x0 = first_pixel_at((col + 0.25) * b), x1 = first_pixel_at((col + 0.75) * b);
	long y0 = first_pixel_at((row + 0.25) * b), y1 = first_pixel_at((row + 0.75) * b);
	unsigned long sum = 0;

	/* Tiny or blurred blocks still give one sample rather than none. */
	if (x1 <= x0)
		x1 = x0 + 1;
	if (y1 <= y0)
		y1 = y0 + 1;
	if (x0 < 0 || y0 < 0 || x1 > (long)width || y1 > (long)height)
		return -1.0;

	for (long y = y0; y < y1; y++) {
		const uint8_t *line = pixels + (size_t)y * stride;

		for (long x = x0; x < x1; x++)
			sum += pixel_luma(line + x * 4);
	}
	return (double)sum / (double)((x1 - x0) * (y1 - y0));
}

static int decode_at(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
		     double b, struct latency_stamp *out)
{
	static const int white_cols[] = {0, LATENCY_STAMP_COLUMNS - 1};
	static const int black_cols[] = {1, LATENCY_STAMP_COLUMNS - 2};
	double luma[LATENCY_STAMP_ROWS][LATENCY_STAMP_COLUMNS];
	double white = 0.0, black = 0.0, threshold;
	uint8_t msg[LATENCY_STAMP_MESSAGE_SIZE] = {0};

	if (b < 1.0 || b * LATENCY_STAMP_COLUMNS > width + 0.5 ||
	    b * LATENCY_STAMP_ROWS > height + 0.5)
		return -EINVAL;

	for (int row = 0; row < LATENCY_STAMP_ROWS; row++) {
		for (int col = 0; col < LATENCY_STAMP_COLUMNS; col++) {
			luma[row][col] = block_luma(pixels, width, height, stride, b, row, col);
			if (luma[row][col] < 0.0)
				return -EINVAL;
		}
	}

	for (int row = 0; row < LATENCY_STAMP_ROWS; row++) {
		for (int i = 0; i < 2; i++) {
			white += luma[row][white_cols[i]] / 4.0;
			black += luma[row][black_cols[i]] / 4.0;
		}
	}
	if (white - black < MIN_CONTRAST)
		return -EINVAL;
	threshold = (white + black) / 2.0;

	/* A mean can pass while one guard is wrong, so each guard must also sit on its side. */
	for (int row = 0; row < LATENCY_STAMP_ROWS; row++) {
		for (int i = 0; i < 2; i++) {
			if (luma[row][white_cols[i]] <= threshold ||
			    luma[row][black_cols[i]] >= threshold)
				return -EINVAL;
		}
	}

	for (int row = 0; row < LATENCY_STAMP_ROWS; row++) {
		for (int col = 2; col < LATENCY_STAMP_COLUMNS - 2; col++) {
			int bit = row * 48 + col - 2;

			if (luma[row][col] > threshold)
				msg[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
		}
	}
	if (latency_stamp_crc16(msg, 10) != ((uint16_t)msg[10] << 8 | msg[11]))
		return -EINVAL;

	out->time_us = 0;
	for (int i = 0; i < 8; i++)
		out->time_us = out->time_us << 8 | msg[i];
	out->counter = (uint16_t)(msg[8] << 8 | msg[9]);
	out->block = b;
	return 0;
}

/*
 * Block size estimated from the first white-to-black edge of row 0 (the end of the left white
 * guard), to sub-pixel precision so that scaled pictures land close to the real size.
 */
static int measure_block(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
			 double *block)
{
	double luma[2 * EDGE_SCAN_MAX_BLOCK];
	uint32_t n = width < 2 * EDGE_SCAN_MAX_BLOCK ? width : 2 * EDGE_SCAN_MAX_BLOCK;
	/* A few pixel rows rather than one, so codec noise on a single row does not move it. */
	uint32_t rows = height < 4 ? height : 4;
	double white, darkest, threshold;

	if (n < 2 || rows == 0)
		return -EINVAL;

	for (uint32_t x = 0; x < n; x++) {
		unsigned int sum = 0;

		for (uint32_t y = 0; y < rows; y++)
			sum += pixel_luma(pixels + (size_t)y * stride + x * 4);
		luma[x] = (double)sum / rows;
	}

	white = luma[0];
	darkest = white;
	for (uint32_t x = 1; x < n; x++)
		darkest = luma[x] < darkest ? luma[x] : darkest;
	if (white - darkest < MIN_CONTRAST / 2)
		return -EINVAL;
	threshold = (white + darkest) / 2.0;

	for (uint32_t x = 1; x < n; x++) {
		if (luma[x] < threshold) {
			double frac = (luma[x - 1] - threshold) / (luma[x - 1] - luma[x]);

			*block = (double)x - 0.5 + frac;
			return 0;
		}
	}
	return -EINVAL;
}

int latency_stamp_read(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
		       struct latency_stamp *out)
{
	double hint = out->block, estimate;

	if (!pixels || width < LATENCY_STAMP_COLUMNS || height < LATENCY_STAMP_ROWS ||
	    stride < (uint64_t)width * 4)
		return -EINVAL;

	/* Remembering the last size that worked skips the search on every following frame. */
	if (hint >= 4.0 && hint <= 64.0 && decode_at(pixels, width, height, stride, hint, out) == 0)
		return 0;

	if (measure_block(pixels, width, height, stride, &estimate) < 0)
		return -EINVAL;
	estimate = (double)(long)(estimate / SEARCH_STEP + 0.5) * SEARCH_STEP;

	/* Nearest sizes first: the measured edge is usually right to within a fraction. */
	for (int i = 0; i <= 2 * SEARCH_STEPS; i++) {
		int k = (i + 1) / 2 * (i % 2 ? 1 : -1);
		double b = estimate + k * SEARCH_STEP;

		if (b != hint && decode_at(pixels, width, height, stride, b, out) == 0)
			return 0;
	}
	return -EINVAL;
}
