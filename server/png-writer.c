/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast"

#include <stdio.h>

#include <png.h>

#include "server.h"

struct png_job {
	FILE *file;
	png_structp png;
	png_infop info;
	uint8_t *row;
};

static void on_png_error(png_structp png, png_const_charp message)
{
	g_warning("libpng: %s", message);
	png_longjmp(png, 1);
}

int png_write_frame(struct frame *frame, const char *path, GError **error)
{
	struct frame_mapping map;
	/* volatile: they are read after libpng's longjmp. */
	struct png_job *volatile job = g_new0(struct png_job, 1);
	uint32_t bpp = format_bpp(frame->fourcc);
	volatile int ret = -EIO;
	int err;

	err = frame_map(frame, &map);
	if (err < 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "cannot read this frame on the CPU (modifier 0x%" G_GINT64_MODIFIER
			    "x): %s",
			    frame->modifier, g_strerror(-err));
		g_free(job);
		return err;
	}
	job->file = fopen(path, "wb");
	if (!job->file) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "%s: %s", path,
			    g_strerror(errno));
		goto out;
	}
	job->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, on_png_error, NULL);
	job->info = job->png ? png_create_info_struct(job->png) : NULL;
	job->row = g_malloc((size_t)frame->width * 3);
	if (!job->info || setjmp(png_jmpbuf(job->png))) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: PNG encoding failed", path);
		goto out;
	}
	png_init_io(job->png, job->file);
	png_set_IHDR(job->png, job->info, frame->width, frame->height, 8, PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(job->png, job->info);
	for (uint32_t y = 0; y < frame->height; y++) {
		uint32_t src_y = frame->y0_top ? y : frame->height - 1 - y;
		const uint8_t *src = map.pixels + (size_t)src_y * map.stride;

		for (uint32_t x = 0; x < frame->width; x++) {
			uint32_t rgb = format_read_rgb(frame->fourcc, src + (size_t)x * bpp);

			job->row[3 * x] = (uint8_t)(rgb >> 16);
			job->row[3 * x + 1] = (uint8_t)(rgb >> 8);
			job->row[3 * x + 2] = (uint8_t)rgb;
		}
		png_write_row(job->png, job->row);
	}
	png_write_end(job->png, NULL);
	ret = 0;
out:
	if (job->png)
		png_destroy_write_struct((png_structpp)&job->png, (png_infopp)&job->info);
	if (job->file && fclose(job->file) != 0 && ret == 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "%s: %s", path,
			    g_strerror(errno));
		ret = -EIO;
	}
	g_free(job->row);
	g_free(job);
	frame_unmap(&map);
	return ret;
}
