/* SPDX-License-Identifier: MIT */
/*
 * Latency stamp, layout version 1 (see the "Latency stamp" reference document): two rows of 52
 * black/white blocks at the top-left corner of a frame carrying a CLOCK_REALTIME time in µs, a
 * frame counter and a CRC-16. Pixels are 32-bit XRGB8888 (B, G, R, X bytes in memory).
 *
 * Plain C and libc only, so that the static guest program can draw it too.
 */
#ifndef GUESTCAST_LATENCY_STAMP_H
#define GUESTCAST_LATENCY_STAMP_H

#include <stddef.h>
#include <stdint.h>

#define LATENCY_STAMP_COLUMNS	    52
#define LATENCY_STAMP_ROWS	    2
#define LATENCY_STAMP_DEFAULT_BLOCK 16
#define LATENCY_STAMP_MESSAGE_SIZE  12

struct latency_stamp {
	uint64_t time_us;
	uint16_t counter;
	/*
	 * Block size in pixels. latency_stamp_read() sets it to the size that decoded, and tries
	 * the value found here first if it lies in 4…64: pass the previous result back to skip
	 * the search on the next frame (zero it for the first call).
	 */
	double block;
};

/* CRC-16/CCITT-FALSE: poly 0x1021, init 0xffff, no reflection, no final xor. */
uint16_t latency_stamp_crc16(const uint8_t *data, size_t len);

/* The 12-byte message (time, counter, CRC; all big-endian). */
void latency_stamp_encode(uint8_t msg[LATENCY_STAMP_MESSAGE_SIZE], uint64_t time_us,
			  uint16_t counter);

/*
 * Draws the stamp with blocks of block×block pixels at (0, 0). Does nothing if the picture is
 * smaller than 52·block × 2·block or block is 0.
 */
void latency_stamp_draw(uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
			uint32_t block, uint64_t time_us, uint16_t counter);

/*
 * Reads the stamp at (0, 0). Returns 0 and fills out, or -EINVAL when the picture holds no
 * readable stamp (too small, guards wrong, contrast below 64 or CRC mismatch). out->block is
 * used as a hint on input (see struct latency_stamp).
 */
int latency_stamp_read(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
		       struct latency_stamp *out);

#endif
