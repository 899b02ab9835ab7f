// SPDX-License-Identifier: MIT
/*
 * The test guest's only program: animates a desktop-like picture with a latency stamp through
 * DRM KMS dumb buffers on /dev/dri/card0 (virtio-gpu), follows host-requested mode changes
 * (hotplug uevents), and logs every input event to the serial port, one line each:
 *
 *   ready                   devices open, first frame shown
 *   mode <w>x<h>            a mode was set (also the first)
 *   key <code> <value>      EV_KEY, keyboard key (linux/input-event-codes.h numbers)
 *   btn <code> <value>      EV_KEY, BTN_* button
 *   abs <axis> <value>      EV_ABS
 *   rel <axis> <value>      EV_REL
 *   error: <what>           something failed; the program exits and init restarts it
 *
 * Kernel command line: guestcast.static=1 draws one picture and redraws only on a mode change;
 * guestcast.fullframe=1 scrolls the background so every pixel changes every frame.
 *
 * Static build, libc and kernel UAPI headers only: gcc -static -O2 guest.c ../lib/latency-stamp.c
 */
#include "../lib/latency-stamp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libdrm/drm.h>
#include <libdrm/drm_mode.h>
#include <linux/input.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define SERIAL_PATH	  "/dev/ttyS0"
#define CARD_PATH	  "/dev/dri/card0"
#define INPUT_DIR	  "/dev/input"
#define FRAME_INTERVAL_NS (1000000000L / 30)
#define MAX_INPUTS	  16
#define MAX_OBJECTS	  4
#define MAX_CLIPS	  (2 * MAX_OBJECTS + 1)

struct rect {
	int32_t x, y, w, h;
};

struct buffer {
	uint32_t handle;
	uint32_t fb_id;
	uint32_t width;
	uint32_t height;
	uint32_t pitch;
	uint64_t size;
	uint8_t *map;
};

/* Something that moves: the window and the small squares. */
struct sprite {
	struct rect pos;
	struct rect old;
	int32_t vx, vy;
	uint32_t colour;
	bool is_window;
};

struct display {
	int fd;
	uint32_t connector_id;
	uint32_t crtc_id;
	struct drm_mode_modeinfo mode;
	bool mode_set;
	struct buffer buf;
	/* The picture without sprites, to restore what a sprite leaves behind. */
	uint32_t *background;
	struct sprite sprites[MAX_OBJECTS];
	int n_sprites;
	uint32_t block;
	uint16_t counter;
	uint32_t frames_since_mode;
	bool full_redraw;
};

struct options {
	bool static_picture;
	bool full_frame;
};

static int serial_fd = -1;

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One write() per line, so lines from this program never interleave on the port. */
static void log_line(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(serial_fd >= 0 ? serial_fd : STDOUT_FILENO, line, (size_t)n) < 0) {
		/* Nowhere left to report it. */
	}
}

static int open_serial(void)
{
	struct termios tio;

	serial_fd = open(SERIAL_PATH, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (serial_fd < 0)
		return -errno;
	/* Plain "\n" line ends: the host parses this log, nobody reads it on a terminal. */
	if (tcgetattr(serial_fd, &tio) == 0) {
		tio.c_oflag &= ~(tcflag_t)OPOST;
		tcsetattr(serial_fd, TCSANOW, &tio);
	}
	return 0;
}

static void read_options(struct options *opts)
{
	char cmdline[4096];
	ssize_t n;
	int fd;

	memset(opts, 0, sizeof(*opts));
	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, cmdline, sizeof(cmdline) - 1);
	close(fd);
	if (n <= 0)
		return;
	cmdline[n] = '\0';

	for (char *save = NULL, *tok = strtok_r(cmdline, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (!strcmp(tok, "guestcast.static=1"))
			opts->static_picture = true;
		else if (!strcmp(tok, "guestcast.fullframe=1"))
			opts->full_frame = true;
	}
}

static int drm_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	return ret < 0 ? -errno : 0;
}

/* Two-call pattern: ask for the counts, then for the arrays; repeat if they grew meanwhile. */
static int get_resources(int fd, uint32_t **crtcs, uint32_t *n_crtcs, uint32_t **connectors,
			 uint32_t *n_connectors)
{
	for (;;) {
		struct drm_mode_card_res res = {0};
		uint32_t *c, *k;
		int ret;

		ret = drm_ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res);
		if (ret < 0)
			return ret;
		c = calloc(res.count_crtcs + 1, sizeof(*c));
		k = calloc(res.count_connectors + 1, sizeof(*k));
		if (!c || !k) {
			free(c);
			free(k);
			return -ENOMEM;
		}
		struct drm_mode_card_res res2 = {
			.crtc_id_ptr = (uintptr_t)c,
			.connector_id_ptr = (uintptr_t)k,
			.count_crtcs = res.count_crtcs,
			.count_connectors = res.count_connectors,
		};
		ret = drm_ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res2);
		if (ret < 0 || res2.count_crtcs > res.count_crtcs ||
		    res2.count_connectors > res.count_connectors) {
			free(c);
			free(k);
			if (ret < 0)
				return ret;
			continue;
		}
		*crtcs = c;
		*n_crtcs = res2.count_crtcs;
		*connectors = k;
		*n_connectors = res2.count_connectors;
		return 0;
	}
}

struct connector_info {
	struct drm_mode_get_connector conn;
	struct drm_mode_modeinfo *modes;
	uint32_t *encoders;
};

static void connector_info_clear(struct connector_info *info)
{
	free(info->modes);
	free(info->encoders);
	memset(info, 0, sizeof(*info));
}

/* The first call (count_modes == 0) also makes the kernel probe the connector again. */
static int get_connector(int fd, uint32_t id, struct connector_info *info)
{
	memset(info, 0, sizeof(*info));
	for (;;) {
		struct drm_mode_get_connector conn = {.connector_id = id};
		struct drm_mode_get_connector conn2;
		int ret;

		ret = drm_ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &conn);
		if (ret < 0)
			return ret;
		info->modes = calloc(conn.count_modes + 1, sizeof(*info->modes));
		info->encoders = calloc(conn.count_encoders + 1, sizeof(*info->encoders));
		if (!info->modes || !info->encoders) {
			connector_info_clear(info);
			return -ENOMEM;
		}
		conn2 = (struct drm_mode_get_connector){
			.connector_id = id,
			.modes_ptr = (uintptr_t)info->modes,
			.count_modes = conn.count_modes,
			.encoders_ptr = (uintptr_t)info->encoders,
			.count_encoders = conn.count_encoders,
		};
		ret = drm_ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &conn2);
		if (ret < 0 || conn2.count_modes > conn.count_modes ||
		    conn2.count_encoders > conn.count_encoders) {
			connector_info_clear(info);
			if (ret < 0)
				return ret;
			continue;
		}
		info->conn = conn2;
		return 0;
	}
}

static const struct drm_mode_modeinfo *preferred_mode(const struct connector_info *info)
{
	for (uint32_t i = 0; i < info->conn.count_modes; i++) {
		if (info->modes[i].type & DRM_MODE_TYPE_PREFERRED)
			return &info->modes[i];
	}
	return info->conn.count_modes ? &info->modes[0] : NULL;
}

static uint32_t find_crtc(int fd, const struct connector_info *info, const uint32_t *crtcs,
			  uint32_t n_crtcs)
{
	struct drm_mode_get_encoder enc = {.encoder_id = info->conn.encoder_id};

	if (enc.encoder_id && drm_ioctl(fd, DRM_IOCTL_MODE_GETENCODER, &enc) == 0 && enc.crtc_id)
		return enc.crtc_id;

	for (uint32_t e = 0; e < info->conn.count_encoders; e++) {
		enc = (struct drm_mode_get_encoder){.encoder_id = info->encoders[e]};
		if (drm_ioctl(fd, DRM_IOCTL_MODE_GETENCODER, &enc) < 0)
			continue;
		for (uint32_t c = 0; c < n_crtcs && c < 32; c++) {
			if (enc.possible_crtcs & (1u << c))
				return crtcs[c];
		}
	}
	return 0;
}

static void buffer_destroy(int fd, struct buffer *buf)
{
	if (buf->map)
		munmap(buf->map, buf->size);
	if (buf->fb_id)
		drm_ioctl(fd, DRM_IOCTL_MODE_RMFB, &buf->fb_id);
	if (buf->handle) {
		struct drm_mode_destroy_dumb destroy = {.handle = buf->handle};

		drm_ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	}
	memset(buf, 0, sizeof(*buf));
}

static int buffer_create(int fd, struct buffer *buf, uint32_t width, uint32_t height)
{
	struct drm_mode_create_dumb create = {.width = width, .height = height, .bpp = 32};
	struct drm_mode_fb_cmd fb = {0};
	struct drm_mode_map_dumb map = {0};
	void *ptr;
	int ret;

	memset(buf, 0, sizeof(*buf));
	ret = drm_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create);
	if (ret < 0)
		return ret;
	buf->handle = create.handle;
	buf->width = width;
	buf->height = height;
	buf->pitch = create.pitch;
	buf->size = create.size;

	fb = (struct drm_mode_fb_cmd){
		.width = width,
		.height = height,
		.pitch = create.pitch,
		.bpp = 32,
		.depth = 24,
		.handle = create.handle,
	};
	ret = drm_ioctl(fd, DRM_IOCTL_MODE_ADDFB, &fb);
	if (ret < 0)
		goto err;
	buf->fb_id = fb.fb_id;

	map.handle = create.handle;
	ret = drm_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map);
	if (ret < 0)
		goto err;
	ptr = mmap(NULL, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map.offset);
	if (ptr == MAP_FAILED) {
		ret = -errno;
		goto err;
	}
	buf->map = ptr;
	return 0;

err:
	buffer_destroy(fd, buf);
	return ret;
}

static uint32_t rgb(uint32_t r, uint32_t g, uint32_t b)
{
	return 0xff000000u | (r & 0xff) << 16 | (g & 0xff) << 8 | (b & 0xff);
}

static uint32_t *pixel_row(const struct buffer *buf, int32_t y)
{
	return (uint32_t *)(buf->map + (size_t)y * buf->pitch);
}

static struct rect rect_clip(struct rect r, uint32_t width, uint32_t height)
{
	int32_t x1 = r.x + r.w, y1 = r.y + r.h;

	r.x = r.x < 0 ? 0 : r.x;
	r.y = r.y < 0 ? 0 : r.y;
	x1 = x1 > (int32_t)width ? (int32_t)width : x1;
	y1 = y1 > (int32_t)height ? (int32_t)height : y1;
	r.w = x1 > r.x ? x1 - r.x : 0;
	r.h = y1 > r.y ? y1 - r.y : 0;
	return r;
}

static void fill_rect(const struct buffer *buf, struct rect r, uint32_t colour)
{
	r = rect_clip(r, buf->width, buf->height);
	for (int32_t y = r.y; y < r.y + r.h; y++) {
		uint32_t *row = pixel_row(buf, y);

		for (int32_t x = r.x; x < r.x + r.w; x++)
			row[x] = colour;
	}
}

static void restore_rect(const struct display *d, struct rect r)
{
	r = rect_clip(r, d->buf.width, d->buf.height);
	for (int32_t y = r.y; y < r.y + r.h; y++)
		memcpy(pixel_row(&d->buf, y) + r.x, d->background + (size_t)y * d->buf.width + r.x,
		       (size_t)r.w * 4);
}

/* Cheap deterministic noise, so "text" looks irregular but is the same every frame. */
static uint32_t hash32(uint32_t v)
{
	v ^= v >> 16;
	v *= 0x7feb352d;
	v ^= v >> 15;
	v *= 0x846ca68b;
	v ^= v >> 16;
	return v;
}

/* Lines of dark "words" on a light background: high-contrast edges like real text. */
static void draw_text_block(const struct buffer *buf, struct rect area, uint32_t seed, uint32_t ink)
{
	for (int32_t line = 0; (line + 1) * 14 <= area.h; line++) {
		int32_t x = area.x + 6;
		uint32_t word = 0;
		int32_t limit =
			area.x + area.w - 6 - (int32_t)(hash32(seed + line) % (area.w / 3 + 1));

		while (x < limit) {
			int32_t len = 6 + (int32_t)(hash32(seed * 131 + line * 977 + word) % 40);

			if (x + len > limit)
				len = limit - x;
			fill_rect(buf, (struct rect){x, area.y + line * 14 + 3, len, 8}, ink);
			/* Thin vertical strokes inside the word make it look like glyphs. */
			for (int32_t s = x + 3; s < x + len - 1; s += 5)
				fill_rect(buf, (struct rect){s, area.y + line * 14 + 1, 1, 12},
					  ink);
			x += len + 5;
			word++;
		}
	}
}

static void draw_sprite(const struct display *d, const struct sprite *s, uint16_t counter)
{
	struct rect r = s->pos, title, body, bar;

	if (!s->is_window) {
		fill_rect(&d->buf, r, s->colour);
		fill_rect(&d->buf, (struct rect){r.x + r.w / 4, r.y + r.h / 4, r.w / 2, r.h / 2},
			  rgb(255, 255, 255));
		return;
	}

	fill_rect(&d->buf, r, rgb(40, 40, 48));
	title = (struct rect){r.x + 1, r.y + 1, r.w - 2, 24};
	fill_rect(&d->buf, title, rgb(52, 101, 164));
	for (int i = 0; i < 3; i++) {
		static const uint32_t dots[] = {0xffe0443e, 0xffe6b422, 0xff3fb950};

		fill_rect(&d->buf,
			  (struct rect){title.x + title.w - 22 - 20 * i, title.y + 6, 12, 12},
			  dots[i]);
	}
	draw_text_block(&d->buf, (struct rect){title.x + 4, title.y + 2, title.w / 2, 20}, 7,
			rgb(255, 255, 255));

	body = (struct rect){r.x + 1, r.y + 26, r.w - 2, r.h - 27};
	fill_rect(&d->buf, body, rgb(246, 246, 242));
	draw_text_block(&d->buf, (struct rect){body.x + 4, body.y + 4, body.w - 8, body.h - 8 - 20},
			1234, rgb(20, 20, 24));

	/* A progress bar, so the window's content changes as well as its place. */
	bar = (struct rect){body.x + 8, body.y + body.h - 16, body.w - 16, 8};
	fill_rect(&d->buf, bar, rgb(200, 200, 200));
	bar.w = (int32_t)((uint32_t)bar.w * (counter % 128u) / 127u);
	fill_rect(&d->buf, bar, rgb(46, 160, 67));
}

static void make_background(struct display *d)
{
	uint32_t w = d->buf.width, h = d->buf.height;
	struct buffer bg = {
		.width = w,
		.height = h,
		.pitch = w * 4,
		.map = (uint8_t *)d->background,
	};

	for (uint32_t y = 0; y < h; y++) {
		uint32_t *row = d->background + (size_t)y * w;

		for (uint32_t x = 0; x < w; x++) {
			uint32_t t = y * 255 / (h ? h : 1), u = x * 255 / (w ? w : 1);

			row[x] = rgb(20 + t / 4 + u / 8, 50 + t / 3, 110 + t / 3 - u / 8);
		}
	}

	/* Desktop icons down the left side, below the stamp. */
	for (int32_t i = 0; 64 + i * 88 + 72 < (int32_t)h - 40 && i < 6; i++) {
		struct rect icon = {16, 64 + i * 88, 48, 48};

		fill_rect(&bg, icon, rgb(hash32(i) & 0xff, hash32(i + 9) & 0xff, 200));
		fill_rect(&bg, (struct rect){icon.x + 8, icon.y + 8, 32, 6}, rgb(255, 255, 255));
		draw_text_block(&bg, (struct rect){4, icon.y + 52, 72, 14}, 99 + (uint32_t)i,
				rgb(255, 255, 255));
	}

	/* A task bar. */
	fill_rect(&bg, (struct rect){0, (int32_t)h - 36, (int32_t)w, 36}, rgb(32, 34, 40));
	for (int32_t i = 0; i < 8; i++)
		fill_rect(&bg, (struct rect){8 + i * 40, (int32_t)h - 30, 28, 24},
			  rgb(80 + 20 * i, 120, 200 - 15 * i));
	draw_text_block(&bg, (struct rect){(int32_t)w - 120, (int32_t)h - 25, 110, 14}, 5,
			rgb(230, 230, 230));
}

static void reset_sprites(struct display *d)
{
	int32_t w = (int32_t)d->buf.width, h = (int32_t)d->buf.height;
	int32_t ww = w / 3 < 160 ? (w < 160 ? w : 160) : w / 3;
	int32_t wh = h / 3 < 120 ? (h < 120 ? h : 120) : h / 3;
	static const uint32_t colours[] = {0xffd73a49, 0xfff9c513, 0xff28a745};

	d->sprites[0] = (struct sprite){
		.pos = {w / 4, h / 4, ww, wh},
		.vx = 5,
		.vy = 3,
		.is_window = true,
	};
	for (int i = 0; i < 3; i++) {
		d->sprites[1 + i] = (struct sprite){
			.pos = {w / 2 + 60 * i, h / 2 - 40 * i, 40, 40},
			.vx = -3 - 2 * i,
			.vy = 4 - i,
			.colour = colours[i],
		};
	}
	d->n_sprites = 1 + 3;
	for (int i = 0; i < d->n_sprites; i++)
		d->sprites[i].old = d->sprites[i].pos;
}

static void move_sprite(struct sprite *s, uint32_t width, uint32_t height)
{
	s->old = s->pos;
	s->pos.x += s->vx;
	s->pos.y += s->vy;
	if (s->pos.x < 0 || s->pos.x + s->pos.w > (int32_t)width) {
		s->vx = -s->vx;
		s->pos.x = s->pos.x < 0 ? 0 : (int32_t)width - s->pos.w;
	}
	if (s->pos.y < 0 || s->pos.y + s->pos.h > (int32_t)height) {
		s->vy = -s->vy;
		s->pos.y = s->pos.y < 0 ? 0 : (int32_t)height - s->pos.h;
	}
}

static void copy_background_scrolled(const struct display *d, uint32_t shift)
{
	uint32_t w = d->buf.width;

	shift %= w ? w : 1;
	for (uint32_t y = 0; y < d->buf.height; y++) {
		uint32_t *dst = pixel_row(&d->buf, (int32_t)y);
		const uint32_t *src = d->background + (size_t)y * w;

		memcpy(dst, src + shift, (size_t)(w - shift) * 4);
		memcpy(dst + (w - shift), src, (size_t)shift * 4);
	}
}

static uint64_t realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static struct drm_clip_rect clip_of(struct rect r)
{
	return (struct drm_clip_rect){
		.x1 = (unsigned short)r.x,
		.y1 = (unsigned short)r.y,
		.x2 = (unsigned short)(r.x + r.w),
		.y2 = (unsigned short)(r.y + r.h),
	};
}

/*
 * Draws one frame and hands it over. The stamp goes last, with the time read just before the
 * buffer is declared dirty: that is the moment the frame leaves the guest.
 */
static int display_draw_frame(struct display *d, const struct options *opts, bool animate)
{
	struct drm_clip_rect clips[MAX_CLIPS];
	struct drm_mode_fb_dirty_cmd dirty = {.fb_id = d->buf.fb_id};
	struct rect stamp_area;
	uint32_t n_clips = 0;
	bool full = d->full_redraw || opts->full_frame;

	if (animate) {
		d->counter++;
		for (int i = 0; i < d->n_sprites; i++)
			move_sprite(&d->sprites[i], d->buf.width, d->buf.height);
	}

	if (opts->full_frame) {
		copy_background_scrolled(d, d->frames_since_mode * 4);
	} else if (d->full_redraw) {
		restore_rect(d, (struct rect){0, 0, (int32_t)d->buf.width, (int32_t)d->buf.height});
	} else {
		for (int i = 0; i < d->n_sprites; i++)
			restore_rect(d, d->sprites[i].old);
	}

	for (int i = 0; i < d->n_sprites; i++) {
		draw_sprite(d, &d->sprites[i], d->counter);
		if (!full) {
			struct rect o = rect_clip(d->sprites[i].old, d->buf.width, d->buf.height);
			struct rect p = rect_clip(d->sprites[i].pos, d->buf.width, d->buf.height);

			if (o.w && o.h)
				clips[n_clips++] = clip_of(o);
			if (p.w && p.h)
				clips[n_clips++] = clip_of(p);
		}
	}

	stamp_area = rect_clip((struct rect){0, 0, LATENCY_STAMP_COLUMNS * (int32_t)d->block,
					     LATENCY_STAMP_ROWS * (int32_t)d->block},
			       d->buf.width, d->buf.height);
	if (!full)
		clips[n_clips++] = clip_of(stamp_area);
	latency_stamp_draw(d->buf.map, d->buf.width, d->buf.height, d->buf.pitch, d->block,
			   realtime_us(), d->counter);

	/* No clips (and then no pointer, or the kernel refuses) means the whole buffer. */
	dirty.num_clips = n_clips;
	dirty.clips_ptr = n_clips ? (uintptr_t)clips : 0;
	d->full_redraw = false;
	d->frames_since_mode++;
	return drm_ioctl(d->fd, DRM_IOCTL_MODE_DIRTYFB, &dirty);
}

/* Finds a connected connector and sets its preferred mode if it differs from the current one. */
static int display_update_mode(struct display *d)
{
	uint32_t *crtcs = NULL, *connectors = NULL, n_crtcs = 0, n_connectors = 0;
	struct connector_info info = {0};
	const struct drm_mode_modeinfo *mode = NULL;
	struct buffer buf;
	uint32_t crtc_id = 0, connector_id = 0;
	uint32_t *background;
	int ret;

	ret = get_resources(d->fd, &crtcs, &n_crtcs, &connectors, &n_connectors);
	if (ret < 0) {
		log_line("error: DRM_IOCTL_MODE_GETRESOURCES: %s", strerror(-ret));
		return ret;
	}

	for (uint32_t i = 0; i < n_connectors && !mode; i++) {
		connector_info_clear(&info);
		if (get_connector(d->fd, connectors[i], &info) < 0)
			continue;
		if (info.conn.connection != 1 /* connected */ || info.conn.count_modes == 0)
			continue;
		crtc_id = find_crtc(d->fd, &info, crtcs, n_crtcs);
		if (!crtc_id)
			continue;
		mode = preferred_mode(&info);
		connector_id = connectors[i];
	}
	free(crtcs);
	free(connectors);

	if (!mode) {
		connector_info_clear(&info);
		/* Keep showing the old picture: a display that comes back sends another hotplug. */
		if (!d->mode_set)
			log_line("error: no connected connector with a mode and a CRTC");
		return d->mode_set ? 0 : -ENODEV;
	}

	if (d->mode_set && connector_id == d->connector_id && crtc_id == d->crtc_id &&
	    mode->hdisplay == d->mode.hdisplay && mode->vdisplay == d->mode.vdisplay &&
	    mode->clock == d->mode.clock) {
		connector_info_clear(&info);
		return 0;
	}

	ret = buffer_create(d->fd, &buf, mode->hdisplay, mode->vdisplay);
	if (ret < 0) {
		log_line("error: dumb buffer %ux%u: %s", mode->hdisplay, mode->vdisplay,
			 strerror(-ret));
		connector_info_clear(&info);
		return ret;
	}
	background = malloc((size_t)buf.width * buf.height * 4);
	if (!background) {
		buffer_destroy(d->fd, &buf);
		connector_info_clear(&info);
		return -ENOMEM;
	}

	struct drm_mode_crtc set = {
		.set_connectors_ptr = (uintptr_t)&connector_id,
		.count_connectors = 1,
		.crtc_id = crtc_id,
		.fb_id = buf.fb_id,
		.mode_valid = 1,
		.mode = *mode,
	};

	/* Fill the picture before it goes on screen, so the first scanout is already whole. */
	{
		struct buffer old = d->buf;
		uint32_t *old_background = d->background;

		d->buf = buf;
		d->background = background;
		make_background(d);
		reset_sprites(d);
		d->block = buf.width >= LATENCY_STAMP_COLUMNS * 16 ? 16 : 8;
		d->full_redraw = true;
		d->frames_since_mode = 0;
		display_draw_frame(d, &(struct options){0}, false);

		ret = drm_ioctl(d->fd, DRM_IOCTL_MODE_SETCRTC, &set);
		if (ret < 0) {
			log_line("error: DRM_IOCTL_MODE_SETCRTC %ux%u: %s", mode->hdisplay,
				 mode->vdisplay, strerror(-ret));
			d->buf = old;
			d->background = old_background;
			if (old.map) {
				make_background(d);
				reset_sprites(d);
				d->full_redraw = true;
			}
			buffer_destroy(d->fd, &buf);
			free(background);
			connector_info_clear(&info);
			return ret;
		}
		buffer_destroy(d->fd, &old);
		free(old_background);
	}

	d->mode = *mode;
	d->connector_id = connector_id;
	d->crtc_id = crtc_id;
	d->mode_set = true;
	d->full_redraw = true;
	log_line("mode %ux%u", d->buf.width, d->buf.height);
	connector_info_clear(&info);
	return 0;
}

struct inputs {
	int fds[MAX_INPUTS];
	char names[MAX_INPUTS][32];
	int n;
};

static bool inputs_has(const struct inputs *in, const char *name)
{
	for (int i = 0; i < in->n; i++) {
		if (!strcmp(in->names[i], name))
			return true;
	}
	return false;
}

static void inputs_open(struct inputs *in, const char *name)
{
	char path[64];
	int fd;

	if (in->n >= MAX_INPUTS || inputs_has(in, name))
		return;
	snprintf(path, sizeof(path), INPUT_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		log_line("error: open %s: %s", path, strerror(errno));
		return;
	}
	in->fds[in->n] = fd;
	snprintf(in->names[in->n], sizeof(in->names[in->n]), "%s", name);
	in->n++;
}

static void inputs_scan(struct inputs *in)
{
	DIR *dir = opendir(INPUT_DIR);
	struct dirent *ent;

	if (!dir)
		return;
	while ((ent = readdir(dir))) {
		if (!strncmp(ent->d_name, "event", 5))
			inputs_open(in, ent->d_name);
	}
	closedir(dir);
}

static void inputs_remove(struct inputs *in, int i)
{
	close(in->fds[i]);
	in->n--;
	in->fds[i] = in->fds[in->n];
	memcpy(in->names[i], in->names[in->n], sizeof(in->names[i]));
}

static bool is_button(uint16_t code)
{
	return (code >= BTN_MISC && code < KEY_OK) ||
	       (code >= BTN_DPAD_UP && code <= BTN_DPAD_RIGHT) ||
	       (code >= BTN_TRIGGER_HAPPY && code <= BTN_TRIGGER_HAPPY40);
}

static void log_input_event(const struct input_event *ev)
{
	switch (ev->type) {
	case EV_KEY:
		log_line("%s %u %d", is_button(ev->code) ? "btn" : "key", ev->code, ev->value);
		break;
	case EV_ABS:
		log_line("abs %u %d", ev->code, ev->value);
		break;
	case EV_REL:
		log_line("rel %u %d", ev->code, ev->value);
		break;
	default:
		break;
	}
}

/* Returns false when the device is gone. */
static bool inputs_read(int fd)
{
	struct input_event evs[64];

	for (;;) {
		ssize_t n = read(fd, evs, sizeof(evs));

		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		if (n == 0)
			return false;
		for (size_t i = 0; i < (size_t)n / sizeof(evs[0]); i++)
			log_input_event(&evs[i]);
	}
}

static int open_uevents(void)
{
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK, .nl_groups = 1};
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

struct uevent {
	const char *action;
	const char *subsystem;
	const char *devname;
	bool hotplug;
};

static void parse_uevent(char *msg, size_t len, struct uevent *ev)
{
	memset(ev, 0, sizeof(*ev));
	for (size_t off = 0; off < len;) {
		const char *field = msg + off;
		size_t flen = strnlen(field, len - off);

		if (!strncmp(field, "ACTION=", 7))
			ev->action = field + 7;
		else if (!strncmp(field, "SUBSYSTEM=", 10))
			ev->subsystem = field + 10;
		else if (!strncmp(field, "DEVNAME=", 8))
			ev->devname = field + 8;
		else if (!strcmp(field, "HOTPLUG=1"))
			ev->hotplug = true;
		off += flen + 1;
	}
}

/* Returns true if a drm hotplug arrived. New input devices are opened on the way. */
static bool handle_uevents(int fd, struct inputs *in)
{
	bool hotplug = false;
	char msg[8192];

	for (;;) {
		struct uevent ev;
		ssize_t n = recv(fd, msg, sizeof(msg) - 1, 0);

		if (n <= 0)
			break;
		msg[n] = '\0';
		parse_uevent(msg, (size_t)n, &ev);
		if (!ev.subsystem || !ev.action)
			continue;
		if (!strcmp(ev.subsystem, "drm") && ev.hotplug)
			hotplug = true;
		else if (!strcmp(ev.subsystem, "input") && !strcmp(ev.action, "add") &&
			 ev.devname && !strncmp(ev.devname, "input/event", 11))
			inputs_open(in, ev.devname + 6);
	}
	return hotplug;
}

static int arm_timer(int tfd)
{
	struct itimerspec its = {
		.it_interval = {0, FRAME_INTERVAL_NS},
		.it_value = {0, FRAME_INTERVAL_NS},
	};

	return timerfd_settime(tfd, 0, &its, NULL) < 0 ? -errno : 0;
}

int main(void)
{
	struct display d = {.fd = -1};
	struct inputs in = {.n = 0};
	struct options opts;
	int uevent_fd, timer_fd, ret;

	if (open_serial() < 0)
		fprintf(stderr, "guest: cannot open " SERIAL_PATH ": %s\n", strerror(errno));
	read_options(&opts);

	/* Listen before probing, so a hotplug between probe and poll is not lost. */
	uevent_fd = open_uevents();
	if (uevent_fd < 0) {
		log_line("error: uevent socket: %s", strerror(-uevent_fd));
		return 1;
	}
	timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (timer_fd < 0) {
		log_line("error: timerfd: %s", strerror(errno));
		return 1;
	}

	d.fd = open(CARD_PATH, O_RDWR | O_CLOEXEC);
	if (d.fd < 0) {
		log_line("error: open " CARD_PATH ": %s", strerror(errno));
		return 1;
	}
	ret = display_update_mode(&d);
	if (ret < 0)
		return 1;
	inputs_scan(&in);
	if (in.n == 0)
		log_line("error: no input devices in " INPUT_DIR);

	if (!opts.static_picture && arm_timer(timer_fd) < 0) {
		log_line("error: timerfd_settime: %s", strerror(errno));
		return 1;
	}
	log_line("ready");

	for (;;) {
		struct pollfd pfds[2 + MAX_INPUTS];
		int n_inputs = in.n;

		pfds[0] = (struct pollfd){.fd = uevent_fd, .events = POLLIN};
		pfds[1] = (struct pollfd){.fd = timer_fd, .events = POLLIN};
		for (int i = 0; i < n_inputs; i++)
			pfds[2 + i] = (struct pollfd){.fd = in.fds[i], .events = POLLIN};

		if (poll(pfds, (nfds_t)(2 + n_inputs), -1) < 0) {
			if (errno == EINTR)
				continue;
			log_line("error: poll: %s", strerror(errno));
			return 1;
		}

		/* Input first: logging it promptly matters more than a frame's timing. */
		for (int i = n_inputs - 1; i >= 0; i--) {
			if (pfds[2 + i].revents & (POLLIN | POLLERR | POLLHUP)) {
				if (!inputs_read(in.fds[i]))
					inputs_remove(&in, i);
			}
		}

		if (pfds[0].revents & POLLIN) {
			if (handle_uevents(uevent_fd, &in) && display_update_mode(&d) < 0)
				return 1;
		}

		if (pfds[1].revents & POLLIN) {
			uint64_t expirations;

			/* Missed deadlines are dropped, not caught up: one frame per wake-up. */
			if (read(timer_fd, &expirations, sizeof(expirations)) > 0) {
				ret = display_draw_frame(&d, &opts, true);
				if (ret < 0 && ret != -ENOSYS) {
					log_line("error: DRM_IOCTL_MODE_DIRTYFB: %s",
						 strerror(-ret));
					return 1;
				}
			}
		}
	}
}
