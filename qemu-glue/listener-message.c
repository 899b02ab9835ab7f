/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-qemu-glue"

#include <string.h>

#include "qemu-glue-private.h"

/* pixman_format_code_t: bpp << 24 | type << 16 | a << 12 | r << 8 | g << 4 | b. */
#define PIXMAN_CODE(bpp, type, a, r, g, b) \
	(((uint32_t)(bpp) << 24) | ((type) << 16) | ((a) << 12) | ((r) << 8) | ((g) << 4) | (b))
#define PIXMAN_TYPE_ARGB 2
#define PIXMAN_TYPE_ABGR 3
#define PIXMAN_TYPE_BGRA 8
#define PIXMAN_TYPE_RGBA 9

uint32_t pixman_to_fourcc(uint32_t pixman_format)
{
	static const struct {
		uint32_t pixman, fourcc;
	} map[] = {
		{PIXMAN_CODE(32, PIXMAN_TYPE_ARGB, 0, 8, 8, 8), FOURCC_XRGB8888},
		{PIXMAN_CODE(32, PIXMAN_TYPE_ARGB, 8, 8, 8, 8), FOURCC_ARGB8888},
		{PIXMAN_CODE(32, PIXMAN_TYPE_ABGR, 0, 8, 8, 8), FOURCC_XBGR8888},
		{PIXMAN_CODE(32, PIXMAN_TYPE_ABGR, 8, 8, 8, 8), FOURCC_ABGR8888},
		{PIXMAN_CODE(32, PIXMAN_TYPE_BGRA, 0, 8, 8, 8), FOURCC_BGRX8888},
		{PIXMAN_CODE(32, PIXMAN_TYPE_BGRA, 8, 8, 8, 8), FOURCC_BGRA8888},
		{PIXMAN_CODE(32, PIXMAN_TYPE_RGBA, 0, 8, 8, 8), FOURCC_RGBX8888},
		{PIXMAN_CODE(32, PIXMAN_TYPE_RGBA, 8, 8, 8, 8), FOURCC_RGBA8888},
		{PIXMAN_CODE(24, PIXMAN_TYPE_ARGB, 0, 8, 8, 8), FOURCC_RGB888},
		{PIXMAN_CODE(24, PIXMAN_TYPE_ABGR, 0, 8, 8, 8), FOURCC_BGR888},
		{PIXMAN_CODE(16, PIXMAN_TYPE_ARGB, 0, 5, 6, 5), FOURCC_RGB565},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
		if (map[i].pixman == pixman_format)
			return map[i].fourcc;
	}
	return 0;
}

static int fail(const char **field, const char *name)
{
	*field = name;
	return -EINVAL;
}

static bool side_ok(uint32_t v)
{
	return v > 0 && v <= FRAME_MAX_SIDE;
}

/* Pixels of width x height at stride must fit len bytes (the last row may be short). */
static bool pixels_fit(uint32_t width, uint32_t height, uint32_t stride, uint32_t bpp, size_t len)
{
	return height == 0 || (uint64_t)stride * (height - 1) + (uint64_t)width * bpp <= len;
}

static int parse_scanout(GVariant *body, struct listener_message *m, const char **field)
{
	g_autoptr(GVariant) data = NULL;
	uint32_t format, bpp;

	g_variant_get(body, "(uuuu@ay)", &m->width, &m->height, &m->stride, &format, &data);
	m->data = g_variant_get_fixed_array(data, &m->data_len, 1);
	m->fourcc = pixman_to_fourcc(format);
	bpp = format_bpp(m->fourcc);
	if (!side_ok(m->width))
		return fail(field, "width");
	if (!side_ok(m->height))
		return fail(field, "height");
	if (bpp == 0)
		return fail(field, "pixman_format");
	if ((uint64_t)m->stride < (uint64_t)m->width * bpp)
		return fail(field, "stride");
	if (!pixels_fit(m->width, m->height, m->stride, bpp, m->data_len))
		return fail(field, "data");
	return 0;
}

static int parse_update(GVariant *body, struct listener_message *m, const char **field)
{
	g_autoptr(GVariant) data = NULL;
	uint32_t format;

	g_variant_get(body, "(iiiiuu@ay)", &m->rect.x, &m->rect.y, &m->rect.w, &m->rect.h,
		      &m->stride, &format, &data);
	m->data = g_variant_get_fixed_array(data, &m->data_len, 1);
	m->fourcc = pixman_to_fourcc(format);
	if (format_bpp(m->fourcc) == 0)
		return fail(field, "pixman_format");
	/* Rectangle, stride and length are checked against the surface by the frame store. */
	return 0;
}

static int check_fd_index(int32_t index, uint32_t n_fds, const char **field, const char *name)
{
	if (index < 0 || (uint32_t)index >= n_fds)
		return fail(field, name);
	return 0;
}

static int parse_scanout_dmabuf(GVariant *body, struct listener_message *m, const char **field)
{
	uint32_t bpp;
	gboolean y0_top;

	g_variant_get(body, "(huuuutb)", &m->fd_index[0], &m->width, &m->height, &m->stride,
		      &m->fourcc, &m->modifier, &y0_top);
	m->y0_top = y0_top;
	m->n_planes = 1;
	m->strides[0] = m->stride;
	m->offsets[0] = 0;
	bpp = format_bpp(m->fourcc);
	if (!side_ok(m->width))
		return fail(field, "width");
	if (!side_ok(m->height))
		return fail(field, "height");
	if (bpp == 0)
		return fail(field, "fourcc");
	if ((uint64_t)m->stride < (uint64_t)m->width * bpp)
		return fail(field, "stride");
	return 0;
}

static int parse_scanout_dmabuf2(GVariant *body, struct listener_message *m, uint32_t n_fds,
				 const char **field)
{
	g_autoptr(GVariant) fds = NULL, offsets = NULL, strides = NULL;
	uint32_t x, y, backing_w, backing_h, bpp;
	const int32_t *fd_idx;
	const uint32_t *off, *str;
	gsize n_fd_idx, n_off, n_str;
	gboolean y0_top;

	g_variant_get(body, "(@ahuuuu@au@auuuuutb)", &fds, &x, &y, &m->width, &m->height, &offsets,
		      &strides, &m->n_planes, &m->fourcc, &backing_w, &backing_h, &m->modifier,
		      &y0_top);
	m->y0_top = y0_top;
	fd_idx = g_variant_get_fixed_array(fds, &n_fd_idx, sizeof(int32_t));
	off = g_variant_get_fixed_array(offsets, &n_off, sizeof(uint32_t));
	str = g_variant_get_fixed_array(strides, &n_str, sizeof(uint32_t));
	bpp = format_bpp(m->fourcc);
	if (m->n_planes == 0 || m->n_planes > FRAME_MAX_PLANES || n_fd_idx != m->n_planes ||
	    n_off != m->n_planes || n_str != m->n_planes)
		return fail(field, "num_planes");
	if (bpp == 0)
		return fail(field, "fourcc");
	if (!side_ok(backing_w))
		return fail(field, "backing_width");
	if (!side_ok(backing_h))
		return fail(field, "backing_height");
	if (!side_ok(m->width) || (uint64_t)x + m->width > backing_w)
		return fail(field, "width");
	if (!side_ok(m->height) || (uint64_t)y + m->height > backing_h)
		return fail(field, "height");
	for (uint32_t i = 0; i < m->n_planes; i++) {
		if (check_fd_index(fd_idx[i], n_fds, field, "dmabuf") < 0)
			return -EINVAL;
		m->fd_index[i] = fd_idx[i];
		m->offsets[i] = off[i];
		m->strides[i] = str[i];
	}
	if ((uint64_t)m->strides[0] < (uint64_t)backing_w * bpp)
		return fail(field, "stride");
	/* Fold the visible sub-rectangle into the offset; other planes would need their own. */
	if (x || y) {
		uint64_t shifted = m->offsets[0] + (uint64_t)y * m->strides[0] + (uint64_t)x * bpp;

		if (m->n_planes != 1 || shifted > G_MAXUINT32)
			return fail(field, "x");
		m->offsets[0] = (uint32_t)shifted;
	}
	m->stride = m->strides[0];
	return 0;
}

static int parse_scanout_map(GVariant *body, struct listener_message *m, const char **field)
{
	uint32_t format, bpp;

	g_variant_get(body, "(huuuuu)", &m->fd_index[0], &m->map_offset, &m->width, &m->height,
		      &m->stride, &format);
	m->n_planes = 1;
	m->fourcc = pixman_to_fourcc(format);
	bpp = format_bpp(m->fourcc);
	if (!side_ok(m->width))
		return fail(field, "width");
	if (!side_ok(m->height))
		return fail(field, "height");
	if (bpp == 0)
		return fail(field, "pixman_format");
	if ((uint64_t)m->stride < (uint64_t)m->width * bpp)
		return fail(field, "stride");
	return 0;
}

static int parse_cursor(GVariant *body, struct listener_message *m, const char **field)
{
	g_autoptr(GVariant) data = NULL;
	int32_t w, h;

	g_variant_get(body, "(iiii@ay)", &w, &h, &m->hot_x, &m->hot_y, &data);
	m->data = g_variant_get_fixed_array(data, &m->data_len, 1);
	if (w <= 0 || w > CURSOR_MAX_SIDE)
		return fail(field, "width");
	if (h <= 0 || h > CURSOR_MAX_SIDE)
		return fail(field, "height");
	m->width = (uint32_t)w;
	m->height = (uint32_t)h;
	if (m->hot_x < 0 || m->hot_x >= w)
		return fail(field, "hot_x");
	if (m->hot_y < 0 || m->hot_y >= h)
		return fail(field, "hot_y");
	if (m->data_len != (size_t)w * (size_t)h * 4)
		return fail(field, "data");
	return 0;
}

static const struct {
	const char *member;
	const char *signature;
	enum listener_call call;
} calls[] = {
	{"Scanout", "(uuuuay)", LISTENER_SCANOUT},
	{"Update", "(iiiiuuay)", LISTENER_UPDATE},
	{"ScanoutDMABUF", "(huuuutb)", LISTENER_SCANOUT_DMABUF},
	{"UpdateDMABUF", "(iiii)", LISTENER_UPDATE_DMABUF},
	{"ScanoutDMABUF2", "(ahuuuuauauuuuutb)", LISTENER_SCANOUT_DMABUF2},
	{"ScanoutMap", "(huuuuu)", LISTENER_SCANOUT_MAP},
	{"UpdateMap", "(iiii)", LISTENER_UPDATE_MAP},
	{"Disable", "()", LISTENER_DISABLE},
	{"MouseSet", "(iii)", LISTENER_MOUSE_SET},
	{"CursorDefine", "(iiiiay)", LISTENER_CURSOR_DEFINE},
};

int listener_message_parse(const char *member, GVariant *body, uint32_t n_fds,
			   struct listener_message *m, const char **field)
{
	size_t i;
	int32_t on;

	memset(m, 0, sizeof(*m));
	*field = NULL;
	for (i = 0; i < G_N_ELEMENTS(calls); i++) {
		if (g_strcmp0(member, calls[i].member) == 0)
			break;
	}
	if (i == G_N_ELEMENTS(calls))
		return -ENOENT;
	m->call = calls[i].call;
	if (!body) {
		if (m->call == LISTENER_DISABLE)
			return 0;
		return fail(field, "signature");
	}
	if (!g_variant_is_of_type(body, G_VARIANT_TYPE(calls[i].signature)))
		return fail(field, "signature");

	switch (m->call) {
	case LISTENER_SCANOUT:
		return parse_scanout(body, m, field);
	case LISTENER_UPDATE:
		return parse_update(body, m, field);
	case LISTENER_SCANOUT_DMABUF:
		if (parse_scanout_dmabuf(body, m, field) < 0)
			return -EINVAL;
		return check_fd_index(m->fd_index[0], n_fds, field, "dmabuf");
	case LISTENER_SCANOUT_DMABUF2:
		return parse_scanout_dmabuf2(body, m, n_fds, field);
	case LISTENER_SCANOUT_MAP:
		if (parse_scanout_map(body, m, field) < 0)
			return -EINVAL;
		return check_fd_index(m->fd_index[0], n_fds, field, "handle");
	case LISTENER_UPDATE_DMABUF:
	case LISTENER_UPDATE_MAP:
		g_variant_get(body, "(iiii)", &m->rect.x, &m->rect.y, &m->rect.w, &m->rect.h);
		return 0;
	case LISTENER_DISABLE:
		return 0;
	case LISTENER_MOUSE_SET:
		g_variant_get(body, "(iii)", &m->rect.x, &m->rect.y, &on);
		m->visible = on != 0;
		return 0;
	case LISTENER_CURSOR_DEFINE:
		return parse_cursor(body, m, field);
	}
	return -ENOENT;
}
