/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-common"

#include "common.h"

uint32_t format_bpp(uint32_t fourcc)
{
	switch (fourcc) {
	case FOURCC_XRGB8888:
	case FOURCC_ARGB8888:
	case FOURCC_XBGR8888:
	case FOURCC_ABGR8888:
	case FOURCC_RGBX8888:
	case FOURCC_RGBA8888:
	case FOURCC_BGRX8888:
	case FOURCC_BGRA8888:
		return 4;
	case FOURCC_RGB888:
	case FOURCC_BGR888:
		return 3;
	case FOURCC_RGB565:
		return 2;
	default:
		return 0;
	}
}

const char *format_name(uint32_t fourcc, char buf[5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)((fourcc >> (8 * i)) & 0xff);

		buf[i] = g_ascii_isprint(c) ? c : '?';
	}
	buf[4] = '\0';
	return buf;
}

static uint32_t rgb(uint32_t r, uint32_t g, uint32_t b)
{
	return (r << 16) | (g << 8) | b;
}

/* DRM fourccs name the components of a little-endian word from the most significant end. */
uint32_t format_read_rgb(uint32_t fourcc, const uint8_t *p)
{
	uint16_t v;

	switch (fourcc) {
	case FOURCC_XRGB8888:
	case FOURCC_ARGB8888:
		return rgb(p[2], p[1], p[0]);
	case FOURCC_XBGR8888:
	case FOURCC_ABGR8888:
		return rgb(p[0], p[1], p[2]);
	case FOURCC_RGBX8888:
	case FOURCC_RGBA8888:
		return rgb(p[3], p[2], p[1]);
	case FOURCC_BGRX8888:
	case FOURCC_BGRA8888:
		return rgb(p[1], p[2], p[3]);
	case FOURCC_RGB888:
		return rgb(p[2], p[1], p[0]);
	case FOURCC_BGR888:
		return rgb(p[0], p[1], p[2]);
	case FOURCC_RGB565:
		v = (uint16_t)(p[0] | (p[1] << 8));
		return rgb(((v >> 11) & 0x1f) * 255 / 31, ((v >> 5) & 0x3f) * 255 / 63,
			   (v & 0x1f) * 255 / 31);
	default:
		return 0;
	}
}
