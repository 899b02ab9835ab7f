/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-test"
/* memfd_create() */
#define _GNU_SOURCE

/*
 * An in-process D-Bus peer that plays QEMU's side of the D-Bus display, for what this
 * machine's QEMU 7.2 cannot send: dmabuf scanouts (a memfd stands in for the dmabuf),
 * QEMU >= 9.2's Unix.Map and 10.1's ScanoutDMABUF2, and hostile or malformed messages.
 *
 * The peer runs in its own thread with its own main context, as QEMU would be another
 * process: qemu_vm_connect() is synchronous and guestcast's listener hands work to the main
 * context, so the peer must never depend on the test's main loop to answer.
 */

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>

#include "qemu-glue.h"

#define PIXMAN_X8R8G8B8 0x20020888u
#define PIXMAN_X8B8G8R8 0x20030888u
#define WIDTH		64u
#define HEIGHT		48u
#define WAIT_MS		5000
#define QEMU_TIMEOUT_MS 1000 /* how long QEMU waits for the UpdateDMABUF reply */

#define CONSOLE_PATH   "/org/qemu/Display1/Console_0"
#define LISTENER_PATH  "/org/qemu/Display1/Listener"
#define LISTENER_IFACE "org.qemu.Display1.Listener"
#define MAP_IFACE      "org.qemu.Display1.Listener.Unix.Map"
#define DMABUF2_IFACE  "org.qemu.Display1.Listener.Unix.ScanoutDMABUF2"
#define PROPS_IFACE    "org.freedesktop.DBus.Properties"

/* ---- waiting without fixed sleeps ---------------------------------------------------------- */

/*
 * Iterates the main context until cond holds or ms pass; evaluates to cond. A 2 ms tick
 * source (see main) wakes the loop for conditions the peer thread changes.
 */
#define WAIT_FOR(cond, ms)                                                \
	({                                                                \
		gint64 end_ = g_get_monotonic_time() + (gint64)(ms)*1000; \
		while (!(cond) && g_get_monotonic_time() < end_)          \
			g_main_context_iteration(NULL, TRUE);             \
		(bool)(cond);                                             \
	})

static gboolean on_tick(gpointer data)
{
	return G_SOURCE_CONTINUE;
}

static gint64 elapsed_ms(gint64 since_us)
{
	return (g_get_monotonic_time() - since_us) / 1000;
}

/* ---- log capture: guestcast's warnings on bad input are expected, and must stay few ------- */

static struct {
	GMutex lock;
	unsigned glue_warnings;
	GPtrArray *recent; /* the last messages, capped */
} logs;

static GLogWriterOutput log_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
				   gpointer data)
{
	const char *domain = NULL, *message = NULL;

	for (gsize i = 0; i < n_fields; i++) {
		if (strcmp(fields[i].key, "GLIB_DOMAIN") == 0)
			domain = fields[i].value;
		else if (strcmp(fields[i].key, "MESSAGE") == 0)
			message = fields[i].value;
	}
	g_mutex_lock(&logs.lock);
	if ((level & G_LOG_LEVEL_WARNING) && g_strcmp0(domain, "guestcast-qemu-glue") == 0)
		logs.glue_warnings++;
	if (message) {
		if (logs.recent->len >= 256)
			g_ptr_array_remove_index(logs.recent, 0);
		g_ptr_array_add(logs.recent, g_strdup(message));
	}
	g_mutex_unlock(&logs.lock);
	/* GLib's test log handler already prints g_log() messages as TAP comments. */
	return G_LOG_WRITER_HANDLED;
}

static unsigned glue_warnings(void)
{
	unsigned n;

	g_mutex_lock(&logs.lock);
	n = logs.glue_warnings;
	g_mutex_unlock(&logs.lock);
	return n;
}

static bool logged(const char *needle)
{
	bool found = false;

	g_mutex_lock(&logs.lock);
	for (guint i = 0; i < logs.recent->len && !found; i++)
		found = strstr(logs.recent->pdata[i], needle) != NULL;
	g_mutex_unlock(&logs.lock);
	return found;
}

/* ---- the QEMU imitation -------------------------------------------------------------------- */

static const char peer_xml[] =
	"<node>"
	" <interface name='org.qemu.Display1.VM'>"
	"  <property name='Name' type='s' access='read'/>"
	"  <property name='UUID' type='s' access='read'/>"
	"  <property name='ConsoleIDs' type='au' access='read'/>"
	" </interface>"
	" <interface name='org.qemu.Display1.Console'>"
	"  <method name='RegisterListener'><arg type='h' name='listener' direction='in'/></method>"
	"  <method name='SetUIInfo'><arg type='q' direction='in'/><arg type='q' direction='in'/>"
	"   <arg type='i' direction='in'/><arg type='i' direction='in'/>"
	"   <arg type='u' direction='in'/><arg type='u' direction='in'/></method>"
	"  <property name='Label' type='s' access='read'/>"
	"  <property name='Head' type='u' access='read'/>"
	"  <property name='Type' type='s' access='read'/>"
	"  <property name='Width' type='u' access='read'/>"
	"  <property name='Height' type='u' access='read'/>"
	"  <property name='DeviceAddress' type='s' access='read'/>"
	" </interface>"
	" <interface name='org.qemu.Display1.Keyboard'>"
	"  <method name='Press'><arg type='u' name='keycode' direction='in'/></method>"
	"  <method name='Release'><arg type='u' name='keycode' direction='in'/></method>"
	"  <property name='Modifiers' type='u' access='read'/>"
	" </interface>"
	" <interface name='org.qemu.Display1.Mouse'>"
	"  <method name='Press'><arg type='u' name='button' direction='in'/></method>"
	"  <method name='Release'><arg type='u' name='button' direction='in'/></method>"
	"  <method name='SetAbsPosition'><arg type='u' direction='in'/>"
	"   <arg type='u' direction='in'/></method>"
	"  <method name='RelMotion'><arg type='i' direction='in'/><arg type='i' direction='in'/>"
	"  </method>"
	"  <property name='IsAbsolute' type='b' access='read'/>"
	" </interface>"
	"</node>";

struct peer_call {
	char *name; /* "Keyboard.Press" */
	GVariant *args;
};

struct peer {
	GThread *thread;
	GMainContext *context;
	GMainLoop *loop;
	GDBusNodeInfo *node;
	int fd; /* our end of the p2p socket, until the thread takes it */
	guint object_ids[4];

	GMutex lock; /* everything below, shared with the test thread */
	GDBusConnection *conn;
	GDBusConnection *listener; /* the socket guestcast passed in RegisterListener */
	GPtrArray *calls;	   /* struct peer_call, input and SetUIInfo in order */
	uint32_t width, height;
	bool absolute;
};

static void peer_call_free(gpointer data)
{
	struct peer_call *c = data;

	g_free(c->name);
	g_variant_unref(c->args);
	g_free(c);
}

static void on_peer_listener_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(GError) error = NULL;
	struct peer *p = data;
	GDBusConnection *conn = g_dbus_connection_new_finish(result, &error);

	g_assert_no_error(error);
	g_mutex_lock(&p->lock);
	g_clear_object(&p->listener);
	p->listener = conn;
	g_mutex_unlock(&p->lock);
	g_main_context_wakeup(NULL);
}

static void peer_register_listener(struct peer *p, GVariant *params,
				   GDBusMethodInvocation *invocation)
{
	GDBusMessage *msg = g_dbus_method_invocation_get_message(invocation);
	GUnixFDList *fds = g_dbus_message_get_unix_fd_list(msg);
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocket) socket = NULL;
	g_autoptr(GSocketConnection) stream = NULL;
	g_autofree char *guid = g_dbus_generate_guid();
	gint32 index;
	int fd;

	g_variant_get(params, "(h)", &index);
	fd = fds ? g_unix_fd_list_get(fds, index, &error) : -1;
	if (fd < 0) {
		g_dbus_method_invocation_return_dbus_error(
			invocation, "org.freedesktop.DBus.Error.InvalidArgs", "no listener fd");
		return;
	}
	/* Like QEMU: reply first, then authenticate guestcast's end as the server. */
	g_dbus_method_invocation_return_value(invocation, NULL);
	socket = g_socket_new_from_fd(fd, &error);
	g_assert_no_error(error);
	stream = g_socket_connection_factory_create_connection(socket);
	g_dbus_connection_new(G_IO_STREAM(stream), guid,
			      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER, NULL, NULL,
			      on_peer_listener_ready, p);
}

static void peer_method_call(GDBusConnection *conn, const char *sender, const char *path,
			     const char *iface, const char *member, GVariant *params,
			     GDBusMethodInvocation *invocation, gpointer data)
{
	struct peer *p = data;
	struct peer_call *call;

	if (strcmp(member, "RegisterListener") == 0) {
		peer_register_listener(p, params, invocation);
		return;
	}
	call = g_new0(struct peer_call, 1);
	call->name = g_strdup_printf("%s.%s", strrchr(iface, '.') + 1, member);
	call->args = g_variant_ref(params);
	g_mutex_lock(&p->lock);
	g_ptr_array_add(p->calls, call);
	g_mutex_unlock(&p->lock);
	g_dbus_method_invocation_return_value(invocation, NULL);
	g_main_context_wakeup(NULL);
}

static GVariant *peer_get_property(GDBusConnection *conn, const char *sender, const char *path,
				   const char *iface, const char *name, GError **error,
				   gpointer data)
{
	static const uint32_t console_ids[] = {0};
	struct peer *p = data;
	GVariant *v = NULL;

	g_mutex_lock(&p->lock);
	if (strcmp(name, "Name") == 0)
		v = g_variant_new_string("imitation");
	else if (strcmp(name, "UUID") == 0)
		v = g_variant_new_string("5f8e1c2a-0000-4000-8000-00000000beef");
	else if (strcmp(name, "ConsoleIDs") == 0)
		v = g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, console_ids, 1,
					      sizeof(uint32_t));
	else if (strcmp(name, "Label") == 0)
		v = g_variant_new_string("imitation-vga");
	else if (strcmp(name, "Head") == 0)
		v = g_variant_new_uint32(0);
	else if (strcmp(name, "Type") == 0)
		v = g_variant_new_string("Graphic");
	else if (strcmp(name, "Width") == 0)
		v = g_variant_new_uint32(p->width);
	else if (strcmp(name, "Height") == 0)
		v = g_variant_new_uint32(p->height);
	else if (strcmp(name, "DeviceAddress") == 0)
		v = g_variant_new_string("pci/0000/02.0");
	else if (strcmp(name, "Modifiers") == 0)
		v = g_variant_new_uint32(0);
	else if (strcmp(name, "IsAbsolute") == 0)
		v = g_variant_new_boolean(p->absolute);
	g_mutex_unlock(&p->lock);
	if (!v)
		g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "no %s", name);
	return v;
}

static const GDBusInterfaceVTable peer_vtable = {
	.method_call = peer_method_call,
	.get_property = peer_get_property,
};

static gpointer peer_thread(gpointer data)
{
	struct peer *p = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocket) socket = NULL;
	g_autoptr(GSocketConnection) stream = NULL;
	g_autofree char *guid = g_dbus_generate_guid();
	GDBusConnection *conn;

	g_main_context_push_thread_default(p->context);
	socket = g_socket_new_from_fd(p->fd, &error);
	g_assert_no_error(error);
	p->fd = -1;
	stream = g_socket_connection_factory_create_connection(socket);
	/* QEMU is the authentication server on its p2p connection. */
	conn = g_dbus_connection_new_sync(G_IO_STREAM(stream), guid,
					  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER |
						  G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING,
					  NULL, NULL, &error);
	g_assert_no_error(error);
	p->object_ids[0] = g_dbus_connection_register_object(conn, "/org/qemu/Display1/VM",
							     p->node->interfaces[0], &peer_vtable,
							     p, NULL, &error);
	g_assert_no_error(error);
	for (guint i = 1; i < 4; i++) {
		p->object_ids[i] = g_dbus_connection_register_object(
			conn, CONSOLE_PATH, p->node->interfaces[i], &peer_vtable, p, NULL, &error);
		g_assert_no_error(error);
	}
	g_dbus_connection_start_message_processing(conn);
	g_mutex_lock(&p->lock);
	p->conn = conn;
	g_mutex_unlock(&p->lock);

	g_main_loop_run(p->loop);

	for (guint i = 0; i < 4; i++)
		g_dbus_connection_unregister_object(conn, p->object_ids[i]);
	g_dbus_connection_close_sync(conn, NULL, NULL);
	if (p->listener)
		g_dbus_connection_close_sync(p->listener, NULL, NULL);
	g_main_context_pop_thread_default(p->context);
	return NULL;
}

/* Takes ownership of fd. */
static struct peer *peer_start(int fd, uint32_t width, uint32_t height)
{
	struct peer *p = g_new0(struct peer, 1);

	g_mutex_init(&p->lock);
	p->fd = fd;
	p->width = width;
	p->height = height;
	p->calls = g_ptr_array_new_with_free_func(peer_call_free);
	p->context = g_main_context_new();
	p->loop = g_main_loop_new(p->context, FALSE);
	p->node = g_dbus_node_info_new_for_xml(peer_xml, NULL);
	g_assert_nonnull(p->node);
	p->thread = g_thread_new("qemu-imitation", peer_thread, p);
	return p;
}

static void peer_stop(struct peer *p)
{
	g_main_loop_quit(p->loop);
	g_thread_join(p->thread);
	g_clear_object(&p->listener);
	g_clear_object(&p->conn);
	g_ptr_array_free(p->calls, TRUE);
	g_dbus_node_info_unref(p->node);
	g_main_loop_unref(p->loop);
	g_main_context_unref(p->context);
	g_mutex_clear(&p->lock);
	g_free(p);
}

static GDBusConnection *peer_listener(struct peer *p)
{
	GDBusConnection *conn;

	g_mutex_lock(&p->lock);
	conn = p->listener;
	g_mutex_unlock(&p->lock);
	return conn;
}

static GDBusConnection *peer_conn(struct peer *p)
{
	GDBusConnection *conn;

	g_mutex_lock(&p->lock);
	conn = p->conn;
	g_mutex_unlock(&p->lock);
	return conn;
}

static guint peer_n_calls(struct peer *p)
{
	guint n;

	g_mutex_lock(&p->lock);
	n = p->calls->len;
	g_mutex_unlock(&p->lock);
	return n;
}

/* Changes Mouse.IsAbsolute as QEMU does when the guest binds (or drops) a tablet driver. */
static void peer_set_absolute(struct peer *p, bool absolute)
{
	GVariantBuilder changed;

	g_mutex_lock(&p->lock);
	p->absolute = absolute;
	g_mutex_unlock(&p->lock);
	g_variant_builder_init(&changed, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&changed, "{sv}", "IsAbsolute", g_variant_new_boolean(absolute));
	g_dbus_connection_emit_signal(
		peer_conn(p), NULL, CONSOLE_PATH, PROPS_IFACE, "PropertiesChanged",
		g_variant_new("(sa{sv}as)", "org.qemu.Display1.Mouse", &changed, NULL), NULL);
}

/* ---- pictures ------------------------------------------------------------------------------ */

/* 0xRRGGBB of the test pattern at surface position (x, y); seed tells pictures apart. */
static uint32_t pattern(uint32_t x, uint32_t y, uint32_t seed)
{
	return (((x * 4 + seed * 7) & 0xff) << 16) | (((y * 5 + seed * 3) & 0xff) << 8) |
	       (((x ^ y) + seed * 11) & 0xff);
}

/* What the consumer should see. */
struct picture {
	uint32_t width, height;
	uint32_t *rgb;
};

static void picture_reset(struct picture *pic, uint32_t width, uint32_t height, uint32_t dx,
			  uint32_t dy, uint32_t seed)
{
	g_free(pic->rgb);
	pic->width = width;
	pic->height = height;
	pic->rgb = g_new(uint32_t, (gsize)width * height);
	for (uint32_t y = 0; y < height; y++) {
		for (uint32_t x = 0; x < width; x++)
			pic->rgb[y * width + x] = pattern(x + dx, y + dy, seed);
	}
}

static void picture_paint(struct picture *pic, const struct rect *r, uint32_t seed)
{
	for (int32_t y = r->y; y < r->y + r->h; y++) {
		for (int32_t x = r->x; x < r->x + r->w; x++)
			pic->rgb[(uint32_t)y * pic->width + (uint32_t)x] =
				pattern((uint32_t)x, (uint32_t)y, seed);
	}
}

/* A surface that grew keeps its old pixels; the new area is black. */
static void picture_grow(struct picture *pic, uint32_t width, uint32_t height)
{
	uint32_t *rgb = g_new0(uint32_t, (gsize)width * height);

	for (uint32_t y = 0; y < MIN(height, pic->height); y++)
		memcpy(rgb + (gsize)y * width, pic->rgb + (gsize)y * pic->width,
		       MIN(width, pic->width) * sizeof(uint32_t));
	g_free(pic->rgb);
	pic->rgb = rgb;
	pic->width = width;
	pic->height = height;
}

static void put_xrgb(uint8_t *p, uint32_t rgb)
{
	p[0] = rgb & 0xff;
	p[1] = (rgb >> 8) & 0xff;
	p[2] = (rgb >> 16) & 0xff;
	p[3] = 0xff;
}

/* XRGB8888 rows of the pattern over r at stride; padding is filled with junk on purpose. */
static uint8_t *pixels_new(const struct rect *r, uint32_t stride, uint32_t seed, gsize *len)
{
	uint8_t *buf;

	*len = (gsize)stride * (uint32_t)r->h;
	buf = g_malloc(*len);
	memset(buf, 0xa5, *len);
	for (int32_t y = 0; y < r->h; y++) {
		for (int32_t x = 0; x < r->w; x++)
			put_xrgb(buf + (gsize)y * stride + (gsize)x * 4,
				 pattern((uint32_t)(r->x + x), (uint32_t)(r->y + y), seed));
	}
	return buf;
}

static GVariant *bytes_variant(const void *data, gsize len)
{
	return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, len, 1);
}

static void assert_picture(struct frame *frame, const struct picture *pic)
{
	struct frame_mapping map;
	uint32_t bad = 0, first_x = 0, first_y = 0, got = 0;

	g_assert_nonnull(frame);
	g_assert_cmpuint(frame->width, ==, pic->width);
	g_assert_cmpuint(frame->height, ==, pic->height);
	g_assert_cmpuint(format_bpp(frame->fourcc), ==, 4);
	g_assert_cmpint(frame_map(frame, &map), ==, 0);
	for (uint32_t y = 0; y < pic->height; y++) {
		for (uint32_t x = 0; x < pic->width; x++) {
			uint32_t v = format_read_rgb(frame->fourcc,
						     map.pixels + (gsize)y * map.stride + x * 4);

			if (v != pic->rgb[y * pic->width + x] && bad++ == 0) {
				first_x = x;
				first_y = y;
				got = v;
			}
		}
	}
	frame_unmap(&map);
	if (bad)
		g_test_message("%u pixels differ; first at %u,%u: 0x%06x, expected 0x%06x", bad,
			       first_x, first_y, got, pic->rgb[first_y * pic->width + first_x]);
	g_assert_cmpuint(bad, ==, 0);
}

/* ---- memfds standing in for dmabufs and shared memory --------------------------------------- */

static int memfd_new(gsize size)
{
	int fd = memfd_create("guestcast-test-dmabuf-standin", MFD_CLOEXEC);

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(ftruncate(fd, (off_t)size), ==, 0);
	return fd;
}

/* Writes the pattern over r into the buffer, as the guest would draw into its scanout. */
static void memfd_paint(int fd, gsize offset, uint32_t stride, const struct rect *r, uint32_t seed)
{
	g_autofree uint8_t *row = g_malloc((gsize)r->w * 4);

	for (int32_t y = 0; y < r->h; y++) {
		for (int32_t x = 0; x < r->w; x++)
			put_xrgb(row + (gsize)x * 4,
				 pattern((uint32_t)(r->x + x), (uint32_t)(r->y + y), seed));
		g_assert_cmpint(
			pwrite(fd, row, (gsize)r->w * 4,
			       (off_t)(offset + (gsize)(r->y + y) * stride + (gsize)r->x * 4)),
			==, r->w * 4);
	}
}

/* A list holding a dup of fd (the caller keeps fd). */
static GUnixFDList *fd_list_of(int fd)
{
	GUnixFDList *list = g_unix_fd_list_new();
	g_autoptr(GError) error = NULL;

	g_unix_fd_list_append(list, fd, &error);
	g_assert_no_error(error);
	return list;
}

static unsigned open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	unsigned n = 0;

	g_assert_nonnull(dir);
	while (readdir(dir))
		n++;
	closedir(dir);
	return n;
}

/*
 * Fails the test but lets it (and the program) go on, so that one leak does not hide the
 * results of the tests after it.
 */
static void check_fds_not_leaked(unsigned before, unsigned after, const char *what)
{
	g_test_message("%s: %u fds open before, %u after", what, before, after);
	if (after >= before + 4) {
		g_test_message("FAIL: %s leaked %u file descriptors", what, after - before);
		g_test_fail();
	}
}

static uint64_t resident_bytes(void)
{
	g_autofree char *text = NULL;
	unsigned long size = 0, resident = 0;

	g_assert_true(g_file_get_contents("/proc/self/statm", &text, NULL, NULL));
	g_assert_cmpint(sscanf(text, "%lu %lu", &size, &resident), ==, 2);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* ---- guestcast's side ------------------------------------------------------------------------ */

struct fixture {
	struct peer *peer;
	struct qemu_vm *vm;
	struct qemu_console *console;
	struct frame_store *store;
	struct frame_consumer *consumer;
	struct qemu_listener *listener;
	int notified, seen;
	struct picture expect;
	uint64_t expect_rejected; /* bad messages the listener should have counted */

	struct qemu_cursor *cursor;
	int cursors;
	int mouse_sets;
	int32_t mouse_x, mouse_y;
	bool mouse_visible;
	int listener_closed;
	int vm_closed;
	char *vm_closed_reason;
	guint next_call;
};

static void on_frame(void *data)
{
	((struct fixture *)data)->notified++;
}

static void on_cursor_define(void *data, struct qemu_cursor *cursor)
{
	struct fixture *f = data;

	qemu_cursor_unref(f->cursor);
	f->cursor = qemu_cursor_ref(cursor);
	f->cursors++;
}

static void on_mouse_set(void *data, int32_t x, int32_t y, bool visible)
{
	struct fixture *f = data;

	f->mouse_sets++;
	f->mouse_x = x;
	f->mouse_y = y;
	f->mouse_visible = visible;
}

static void on_listener_closed(void *data)
{
	((struct fixture *)data)->listener_closed++;
}

static void on_vm_closed(void *data, const char *reason)
{
	struct fixture *f = data;

	f->vm_closed++;
	g_free(f->vm_closed_reason);
	f->vm_closed_reason = g_strdup(reason);
}

static const struct qemu_listener_callbacks listener_callbacks = {
	.on_cursor_define = on_cursor_define,
	.on_mouse_set = on_mouse_set,
	.on_closed = on_listener_closed,
};

static void fixture_setup_sized(struct fixture *f, bool with_consumer, uint32_t console_width,
				uint32_t console_height)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *address = NULL;
	int pair[2];

	memset(f, 0, sizeof(*f));
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), ==, 0);
	f->peer = peer_start(pair[1], console_width, console_height);
	address = g_strdup_printf("fd:%d", pair[0]);
	f->vm = qemu_vm_connect(address, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(f->vm);
	g_assert_cmpstr(qemu_vm_get_name(f->vm), ==, "imitation");
	g_assert_cmpuint(qemu_vm_get_n_consoles(f->vm), ==, 1);
	qemu_vm_set_closed_handler(f->vm, on_vm_closed, f);
	f->console = qemu_vm_get_console(f->vm, 0);
	g_assert_nonnull(f->console);
	f->store = frame_store_create(NULL);
	if (with_consumer)
		f->consumer = frame_store_add_consumer(f->store, on_frame, f);
	f->listener = qemu_listener_create(f->console, f->store, &listener_callbacks, f, &error);
	g_assert_no_error(error);
	g_assert_nonnull(f->listener);
	g_assert_true(WAIT_FOR(peer_listener(f->peer) != NULL, WAIT_MS));
}

static void fixture_setup(struct fixture *f, bool with_consumer)
{
	fixture_setup_sized(f, with_consumer, WIDTH, HEIGHT);
}

static void fixture_teardown(struct fixture *f)
{
	qemu_listener_destroy(f->listener);
	frame_store_remove_consumer(f->store, f->consumer);
	frame_store_destroy(f->store);
	qemu_vm_destroy(f->vm);
	peer_stop(f->peer);
	qemu_cursor_unref(f->cursor);
	g_free(f->vm_closed_reason);
	g_free(f->expect.rgb);
	while (g_main_context_iteration(NULL, FALSE))
		;
}

/* ---- talking to guestcast's listener as QEMU does ---------------------------------------- */

struct reply_wait {
	bool done;
	GDBusMessage *reply;
	GError *error;
	gint64 sent_us, replied_us;
};

static void on_reply(GObject *source, GAsyncResult *result, gpointer data)
{
	struct reply_wait *w = data;

	w->reply = g_dbus_connection_send_message_with_reply_finish(G_DBUS_CONNECTION(source),
								    result, &w->error);
	w->replied_us = g_get_monotonic_time();
	w->done = true;
}

static void reply_wait_clear(struct reply_wait *w)
{
	g_clear_object(&w->reply);
	g_clear_error(&w->error);
}

/* body may be NULL (no arguments at all); fds may be NULL. Both are consumed. */
static GDBusMessage *listener_message(const char *iface, const char *member, GVariant *body,
				      GUnixFDList *fds)
{
	GDBusMessage *msg = g_dbus_message_new_method_call(NULL, LISTENER_PATH, iface, member);

	if (body)
		g_dbus_message_set_body(msg, body);
	if (fds) {
		g_dbus_message_set_unix_fd_list(msg, fds);
		g_object_unref(fds);
	}
	return msg;
}

static void send_async(struct fixture *f, GDBusMessage *msg, struct reply_wait *w)
{
	*w = (struct reply_wait){.sent_us = g_get_monotonic_time()};
	g_dbus_connection_send_message_with_reply(peer_listener(f->peer), msg,
						  G_DBUS_SEND_MESSAGE_FLAGS_NONE, WAIT_MS, NULL,
						  NULL, on_reply, w);
	g_object_unref(msg);
}

/* A reply must come in any case: QEMU would otherwise be left waiting. */
static bool reply_is_error(struct reply_wait *w, const char *member)
{
	g_assert_true(WAIT_FOR(w->done, WAIT_MS));
	g_assert_no_error(w->error);
	g_assert_nonnull(w->reply);
	if (g_dbus_message_get_message_type(w->reply) == G_DBUS_MESSAGE_TYPE_ERROR) {
		if (g_test_verbose())
			g_test_message("%s refused: %s", member,
				       g_dbus_message_get_error_name(w->reply));
		return true;
	}
	g_assert_cmpint(g_dbus_message_get_message_type(w->reply), ==,
			G_DBUS_MESSAGE_TYPE_METHOD_RETURN);
	return false;
}

/* Calls a listener method; true for a method return, false for an error reply. */
static bool call_listener(struct fixture *f, const char *iface, const char *member, GVariant *body,
			  GUnixFDList *fds)
{
	struct reply_wait w;
	bool error;

	send_async(f, listener_message(iface, member, body, fds), &w);
	error = reply_is_error(&w, member);
	reply_wait_clear(&w);
	return !error;
}

#define expect_ok(f, iface, member, body, fds) \
	g_assert_true(call_listener(f, iface, member, body, fds))

/* A message guestcast must refuse (with an error reply) and count. */
static void expect_refused(struct fixture *f, const char *iface, const char *member, GVariant *body,
			   GUnixFDList *fds)
{
	g_assert_false(call_listener(f, iface, member, body, fds));
	f->expect_rejected++;
}

static void assert_rejected_count(struct fixture *f)
{
	struct qemu_listener_stats stats;

	qemu_listener_get_stats(f->listener, &stats);
	g_assert_cmpuint(stats.rejected, ==, f->expect_rejected);
}

static GVariant *scanout_body(uint32_t width, uint32_t height, uint32_t stride, uint32_t format,
			      const void *data, gsize len)
{
	return g_variant_new("(uuuu@ay)", width, height, stride, format, bytes_variant(data, len));
}

static GVariant *update_body(const struct rect *r, uint32_t stride, uint32_t format,
			     const void *data, gsize len)
{
	return g_variant_new("(iiiiuu@ay)", r->x, r->y, r->w, r->h, stride, format,
			     bytes_variant(data, len));
}

static GVariant *rect_body(const struct rect *r)
{
	return g_variant_new("(iiii)", r->x, r->y, r->w, r->h);
}

static GVariant *scanout_dmabuf_body(gint32 handle, uint32_t width, uint32_t height,
				     uint32_t stride, uint32_t fourcc)
{
	return g_variant_new("(huuuutb)", handle, width, height, stride, fourcc, (guint64)0, TRUE);
}

static GVariant *scanout_map_body(gint32 handle, uint32_t offset, uint32_t width, uint32_t height,
				  uint32_t stride, uint32_t format)
{
	return g_variant_new("(huuuuu)", handle, offset, width, height, stride, format);
}

/* Waits for the consumer's notification, then takes what it would encode. */
static struct frame *take_frame(struct fixture *f, struct damage *damage)
{
	g_assert_true(WAIT_FOR(f->notified > f->seen, WAIT_MS));
	f->seen = f->notified;
	return frame_consumer_take(f->consumer, damage, NULL);
}

static void assert_damage_is(const struct damage *damage, const struct rect *r)
{
	g_assert_cmpuint(damage->n, ==, 1);
	g_assert_cmpint(damage->rects[0].x, ==, r->x);
	g_assert_cmpint(damage->rects[0].y, ==, r->y);
	g_assert_cmpint(damage->rects[0].w, ==, r->w);
	g_assert_cmpint(damage->rects[0].h, ==, r->h);
}

/* The consumer gets exactly damage r and the whole expected picture. */
static void take_and_check(struct fixture *f, const struct rect *r)
{
	struct damage damage;
	struct frame *frame = take_frame(f, &damage);

	assert_damage_is(&damage, r);
	assert_picture(frame, &f->expect);
	frame_unref(frame);
}

/* A valid Scanout of the pattern; padded rows so the stride is honoured, not assumed. */
static void scanout(struct fixture *f, uint32_t width, uint32_t height, uint32_t seed)
{
	struct rect all = {0, 0, (int32_t)width, (int32_t)height};
	uint32_t stride = width * 4 + 32;
	gsize len;
	g_autofree uint8_t *px = pixels_new(&all, stride, seed, &len);

	expect_ok(f, LISTENER_IFACE, "Scanout",
		  scanout_body(width, height, stride, PIXMAN_X8R8G8B8, px, len), NULL);
	picture_reset(&f->expect, width, height, 0, 0, seed);
	take_and_check(f, &all);
}

static void update(struct fixture *f, const struct rect *r, uint32_t seed)
{
	uint32_t stride = (uint32_t)r->w * 4 + 8;
	gsize len;
	g_autofree uint8_t *px = pixels_new(r, stride, seed, &len);

	expect_ok(f, LISTENER_IFACE, "Update", update_body(r, stride, PIXMAN_X8R8G8B8, px, len),
		  NULL);
	picture_paint(&f->expect, r, seed);
	take_and_check(f, r);
}

/*
 * After a bad message: a valid Update still goes through, its damage is all the consumer
 * sees (the bad message damaged nothing), and the whole picture is intact.
 */
static void assert_still_serving(struct fixture *f)
{
	static uint32_t seed = 100;

	update(f, &(struct rect){3, 4, 5, 6}, seed++);
	assert_rejected_count(f);
}

/* ---- 1. gl=off pixels ---------------------------------------------------------------------- */

static void test_scanout_update(void)
{
	struct fixture f;
	struct rect sub = {10, 5, 20, 12};
	struct damage damage;
	struct frame *before;
	struct picture old = {0};
	struct qemu_listener_stats stats;

	fixture_setup(&f, true);
	scanout(&f, WIDTH, HEIGHT, 1);

	/* A viewer still encoding the previous frame must not see it change under it. */
	before = frame_consumer_take(f.consumer, &damage, NULL);
	g_assert_true(damage_empty(&damage));
	picture_reset(&old, WIDTH, HEIGHT, 0, 0, 1);
	update(&f, &sub, 2);
	assert_picture(before, &old);
	frame_unref(before);
	g_free(old.rgb);

	qemu_listener_get_stats(f.listener, &stats);
	g_assert_cmpuint(stats.messages, ==, 2);
	g_assert_cmpuint(stats.rejected, ==, 0);
	fixture_teardown(&f);
}

/* ---- 2. dmabuf pacing (a memfd stands in for the dmabuf) ----------------------------------- */

#define DMABUF_STRIDE (WIDTH * 4 + 64)

static int dmabuf_scanout(struct fixture *f, uint32_t seed)
{
	struct rect all = {0, 0, WIDTH, HEIGHT};
	int fd = memfd_new((gsize)DMABUF_STRIDE * HEIGHT);

	memfd_paint(fd, 0, DMABUF_STRIDE, &all, seed);
	expect_ok(f, LISTENER_IFACE, "ScanoutDMABUF",
		  scanout_dmabuf_body(0, WIDTH, HEIGHT, DMABUF_STRIDE, FOURCC_XRGB8888),
		  fd_list_of(fd));
	picture_reset(&f->expect, WIDTH, HEIGHT, 0, 0, seed);
	if (f->consumer) {
		struct damage damage;
		struct frame *frame = take_frame(f, &damage);

		g_assert_cmpint(frame->storage, ==, FRAME_STORAGE_DMABUF);
		assert_damage_is(&damage, &all);
		assert_picture(frame, &f->expect);
		frame_unref(frame);
	}
	return fd;
}

/* The listener's count of UpdateDMABUF replies, and how many the deadline sent. */
static void assert_replies(struct fixture *f, uint64_t replies, uint64_t late)
{
	struct qemu_listener_stats stats;

	qemu_listener_get_stats(f->listener, &stats);
	g_assert_cmpuint(stats.replies, ==, replies);
	g_assert_cmpuint(stats.replies_late, ==, late);
}

static void test_dmabuf_reply_after_release(void)
{
	struct fixture f;
	struct rect r = {8, 8, 16, 16};
	struct reply_wait w, get;
	struct damage damage;
	struct frame *held;
	int fd;

	fixture_setup(&f, true);
	fd = dmabuf_scanout(&f, 1);

	/* The guest draws into its buffer, then QEMU says so and blocks until we reply. */
	memfd_paint(fd, 0, DMABUF_STRIDE, &r, 2);
	picture_paint(&f.expect, &r, 2);
	send_async(&f, listener_message(LISTENER_IFACE, "UpdateDMABUF", rect_body(&r), NULL), &w);
	held = take_frame(&f, &damage);
	assert_damage_is(&damage, &r);
	assert_picture(held, &f.expect);

	/*
	 * Messages on one connection are answered in order, so once a later call's reply is in,
	 * a reply to UpdateDMABUF sent before it would be too.
	 */
	send_async(&f,
		   listener_message(PROPS_IFACE, "Get",
				    g_variant_new("(ss)", LISTENER_IFACE, "Interfaces"), NULL),
		   &get);
	g_assert_false(reply_is_error(&get, "Get"));
	reply_wait_clear(&get);
	g_assert_cmpint(elapsed_ms(w.sent_us), <, QEMU_LISTENER_REPLY_DEADLINE_MS);
	g_assert_false(w.done);

	frame_unref(held);
	g_assert_false(reply_is_error(&w, "UpdateDMABUF"));
	g_assert_cmpint((w.replied_us - w.sent_us) / 1000, <, QEMU_LISTENER_REPLY_DEADLINE_MS);
	reply_wait_clear(&w);
	assert_replies(&f, 1, 0);
	close(fd);
	fixture_teardown(&f);
}

static void test_dmabuf_reply_without_consumer(void)
{
	struct fixture f;
	struct rect r = {0, 0, WIDTH, HEIGHT};
	struct reply_wait w;
	int fd;

	fixture_setup(&f, false);
	fd = dmabuf_scanout(&f, 1);
	send_async(&f, listener_message(LISTENER_IFACE, "UpdateDMABUF", rect_body(&r), NULL), &w);
	g_assert_false(reply_is_error(&w, "UpdateDMABUF"));
	/* Nobody reads the frame, so nothing may hold the guest back. */
	g_assert_cmpint((w.replied_us - w.sent_us) / 1000, <, QEMU_LISTENER_REPLY_DEADLINE_MS / 2);
	reply_wait_clear(&w);
	assert_replies(&f, 1, 0);
	close(fd);
	fixture_teardown(&f);
}

static void test_dmabuf_reply_by_deadline(void)
{
	struct fixture f;
	struct rect r = {1, 2, 3, 4};
	struct reply_wait w;
	struct damage damage;
	struct frame *held;
	struct qemu_listener_stats stats;
	gint64 waited;
	int fd;

	fixture_setup(&f, true);
	fd = dmabuf_scanout(&f, 1);
	send_async(&f, listener_message(LISTENER_IFACE, "UpdateDMABUF", rect_body(&r), NULL), &w);
	held = take_frame(&f, &damage);
	assert_damage_is(&damage, &r);

	/* A stuck consumer: QEMU gives up after 1 s, so our reply must come before. */
	g_assert_true(WAIT_FOR(w.done, QEMU_TIMEOUT_MS));
	waited = (w.replied_us - w.sent_us) / 1000;
	g_test_message("reply after %" G_GINT64_FORMAT " ms with the frame still held", waited);
	g_assert_cmpint(waited, >=, QEMU_LISTENER_REPLY_DEADLINE_MS * 9 / 10);
	g_assert_cmpint(waited, <, QEMU_TIMEOUT_MS);
	g_assert_false(reply_is_error(&w, "UpdateDMABUF"));
	reply_wait_clear(&w);
	assert_replies(&f, 1, 1);
	g_assert_true(logged("held a dmabuf frame"));

	/* Releasing it afterwards must not answer a second time. */
	frame_unref(held);
	expect_ok(&f, PROPS_IFACE, "Get", g_variant_new("(ss)", LISTENER_IFACE, "Interfaces"),
		  NULL);
	qemu_listener_get_stats(f.listener, &stats);
	g_assert_cmpuint(stats.replies, ==, 1);
	close(fd);
	fixture_teardown(&f);
}

/* ---- 3. QEMU >= 9.2 shared memory, 10.1 ScanoutDMABUF2 ------------------------------------- */

static void test_unix_map_interfaces(void)
{
	struct fixture f;
	struct reply_wait w;
	g_autoptr(GVariant) body = NULL;
	g_autoptr(GVariant) value = NULL;
	g_autofree const char **names = NULL;

	fixture_setup(&f, false);
	send_async(&f,
		   listener_message(PROPS_IFACE, "Get",
				    g_variant_new("(ss)", LISTENER_IFACE, "Interfaces"), NULL),
		   &w);
	g_assert_false(reply_is_error(&w, "Get"));
	body = g_variant_ref(g_dbus_message_get_body(w.reply));
	reply_wait_clear(&w);
	g_variant_get(body, "(v)", &value);
	g_assert_true(g_variant_is_of_type(value, G_VARIANT_TYPE_STRING_ARRAY));
	names = g_variant_get_strv(value, NULL);
	g_assert_true(g_strv_contains(names, MAP_IFACE));
	g_assert_true(g_strv_contains(names, DMABUF2_IFACE));
	fixture_teardown(&f);
}

static void test_unix_map_update(void)
{
	struct fixture f;
	struct rect all = {0, 0, WIDTH, HEIGHT}, r = {5, 6, 10, 7};
	const uint32_t offset = 4096, stride = WIDTH * 4 + 16;
	int fd = memfd_new(offset + (gsize)stride * HEIGHT);

	fixture_setup(&f, true);
	memfd_paint(fd, offset, stride, &all, 1);
	expect_ok(&f, MAP_IFACE, "ScanoutMap",
		  scanout_map_body(0, offset, WIDTH, HEIGHT, stride, PIXMAN_X8R8G8B8),
		  fd_list_of(fd));
	picture_reset(&f.expect, WIDTH, HEIGHT, 0, 0, 1);
	take_and_check(&f, &all);

	memfd_paint(fd, offset, stride, &r, 2);
	expect_ok(&f, MAP_IFACE, "UpdateMap", rect_body(&r), NULL);
	picture_paint(&f.expect, &r, 2);
	take_and_check(&f, &r);
	close(fd);
	fixture_teardown(&f);
}

static void test_dmabuf2_subrect(void)
{
	struct fixture f;
	const uint32_t backing_w = 80, backing_h = 60, x = 8, y = 6, stride = 80 * 4;
	struct rect backing = {0, 0, (int32_t)backing_w, (int32_t)backing_h};
	const gint32 handles[] = {0};
	const uint32_t offsets[] = {0}, strides[] = {stride};
	struct damage damage;
	struct frame *frame;
	int fd = memfd_new((gsize)stride * backing_h);

	fixture_setup(&f, true);
	memfd_paint(fd, 0, stride, &backing, 3);
	expect_ok(&f, DMABUF2_IFACE, "ScanoutDMABUF2",
		  g_variant_new("(@ahuuuu@au@auuuuutb)",
				g_variant_new_fixed_array(G_VARIANT_TYPE_HANDLE, handles, 1,
							  sizeof(gint32)),
				x, y, WIDTH, HEIGHT,
				g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, offsets, 1,
							  sizeof(uint32_t)),
				g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, strides, 1,
							  sizeof(uint32_t)),
				1u, FOURCC_XRGB8888, backing_w, backing_h, (guint64)0, TRUE),
		  fd_list_of(fd));
	/* The visible picture is the sub-rectangle of the backing buffer. */
	picture_reset(&f.expect, WIDTH, HEIGHT, x, y, 3);
	frame = take_frame(&f, &damage);
	assert_damage_is(&damage, &(struct rect){0, 0, WIDTH, HEIGHT});
	assert_picture(frame, &f.expect);
	frame_unref(frame);
	close(fd);
	fixture_teardown(&f);
}

/* ---- 4. hostile input ---------------------------------------------------------------------- */

static void test_bad_pixels(void)
{
	static const struct rect bad_rects[] = {
		{-1, 0, 4, 4},
		{0, -1, 4, 4},
		{0, 0, -4, 4},
		{0, 0, 4, -4},
		{0x7ffffff0, 0, 0x7fffffff, 1},
		{0, 0x7ffffff0, 1, 0x7fffffff},
		{10, 10, 0x7fffffff, 1},
		{10, 10, 1, 0x7fffffff},
		{G_MININT32, G_MININT32, 4, 4},
		{16380, 0, 10, 1},
	};
	struct fixture f;
	g_autofree uint8_t *junk = g_malloc0(1 << 20);
	struct rect r = {0, 0, 10, 10};

	fixture_setup(&f, true);
	scanout(&f, WIDTH, HEIGHT, 1);

	/* Scanout: stride below width * 4, data short by one byte, bad sizes, unknown format. */
	expect_refused(&f, LISTENER_IFACE, "Scanout",
		       scanout_body(WIDTH, HEIGHT, WIDTH * 4 - 4, PIXMAN_X8R8G8B8, junk,
				    WIDTH * 4 * HEIGHT),
		       NULL);
	assert_still_serving(&f);
	expect_refused(&f, LISTENER_IFACE, "Scanout",
		       scanout_body(WIDTH, HEIGHT, WIDTH * 4, PIXMAN_X8R8G8B8, junk,
				    WIDTH * 4 * HEIGHT - 1),
		       NULL);
	assert_still_serving(&f);
	expect_refused(&f, LISTENER_IFACE, "Scanout",
		       scanout_body(16385, 1, 16385 * 4, PIXMAN_X8R8G8B8, junk, 16385 * 4), NULL);
	expect_refused(&f, LISTENER_IFACE, "Scanout",
		       scanout_body(1, 20000, 4, PIXMAN_X8R8G8B8, junk, 4 * 20000), NULL);
	expect_refused(&f, LISTENER_IFACE, "Scanout",
		       scanout_body(0, HEIGHT, 0, PIXMAN_X8R8G8B8, junk, 0), NULL);
	expect_refused(&f, LISTENER_IFACE, "Scanout",
		       scanout_body(0x80000000u, 2, 0, PIXMAN_X8R8G8B8, junk, 64), NULL);
	assert_still_serving(&f);
	expect_refused(&f, LISTENER_IFACE, "Scanout",
		       scanout_body(WIDTH, HEIGHT, WIDTH * 4, 0x12345678, junk, WIDTH * 4 * HEIGHT),
		       NULL);
	assert_still_serving(&f);

	/* Update: stride below width * 4, data short, unknown format, another format. */
	expect_refused(&f, LISTENER_IFACE, "Update",
		       update_body(&r, 36, PIXMAN_X8R8G8B8, junk, 40 * 10), NULL);
	assert_still_serving(&f);
	expect_refused(&f, LISTENER_IFACE, "Update",
		       update_body(&r, 40, PIXMAN_X8R8G8B8, junk, 40 * 9 + 39), NULL);
	assert_still_serving(&f);
	expect_refused(&f, LISTENER_IFACE, "Update", update_body(&r, 40, 0x12345678, junk, 400),
		       NULL);
	expect_refused(&f, LISTENER_IFACE, "Update",
		       update_body(&r, 40, PIXMAN_X8B8G8R8, junk, 400), NULL);
	assert_still_serving(&f);

	/* Negative, overflowing and beyond-FRAME_MAX_SIDE rectangles. */
	for (gsize i = 0; i < G_N_ELEMENTS(bad_rects); i++) {
		if (g_test_verbose())
			g_test_message("Update %d,%d %dx%d", bad_rects[i].x, bad_rects[i].y,
				       bad_rects[i].w, bad_rects[i].h);
		expect_refused(&f, LISTENER_IFACE, "Update",
			       update_body(&bad_rects[i], 64, PIXMAN_X8R8G8B8, junk, 1 << 20),
			       NULL);
		assert_still_serving(&f);
	}
	fixture_teardown(&f);
}

/*
 * QEMU 7.2 after a mode switch: an Update beyond the last Scanout. guestcast grows the
 * surface (keeping what it had) rather than writing past it.
 */
static void test_update_outside_surface(void)
{
	struct fixture f;
	struct rect outside = {70, 50, 8, 8};
	uint32_t stride = 8 * 4;
	gsize len;
	g_autofree uint8_t *px = pixels_new(&outside, stride, 7, &len);

	fixture_setup(&f, true);
	scanout(&f, WIDTH, HEIGHT, 1);
	expect_ok(&f, LISTENER_IFACE, "Update",
		  update_body(&outside, stride, PIXMAN_X8R8G8B8, px, len), NULL);
	picture_grow(&f.expect, 78, 58);
	picture_paint(&f.expect, &outside, 7);
	take_and_check(&f, &(struct rect){0, 0, 78, 58});
	assert_still_serving(&f);
	fixture_teardown(&f);
}

/*
 * UpdateDMABUF rectangles outside the dmabuf: refused and counted, but answered at once, since
 * QEMU holds the guest until it hears back.
 */
static void test_bad_update_dmabuf(void)
{
	static const struct rect bad_rects[] = {
		{-1, 0, 4, 4}, {0, 0, WIDTH + 1, 1},	       {0, HEIGHT, 1, 1},
		{0, 0, 0, 0},  {0x7ffffff0, 0, 0x7fffffff, 1}, {10, 10, 0x7fffffff, 0x7fffffff},
	};
	struct fixture f;
	struct qemu_listener_stats stats;
	int fd;

	fixture_setup(&f, true);
	fd = dmabuf_scanout(&f, 1);
	for (gsize i = 0; i < G_N_ELEMENTS(bad_rects); i++) {
		struct reply_wait w;

		send_async(&f,
			   listener_message(LISTENER_IFACE, "UpdateDMABUF",
					    rect_body(&bad_rects[i]), NULL),
			   &w);
		reply_is_error(&w, "UpdateDMABUF");
		g_assert_cmpint((w.replied_us - w.sent_us) / 1000, <,
				QEMU_LISTENER_REPLY_DEADLINE_MS / 2);
		reply_wait_clear(&w);
		f.expect_rejected++;
	}
	assert_rejected_count(&f);
	qemu_listener_get_stats(f.listener, &stats);
	g_assert_cmpuint(stats.replies_late, ==, 0);
	/* Nothing reached the consumer. */
	g_assert_cmpint(f.notified, ==, f.seen);
	close(fd);
	fixture_teardown(&f);
}

static void test_bad_fds(void)
{
	struct fixture f;
	int pipe_fds[2], sock_fds[2];
	const uint32_t stride = WIDTH * 4;
	int small = memfd_new((gsize)stride * (HEIGHT - 1));
	int good = memfd_new((gsize)stride * HEIGHT);

	g_assert_cmpint(pipe(pipe_fds), ==, 0);
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock_fds), ==, 0);
	fixture_setup(&f, true);
	scanout(&f, WIDTH, HEIGHT, 1);

	/* ScanoutDMABUF: handle index out of range, negative, no fds at all. */
	expect_refused(&f, LISTENER_IFACE, "ScanoutDMABUF",
		       scanout_dmabuf_body(3, WIDTH, HEIGHT, stride, FOURCC_XRGB8888),
		       fd_list_of(good));
	expect_refused(&f, LISTENER_IFACE, "ScanoutDMABUF",
		       scanout_dmabuf_body(-1, WIDTH, HEIGHT, stride, FOURCC_XRGB8888),
		       fd_list_of(good));
	expect_refused(&f, LISTENER_IFACE, "ScanoutDMABUF",
		       scanout_dmabuf_body(0, WIDTH, HEIGHT, stride, FOURCC_XRGB8888), NULL);
	assert_still_serving(&f);
	/* Not a buffer, a buffer too small, then geometry: stride, size, fourcc. */
	expect_refused(&f, LISTENER_IFACE, "ScanoutDMABUF",
		       scanout_dmabuf_body(0, WIDTH, HEIGHT, stride, FOURCC_XRGB8888),
		       fd_list_of(pipe_fds[0]));
	expect_refused(&f, LISTENER_IFACE, "ScanoutDMABUF",
		       scanout_dmabuf_body(0, WIDTH, HEIGHT, stride, FOURCC_XRGB8888),
		       fd_list_of(sock_fds[0]));
	expect_refused(&f, LISTENER_IFACE, "ScanoutDMABUF",
		       scanout_dmabuf_body(0, WIDTH, HEIGHT, stride, FOURCC_XRGB8888),
		       fd_list_of(small));
	assert_still_serving(&f);
	expect_refused(&f, LISTENER_IFACE, "ScanoutDMABUF",
		       scanout_dmabuf_body(0, WIDTH, HEIGHT, WIDTH * 4 - 4, FOURCC_XRGB8888),
		       fd_list_of(good));
	expect_refused(&f, LISTENER_IFACE, "ScanoutDMABUF",
		       scanout_dmabuf_body(0, 16385, HEIGHT, 16385 * 4, FOURCC_XRGB8888),
		       fd_list_of(good));
	expect_refused(&f, LISTENER_IFACE, "ScanoutDMABUF",
		       scanout_dmabuf_body(0, WIDTH, HEIGHT, stride, FOURCC('N', 'V', '1', '2')),
		       fd_list_of(good));
	assert_still_serving(&f);

	/* ScanoutMap: the same, plus an offset that runs past the end (or wraps). */
	expect_refused(&f, MAP_IFACE, "ScanoutMap",
		       scanout_map_body(2, 0, WIDTH, HEIGHT, stride, PIXMAN_X8R8G8B8),
		       fd_list_of(good));
	expect_refused(&f, MAP_IFACE, "ScanoutMap",
		       scanout_map_body(0, 0, WIDTH, HEIGHT, stride, PIXMAN_X8R8G8B8),
		       fd_list_of(pipe_fds[0]));
	expect_refused(&f, MAP_IFACE, "ScanoutMap",
		       scanout_map_body(0, 0, WIDTH, HEIGHT, stride, PIXMAN_X8R8G8B8),
		       fd_list_of(sock_fds[0]));
	expect_refused(&f, MAP_IFACE, "ScanoutMap",
		       scanout_map_body(0, 0, WIDTH, HEIGHT, stride, PIXMAN_X8R8G8B8),
		       fd_list_of(small));
	expect_refused(&f, MAP_IFACE, "ScanoutMap",
		       scanout_map_body(0, 64, WIDTH, HEIGHT, stride, PIXMAN_X8R8G8B8),
		       fd_list_of(good));
	expect_refused(&f, MAP_IFACE, "ScanoutMap",
		       scanout_map_body(0, 0xfffffff0u, WIDTH, HEIGHT, stride, PIXMAN_X8R8G8B8),
		       fd_list_of(good));
	expect_refused(&f, MAP_IFACE, "ScanoutMap",
		       scanout_map_body(0, 0, WIDTH, HEIGHT, stride, 0x12345678), fd_list_of(good));
	assert_still_serving(&f);

	/* Update*: no matching surface (the current one came from Scanout). */
	expect_refused(&f, LISTENER_IFACE, "UpdateDMABUF", rect_body(&(struct rect){0, 0, 4, 4}),
		       NULL);
	expect_refused(&f, MAP_IFACE, "UpdateMap", rect_body(&(struct rect){0, 0, 4, 4}), NULL);
	assert_still_serving(&f);

	close(pipe_fds[0]);
	close(pipe_fds[1]);
	close(sock_fds[0]);
	close(sock_fds[1]);
	close(small);
	close(good);
	fixture_teardown(&f);
}

/* Rejected fds must be closed again: a peer could otherwise exhaust our descriptor table. */
static void test_bad_fds_not_leaked(void)
{
	struct fixture f;
	int pipe_fds[2];
	unsigned before;
	const uint32_t stride = WIDTH * 4;

	g_assert_cmpint(pipe(pipe_fds), ==, 0);
	fixture_setup(&f, true);
	scanout(&f, WIDTH, HEIGHT, 1);
	before = open_fds();
	for (int i = 0; i < 16; i++) {
		expect_refused(&f, LISTENER_IFACE, "ScanoutDMABUF",
			       scanout_dmabuf_body(0, WIDTH, HEIGHT, stride, FOURCC_XRGB8888),
			       fd_list_of(pipe_fds[0]));
	}
	check_fds_not_leaked(before, open_fds(), "16 ScanoutDMABUF with a pipe");

	before = open_fds();
	for (int i = 0; i < 16; i++) {
		expect_refused(&f, MAP_IFACE, "ScanoutMap",
			       scanout_map_body(0, 0, WIDTH, HEIGHT, stride, PIXMAN_X8R8G8B8),
			       fd_list_of(pipe_fds[0]));
	}
	check_fds_not_leaked(before, open_fds(), "16 ScanoutMap with a pipe");
	assert_still_serving(&f);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	fixture_teardown(&f);
}

/* A valid ScanoutMap that is replaced many times must not pile up descriptors either. */
static void test_map_fds_not_leaked(void)
{
	struct fixture f;
	const uint32_t stride = WIDTH * 4;
	struct rect all = {0, 0, WIDTH, HEIGHT};
	int fd = memfd_new((gsize)stride * HEIGHT);
	unsigned before;

	memfd_paint(fd, 0, stride, &all, 1);
	fixture_setup(&f, false);
	expect_ok(&f, MAP_IFACE, "ScanoutMap",
		  scanout_map_body(0, 0, WIDTH, HEIGHT, stride, PIXMAN_X8R8G8B8), fd_list_of(fd));
	before = open_fds();
	for (int i = 0; i < 16; i++) {
		expect_ok(&f, MAP_IFACE, "ScanoutMap",
			  scanout_map_body(0, 0, WIDTH, HEIGHT, stride, PIXMAN_X8R8G8B8),
			  fd_list_of(fd));
	}
	check_fds_not_leaked(before, open_fds(), "16 valid ScanoutMap");
	close(fd);
	fixture_teardown(&f);
}

static void test_bad_cursor_and_signatures(void)
{
	struct fixture f;
	g_autofree uint8_t *junk = g_malloc0(4096);

	fixture_setup(&f, true);
	scanout(&f, WIDTH, HEIGHT, 1);

	/* UpdateDMABUF before any ScanoutDMABUF: QEMU blocks until it gets an answer. */
	expect_refused(&f, LISTENER_IFACE, "UpdateDMABUF", rect_body(&(struct rect){0, 0, 4, 4}),
		       NULL);

	/* CursorDefine: wrong data length, bad sizes, hotspot outside. */
	expect_refused(&f, LISTENER_IFACE, "CursorDefine",
		       g_variant_new("(iiii@ay)", 4, 4, 0, 0, bytes_variant(junk, 63)), NULL);
	expect_refused(&f, LISTENER_IFACE, "CursorDefine",
		       g_variant_new("(iiii@ay)", 4, 4, 0, 0, bytes_variant(junk, 65)), NULL);
	expect_refused(&f, LISTENER_IFACE, "CursorDefine",
		       g_variant_new("(iiii@ay)", 0, 4, 0, 0, bytes_variant(junk, 0)), NULL);
	expect_refused(&f, LISTENER_IFACE, "CursorDefine",
		       g_variant_new("(iiii@ay)", -4, -4, 0, 0, bytes_variant(junk, 64)), NULL);
	expect_refused(&f, LISTENER_IFACE, "CursorDefine",
		       g_variant_new("(iiii@ay)", 1024, 1, 0, 0, bytes_variant(junk, 4096)), NULL);
	expect_refused(&f, LISTENER_IFACE, "CursorDefine",
		       g_variant_new("(iiii@ay)", 4, 4, 4, 0, bytes_variant(junk, 64)), NULL);
	g_assert_cmpint(f.cursors, ==, 0);

	/* Wrong signatures, and no body at all. */
	expect_refused(&f, LISTENER_IFACE, "Scanout",
		       g_variant_new("(uuuu)", WIDTH, HEIGHT, WIDTH * 4, PIXMAN_X8R8G8B8), NULL);
	expect_refused(&f, LISTENER_IFACE, "Scanout", NULL, NULL);
	expect_refused(&f, LISTENER_IFACE, "Update", g_variant_new("(s)", "pixels"), NULL);
	expect_refused(&f, LISTENER_IFACE, "UpdateDMABUF", g_variant_new("(iii)", 0, 0, 4), NULL);
	expect_refused(&f, MAP_IFACE, "ScanoutMap", g_variant_new("(uuuuuu)", 0, 0, 1, 1, 4, 0),
		       NULL);
	expect_refused(&f, DMABUF2_IFACE, "ScanoutDMABUF2", g_variant_new("(u)", 1), NULL);
	assert_still_serving(&f);

	/* GDBus itself refuses these (not counted as our rejections), but must still answer. */
	g_assert_false(
		call_listener(&f, LISTENER_IFACE, "MouseSet", g_variant_new("(ii)", 1, 2), NULL));
	g_assert_false(call_listener(&f, LISTENER_IFACE, "Frobnicate", NULL, NULL));
	g_assert_cmpint(f.mouse_sets, ==, 0);
	assert_still_serving(&f);
	fixture_teardown(&f);
}

static void send_no_reply(GDBusConnection *conn, GDBusMessage *msg)
{
	g_autoptr(GError) error = NULL;

	/* QEMU's frame calls are fire-and-forget. */
	g_dbus_message_set_flags(msg, G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);
	g_dbus_connection_send_message(conn, msg, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, &error);
	g_assert_no_error(error);
	g_object_unref(msg);
}

static uint64_t rejected_now(struct fixture *f)
{
	struct qemu_listener_stats stats;

	qemu_listener_get_stats(f->listener, &stats);
	return stats.rejected;
}

/* Sends n bad messages QEMU-style (no reply expected); returns once all were counted. */
static gint64 flood(struct fixture *f, unsigned n)
{
	g_autofree uint8_t *junk = g_malloc0(256);
	GDBusConnection *conn = peer_listener(f->peer);
	struct rect neg = {-1, 0, 4, 4};
	gint64 start = g_get_monotonic_time();
	GVariant *body;
	const char *member;

	for (unsigned i = 0; i < n; i++) {
		switch (i % 4) {
		case 0:
			member = "Update";
			body = update_body(&neg, 16, PIXMAN_X8R8G8B8, junk, 64);
			break;
		case 1:
			member = "Scanout";
			body = scanout_body(WIDTH, HEIGHT, 8, PIXMAN_X8R8G8B8, junk, 256);
			break;
		case 2:
			member = "ScanoutDMABUF";
			body = scanout_dmabuf_body(7, WIDTH, HEIGHT, WIDTH * 4, FOURCC_XRGB8888);
			break;
		default:
			member = "CursorDefine";
			body = g_variant_new("(iiii@ay)", 4, 4, 0, 0, bytes_variant(junk, 3));
			break;
		}
		send_no_reply(conn, listener_message(LISTENER_IFACE, member, body, NULL));
	}
	f->expect_rejected += n;
	g_assert_true(WAIT_FOR(rejected_now(f) >= f->expect_rejected, 30000));
	return elapsed_ms(start);
}

static void test_bad_flood(void)
{
	const unsigned n = 10000;
	struct fixture f;
	uint64_t rss_first, rss_last;
	unsigned warnings, fds_before;
	gint64 took;

	fixture_setup(&f, true);
	scanout(&f, WIDTH, HEIGHT, 1);
	fds_before = open_fds();
	warnings = glue_warnings();
	took = flood(&f, n);
	warnings = glue_warnings() - warnings;
	g_test_message("%u bad messages handled in %" G_GINT64_FORMAT " ms, %u warnings logged", n,
		       took, warnings);
	assert_still_serving(&f);

	/* Rate-limited: a handful of lines per second, not one per message. */
	g_assert_cmpuint(warnings, >=, 1);
	g_assert_cmpuint(warnings, <=, (unsigned)(took / 1000 + 2) * 12);
	g_assert_true(logged("dropped Update with invalid 'x'"));

	/* The first flood warms the allocators; more of the same must not cost more memory. */
	rss_first = resident_bytes();
	flood(&f, n);
	flood(&f, n);
	assert_still_serving(&f);
	rss_last = resident_bytes();
	g_test_message("resident memory after 1 flood %" G_GUINT64_FORMAT
		       " kB, after 3 %" G_GUINT64_FORMAT " kB",
		       rss_first / 1024, rss_last / 1024);
#if defined(__SANITIZE_ADDRESS__)
	/* ASan's quarantine keeps freed memory resident on purpose. */
	g_test_message("memory growth not checked under AddressSanitizer");
#else
	g_assert_cmpuint(rss_last, <, rss_first + 8 * 1024 * 1024);
#endif
	check_fds_not_leaked(fds_before, open_fds(), "the flood");
	fixture_teardown(&f);
}

/* ---- 5. cursor ------------------------------------------------------------------------------ */

static void test_cursor(void)
{
	struct fixture f;
	uint8_t argb[6 * 5 * 4];

	for (gsize i = 0; i < sizeof(argb); i++)
		argb[i] = (uint8_t)(i * 7 + 1);
	fixture_setup(&f, false);
	expect_ok(&f, LISTENER_IFACE, "CursorDefine",
		  g_variant_new("(iiii@ay)", 6, 5, 2, 3, bytes_variant(argb, sizeof(argb))), NULL);
	g_assert_true(WAIT_FOR(f.cursors == 1, WAIT_MS));
	g_assert_cmpint(f.cursor->width, ==, 6);
	g_assert_cmpint(f.cursor->height, ==, 5);
	g_assert_cmpint(f.cursor->hot_x, ==, 2);
	g_assert_cmpint(f.cursor->hot_y, ==, 3);
	g_assert_cmpmem(f.cursor->argb, 6 * 5 * 4, argb, sizeof(argb));

	expect_ok(&f, LISTENER_IFACE, "MouseSet", g_variant_new("(iii)", 10, 20, 1), NULL);
	g_assert_true(WAIT_FOR(f.mouse_sets == 1, WAIT_MS));
	g_assert_cmpint(f.mouse_x, ==, 10);
	g_assert_cmpint(f.mouse_y, ==, 20);
	g_assert_true(f.mouse_visible);
	expect_ok(&f, LISTENER_IFACE, "MouseSet", g_variant_new("(iii)", 30, 40, 0), NULL);
	g_assert_true(WAIT_FOR(f.mouse_sets == 2, WAIT_MS));
	g_assert_cmpint(f.mouse_x, ==, 30);
	g_assert_false(f.mouse_visible);
	fixture_teardown(&f);
}

/* ---- 6. input reaches QEMU ----------------------------------------------------------------- */

/* The next call the peer received, in order: nothing extra, nothing missing. */
static GVariant *expect_call(struct fixture *f, const char *name, const char *args)
{
	struct peer_call *call;
	g_autofree char *printed = NULL;

	g_assert_true(WAIT_FOR(peer_n_calls(f->peer) > f->next_call, WAIT_MS));
	g_mutex_lock(&f->peer->lock);
	call = f->peer->calls->pdata[f->next_call++];
	g_mutex_unlock(&f->peer->lock);
	g_assert_cmpstr(call->name, ==, name);
	printed = g_variant_print(call->args, FALSE);
	if (args)
		g_assert_cmpstr(printed, ==, args);
	return call->args;
}

static void wait_absolute(struct fixture *f, bool absolute)
{
	struct qemu_console_info info;

	peer_set_absolute(f->peer, absolute);
	g_assert_true(WAIT_FOR(
		(qemu_console_get_info(f->console, &info), info.mouse_absolute == absolute),
		WAIT_MS));
}

static void test_input(void)
{
	struct fixture f;
	struct qemu_console_info info;
	g_autoptr(GError) error = NULL;
	GVariant *args;
	uint32_t width, height;

	/* A console size unlike the viewer's, so scaling shows. */
	fixture_setup_sized(&f, false, 1280, 800);
	qemu_console_get_info(f.console, &info);
	g_assert_true(info.has_keyboard);
	g_assert_true(info.has_mouse);
	g_assert_cmpuint(info.width, ==, 1280);
	g_assert_cmpuint(info.height, ==, 800);
	g_assert_cmpstr(info.type, ==, "Graphic");

	g_assert_cmpint(qemu_console_key(f.console, 0x1e, true), ==, 0);
	expect_call(&f, "Keyboard.Press", "(30,)");
	g_assert_cmpint(qemu_console_key(f.console, 0x1e, false), ==, 0);
	expect_call(&f, "Keyboard.Release", "(30,)");
	g_assert_cmpint(qemu_console_key(f.console, 0, true), ==, -EINVAL);

	wait_absolute(&f, true);
	g_assert_cmpint(qemu_console_move(f.console, 320, 240, 640, 480), ==, 0);
	expect_call(&f, "Mouse.SetAbsPosition", "(640, 400)");
	/* Beyond the viewer's picture clamps to the last pixel, not past the guest's. */
	g_assert_cmpint(qemu_console_move(f.console, 5000, -3, 640, 480), ==, 0);
	expect_call(&f, "Mouse.SetAbsPosition", "(1278, 0)");

	wait_absolute(&f, false);
	g_assert_cmpint(qemu_console_move(f.console, 320, 240, 640, 480), ==, 0);
	expect_call(&f, "Mouse.RelMotion", "(-638, 400)");
	g_assert_cmpint(qemu_console_move(f.console, 330, 234, 640, 480), ==, 0);
	expect_call(&f, "Mouse.RelMotion", "(20, -10)");

	g_assert_cmpint(qemu_console_button(f.console, QEMU_MOUSE_BUTTON_LEFT, true), ==, 0);
	expect_call(&f, "Mouse.Press", "(0,)");
	g_assert_cmpint(qemu_console_button(f.console, QEMU_MOUSE_BUTTON_LEFT, false), ==, 0);
	expect_call(&f, "Mouse.Release", "(0,)");
	g_assert_cmpint(qemu_console_wheel(f.console, 1), ==, 0);
	expect_call(&f, "Mouse.Press", "(3,)");
	expect_call(&f, "Mouse.Release", "(3,)");
	g_assert_cmpint(qemu_console_wheel(f.console, -2), ==, 0);
	for (int i = 0; i < 2; i++) {
		expect_call(&f, "Mouse.Press", "(4,)");
		expect_call(&f, "Mouse.Release", "(4,)");
	}

	g_assert_cmpint(qemu_console_set_ui_info(f.console, 1024, 768), ==, 0);
	args = expect_call(&f, "Console.SetUIInfo", NULL);
	g_variant_get(args, "(qqiiuu)", NULL, NULL, NULL, NULL, &width, &height);
	g_assert_cmpuint(width, ==, 1024);
	g_assert_cmpuint(height, ==, 768);

	/* A synchronous call as a barrier: nothing else arrived in between. */
	g_assert_cmpint(qemu_console_key_sync(f.console, 0x1c, true, &error), ==, 0);
	g_assert_no_error(error);
	expect_call(&f, "Keyboard.Press", "(28,)");
	g_assert_cmpuint(peer_n_calls(f.peer), ==, f.next_call);
	fixture_teardown(&f);
}

/* ---- 7. QEMU goes away --------------------------------------------------------------------- */

static void test_peer_closes(void)
{
	struct fixture f;

	fixture_setup(&f, true);
	scanout(&f, WIDTH, HEIGHT, 1);

	g_dbus_connection_close(peer_listener(f.peer), NULL, NULL, NULL);
	g_assert_true(WAIT_FOR(f.listener_closed == 1, WAIT_MS));
	g_assert_cmpint(f.vm_closed, ==, 0);

	g_dbus_connection_close(peer_conn(f.peer), NULL, NULL, NULL);
	g_assert_true(WAIT_FOR(f.vm_closed == 1, WAIT_MS));
	g_test_message("closed: %s", f.vm_closed_reason);
	g_assert_nonnull(f.vm_closed_reason);
	/* Input for a VM that is gone is refused, not sent into the void or crashing. */
	g_assert_cmpint(qemu_console_key(f.console, 0x1e, true), ==, -ENODEV);
	g_assert_cmpint(f.listener_closed, ==, 1);
	fixture_teardown(&f);
}

int main(int argc, char **argv)
{
	/*
	 * Keep going after a test that only called g_test_fail() (the leak checks), so every
	 * result is reported; a failed g_assert still stops the program.
	 */
	g_autofree char **args = g_new0(char *, argc + 2);

	args[0] = argv[0];
	args[1] = (char *)"--keep-going";
	for (int i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	argc++;
	argv = args;
	g_test_init(&argc, &argv, NULL);
	/* guestcast warns about every bad input on purpose; criticals stay fatal. */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	logs.recent = g_ptr_array_new_with_free_func(g_free);
	g_log_set_writer_func(log_writer, NULL, NULL);
	signal(SIGPIPE, SIG_IGN);
	g_timeout_add(2, on_tick, NULL);

	g_test_add_func("/qemu-imitation/scanout-update", test_scanout_update);
	g_test_add_func("/qemu-imitation/dmabuf-memfd/reply-after-release",
			test_dmabuf_reply_after_release);
	g_test_add_func("/qemu-imitation/dmabuf-memfd/reply-without-consumer",
			test_dmabuf_reply_without_consumer);
	g_test_add_func("/qemu-imitation/dmabuf-memfd/reply-by-deadline",
			test_dmabuf_reply_by_deadline);
	g_test_add_func("/qemu-imitation/dmabuf-memfd/scanout-dmabuf2-subrect",
			test_dmabuf2_subrect);
	g_test_add_func("/qemu-imitation/unix-map/interfaces", test_unix_map_interfaces);
	g_test_add_func("/qemu-imitation/unix-map/update-map", test_unix_map_update);
	g_test_add_func("/qemu-imitation/bad-input/pixels", test_bad_pixels);
	g_test_add_func("/qemu-imitation/bad-input/update-outside-surface",
			test_update_outside_surface);
	g_test_add_func("/qemu-imitation/bad-input/fds", test_bad_fds);
	g_test_add_func("/qemu-imitation/bad-input/update-dmabuf-dmabuf-memfd",
			test_bad_update_dmabuf);
	g_test_add_func("/qemu-imitation/bad-input/cursor-and-signatures",
			test_bad_cursor_and_signatures);
	g_test_add_func("/qemu-imitation/bad-input/flood", test_bad_flood);
	g_test_add_func("/qemu-imitation/cursor", test_cursor);
	g_test_add_func("/qemu-imitation/input", test_input);
	g_test_add_func("/qemu-imitation/peer-closes", test_peer_closes);
	g_test_add_func("/qemu-imitation/bad-input/rejected-fds-not-leaked",
			test_bad_fds_not_leaked);
	g_test_add_func("/qemu-imitation/unix-map/fds-not-leaked", test_map_fds_not_leaked);
	return g_test_run();
}
