/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-qemu-glue"

#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <gio/gunixfdlist.h>

#include "qemu-glue-private.h"

#define LISTENER_PATH	    "/org/qemu/Display1/Listener"
#define LISTENER_IFACE	    "org.qemu.Display1.Listener"
#define LISTENER_MAP_IFACE  "org.qemu.Display1.Listener.Unix.Map"
#define LISTENER_DMA2_IFACE "org.qemu.Display1.Listener.Unix.ScanoutDMABUF2"
#define LOG_BURST	    5

static const char introspection_xml[] =
	"<node>"
	" <interface name='" LISTENER_IFACE "'>"
	"  <method name='Scanout'><arg type='u' direction='in'/><arg type='u' direction='in'/>"
	"   <arg type='u' direction='in'/><arg type='u' direction='in'/>"
	"   <arg type='ay' direction='in'/></method>"
	"  <method name='Update'><arg type='i' direction='in'/><arg type='i' direction='in'/>"
	"   <arg type='i' direction='in'/><arg type='i' direction='in'/>"
	"   <arg type='u' direction='in'/><arg type='u' direction='in'/>"
	"   <arg type='ay' direction='in'/></method>"
	"  <method name='ScanoutDMABUF'><arg type='h' direction='in'/>"
	"   <arg type='u' direction='in'/><arg type='u' direction='in'/>"
	"   <arg type='u' direction='in'/><arg type='u' direction='in'/>"
	"   <arg type='t' direction='in'/><arg type='b' direction='in'/></method>"
	"  <method name='UpdateDMABUF'><arg type='i' direction='in'/><arg type='i' direction='in'/>"
	"   <arg type='i' direction='in'/><arg type='i' direction='in'/></method>"
	"  <method name='Disable'/>"
	"  <method name='MouseSet'><arg type='i' direction='in'/><arg type='i' direction='in'/>"
	"   <arg type='i' direction='in'/></method>"
	"  <method name='CursorDefine'><arg type='i' direction='in'/>"
	"   <arg type='i' direction='in'/><arg type='i' direction='in'/>"
	"   <arg type='i' direction='in'/><arg type='ay' direction='in'/></method>"
	"  <property name='Interfaces' type='as' access='read'/>"
	" </interface>"
	" <interface name='" LISTENER_MAP_IFACE "'>"
	"  <method name='ScanoutMap'><arg type='h' direction='in'/><arg type='u' direction='in'/>"
	"   <arg type='u' direction='in'/><arg type='u' direction='in'/>"
	"   <arg type='u' direction='in'/><arg type='u' direction='in'/></method>"
	"  <method name='UpdateMap'><arg type='i' direction='in'/><arg type='i' direction='in'/>"
	"   <arg type='i' direction='in'/><arg type='i' direction='in'/></method>"
	" </interface>"
	" <interface name='" LISTENER_DMA2_IFACE "'>"
	"  <method name='ScanoutDMABUF2'><arg type='ah' direction='in'/>"
	"   <arg type='u' direction='in'/><arg type='u' direction='in'/>"
	"   <arg type='u' direction='in'/><arg type='u' direction='in'/>"
	"   <arg type='au' direction='in'/><arg type='au' direction='in'/>"
	"   <arg type='u' direction='in'/><arg type='u' direction='in'/>"
	"   <arg type='u' direction='in'/><arg type='u' direction='in'/>"
	"   <arg type='t' direction='in'/><arg type='b' direction='in'/></method>"
	" </interface>"
	"</node>";

/*
 * What the D-Bus worker thread touches. QEMU's frame messages are applied to the store right
 * there, in the filter, so nothing queues for the main loop however slow it is.
 */
struct listener_sink {
	gint refs;
	GMutex lock;
	bool detached;
	struct frame_store *store;
	uint32_t console_id;
	GMainContext *context;
	struct frame *surface; /* the dmabuf or mapped surface UpdateDMABUF/UpdateMap refer to */
	struct ratelimit log_limit;
	GMutex stats_lock;
	struct qemu_listener_stats stats;
};

struct qemu_listener {
	struct qemu_console *console;
	struct qemu_listener_callbacks callbacks;
	void *data;
	GCancellable *cancel;
	GDBusConnection *conn;
	GDBusNodeInfo *node;
	struct listener_sink *sink;
	guint filter_id;
	guint object_ids[3];
	gulong closed_id;
};

struct pending_reply {
	gint refs;
	gint done;
	GDBusConnection *conn;
	GDBusMessage *call;
	GSource *timer;
	struct listener_sink *sink;
};

static struct listener_sink *sink_ref(struct listener_sink *sink)
{
	g_atomic_int_inc(&sink->refs);
	return sink;
}

static void sink_unref(gpointer data)
{
	struct listener_sink *sink = data;

	if (!g_atomic_int_dec_and_test(&sink->refs))
		return;
	frame_unref(sink->surface);
	g_main_context_unref(sink->context);
	g_mutex_clear(&sink->lock);
	g_mutex_clear(&sink->stats_lock);
	g_free(sink);
}

static void count(struct listener_sink *sink, uint64_t *counter)
{
	g_mutex_lock(&sink->stats_lock);
	(*counter)++;
	g_mutex_unlock(&sink->stats_lock);
}

static void send_reply(GDBusConnection *conn, GDBusMessage *call, const char *error)
{
	g_autoptr(GDBusMessage) reply = NULL;

	if (g_dbus_message_get_flags(call) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)
		return;
	if (error)
		reply = g_dbus_message_new_method_error(
			call, "org.freedesktop.DBus.Error.InvalidArgs", "%s", error);
	else
		reply = g_dbus_message_new_method_reply(call);
	g_dbus_connection_send_message(conn, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
}

static void pending_unref(gpointer data)
{
	struct pending_reply *p = data;

	if (!g_atomic_int_dec_and_test(&p->refs))
		return;
	/* The timer is destroyed before this; the ref kept it safe to destroy from any thread. */
	g_source_unref(p->timer);
	g_object_unref(p->conn);
	g_object_unref(p->call);
	sink_unref(p->sink);
	g_free(p);
}

/* The reply to UpdateDMABUF is what lets QEMU (and the guest's fence) go on: exactly once. */
static void pending_reply_once(struct pending_reply *p, bool late)
{
	if (!g_atomic_int_compare_and_exchange(&p->done, 0, 1))
		return;
	send_reply(p->conn, p->call, NULL);
	count(p->sink, &p->sink->stats.replies);
	if (late) {
		count(p->sink, &p->sink->stats.replies_late);
		g_warning(
			"a consumer held a dmabuf frame for over %d ms; replied to QEMU anyway so "
			"the guest is not stalled",
			QEMU_LISTENER_REPLY_DEADLINE_MS);
	} else {
		g_source_destroy(p->timer);
	}
}

static gboolean on_reply_deadline(gpointer data)
{
	pending_reply_once(data, true);
	return G_SOURCE_REMOVE;
}

static void on_view_released(void *data)
{
	pending_reply_once(data, false);
	pending_unref(data);
}

static struct frame *pending_view_new(struct listener_sink *sink, GDBusConnection *conn,
				      GDBusMessage *call)
{
	struct pending_reply *p = g_new0(struct pending_reply, 1);

	p->refs = 2; /* the view's release hook and the deadline timer */
	p->conn = g_object_ref(conn);
	p->call = g_object_ref(call);
	p->sink = sink_ref(sink);
	p->timer = g_timeout_source_new(QEMU_LISTENER_REPLY_DEADLINE_MS);
	g_source_set_callback(p->timer, on_reply_deadline, p, pending_unref);
	g_source_attach(p->timer, sink->context);
	return frame_new_view(sink->surface, on_view_released, p);
}

static void log_rejected(struct listener_sink *sink, const char *member, const char *field)
{
	uint32_t suppressed;

	count(sink, &sink->stats.rejected);
	g_mutex_lock(&sink->stats_lock);
	if (!ratelimit_allow(&sink->log_limit, LOG_BURST, &suppressed)) {
		g_mutex_unlock(&sink->stats_lock);
		return;
	}
	g_mutex_unlock(&sink->stats_lock);
	g_warning("QEMU (console %u listener): dropped %s with invalid '%s'", sink->console_id,
		  member, field ? field : "?");
	if (suppressed)
		g_warning("QEMU (console %u listener): %u more invalid messages were not logged",
			  sink->console_id, suppressed);
}

struct mapping {
	void *base;
	size_t len;
};

static void mapping_free(gpointer data)
{
	struct mapping *m = data;

	munmap(m->base, m->len);
	g_free(m);
}

/* The size of a dmabuf or memfd; -1 for fds that are not buffers (pipes, sockets). */
static off_t buffer_size(int fd)
{
	struct stat st;
	off_t size;

	if (fstat(fd, &st) < 0 || S_ISSOCK(st.st_mode) || S_ISFIFO(st.st_mode) ||
	    S_ISDIR(st.st_mode))
		return -1;
	size = lseek(fd, 0, SEEK_END);
	lseek(fd, 0, SEEK_SET);
	return size;
}

static struct frame *map_frame(const struct listener_message *m, int fd, const char **field)
{
	uint32_t bpp = format_bpp(m->fourcc);
	uint64_t need = (uint64_t)m->map_offset + (uint64_t)m->stride * (m->height - 1) +
			(uint64_t)m->width * bpp;
	off_t size = buffer_size(fd);
	struct mapping *mapping;
	struct frame *frame;
	void *base;

	if (size < 0) {
		*field = "handle";
		return NULL;
	}
	if ((uint64_t)size < need) {
		*field = "offset";
		return NULL;
	}
	base = mmap(NULL, (size_t)need, PROT_READ, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		*field = "handle";
		return NULL;
	}
	mapping = g_new(struct mapping, 1);
	mapping->base = base;
	mapping->len = (size_t)need;
	frame = frame_new_shm_take(m->width, m->height, m->stride, m->fourcc,
				   (uint8_t *)base + m->map_offset, need - m->map_offset, mapping,
				   mapping_free);
	if (frame)
		frame->live = true;
	return frame;
}

static struct frame *dmabuf_frame(const struct listener_message *m, GUnixFDList *fds,
				  const char **field)
{
	struct frame_plane planes[FRAME_MAX_PLANES];
	uint32_t bpp = format_bpp(m->fourcc);
	uint32_t n = 0;

	for (; n < m->n_planes; n++) {
		int fd = g_unix_fd_list_get(fds, m->fd_index[n], NULL);
		off_t size = fd >= 0 ? buffer_size(fd) : -1;

		planes[n] = (struct frame_plane){fd, m->offsets[n], m->strides[n]};
		/* Plane 0 holds the RGB picture; other planes (compression metadata) vary. */
		if (fd < 0 || size < 0 ||
		    (n == 0 && (uint64_t)size < (uint64_t)m->offsets[0] +
							(uint64_t)m->strides[0] * (m->height - 1) +
							(uint64_t)m->width * bpp)) {
			if (fd >= 0)
				close(fd);
			*field = "dmabuf";
			goto fail;
		}
	}
	return frame_new_dmabuf_take(m->width, m->height, m->fourcc, m->modifier, m->y0_top,
				     m->n_planes, planes);
fail:
	for (uint32_t i = 0; i < n; i++)
		close(planes[i].fd);
	return NULL;
}

/* Applies one frame message; returns true when the reply is deferred (UpdateDMABUF). */
static bool apply(struct listener_sink *sink, GDBusConnection *conn, GDBusMessage *call,
		  const struct listener_message *m, GDBusMessage *msg, const char **field)
{
	GUnixFDList *fds = g_dbus_message_get_unix_fd_list(msg);
	GVariant *body = g_dbus_message_get_body(msg);
	struct frame *frame;

	switch (m->call) {
	case LISTENER_SCANOUT:
		frame = frame_new_shm_take(m->width, m->height, m->stride, m->fourcc, m->data,
					   m->data_len, g_variant_ref(body),
					   (GDestroyNotify)g_variant_unref);
		g_clear_pointer(&sink->surface, frame_unref);
		frame_store_set_surface_take(sink->store, frame);
		return false;
	case LISTENER_UPDATE:
		frame_store_update(sink->store, &m->rect, m->data, m->data_len, m->stride,
				   m->fourcc, field);
		return false;
	case LISTENER_SCANOUT_DMABUF:
	case LISTENER_SCANOUT_DMABUF2:
	case LISTENER_SCANOUT_MAP:
		if (m->call == LISTENER_SCANOUT_MAP) {
			/* The mapping keeps the memory; the fd is not needed after mmap. */
			autoclose_fd int fd = g_unix_fd_list_get(fds, m->fd_index[0], NULL);

			frame = map_frame(m, fd, field);
		} else {
			frame = dmabuf_frame(m, fds, field);
		}
		if (!frame)
			return false;
		g_clear_pointer(&sink->surface, frame_unref);
		sink->surface = frame_ref(frame);
		frame_store_set_surface_take(sink->store, frame);
		return false;
	case LISTENER_UPDATE_DMABUF:
		if (!sink->surface || sink->surface->storage != FRAME_STORAGE_DMABUF) {
			*field = "surface";
			return false;
		}
		frame_store_damage_take(sink->store, &m->rect, pending_view_new(sink, conn, call),
					field);
		return true;
	case LISTENER_UPDATE_MAP:
		if (!sink->surface || sink->surface->storage != FRAME_STORAGE_SHM) {
			*field = "surface";
			return false;
		}
		frame_store_damage_take(sink->store, &m->rect, NULL, field);
		return false;
	case LISTENER_DISABLE:
		g_clear_pointer(&sink->surface, frame_unref);
		frame_store_disable(sink->store);
		return false;
	case LISTENER_MOUSE_SET:
	case LISTENER_CURSOR_DEFINE:
		break;
	}
	return false;
}

static bool handled_in_worker(const char *iface, const char *member)
{
	if (g_strcmp0(iface, LISTENER_MAP_IFACE) == 0 || g_strcmp0(iface, LISTENER_DMA2_IFACE) == 0)
		return true;
	return g_strcmp0(iface, LISTENER_IFACE) == 0 && g_strcmp0(member, "MouseSet") != 0 &&
	       g_strcmp0(member, "CursorDefine") != 0;
}

static GDBusMessage *on_filter(GDBusConnection *conn, GDBusMessage *msg, gboolean incoming,
			       gpointer data)
{
	struct listener_sink *sink = data;
	const char *member = g_dbus_message_get_member(msg);
	GUnixFDList *fds;
	struct listener_message m;
	const char *field = NULL;
	bool deferred = false;
	int ret;

	if (!incoming || g_dbus_message_get_message_type(msg) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
	    g_strcmp0(g_dbus_message_get_path(msg), LISTENER_PATH) != 0 ||
	    !handled_in_worker(g_dbus_message_get_interface(msg), member))
		return msg;

	fds = g_dbus_message_get_unix_fd_list(msg);
	ret = listener_message_parse(member, g_dbus_message_get_body(msg),
				     fds ? (uint32_t)g_unix_fd_list_get_length(fds) : 0, &m,
				     &field);
	if (ret == -ENOENT)
		return msg; /* GDBus answers UnknownMethod */
	count(sink, &sink->stats.messages);
	if (ret == 0) {
		g_mutex_lock(&sink->lock);
		if (!sink->detached)
			deferred = apply(sink, conn, msg, &m, msg, &field);
		g_mutex_unlock(&sink->lock);
	}
	if (field) {
		log_rejected(sink, member, field);
		if (!deferred)
			send_reply(conn, msg, "invalid argument");
	} else if (!deferred) {
		send_reply(conn, msg, NULL);
	}
	g_object_unref(msg);
	return NULL;
}

struct qemu_cursor *qemu_cursor_ref(struct qemu_cursor *cursor)
{
	g_atomic_int_inc(&cursor->refcount);
	return cursor;
}

void qemu_cursor_unref(struct qemu_cursor *cursor)
{
	if (!cursor || !g_atomic_int_dec_and_test(&cursor->refcount))
		return;
	g_free(cursor->argb);
	g_free(cursor);
}

/* MouseSet and CursorDefine are small and rare: they take the main-loop route. */
static void on_method_call(GDBusConnection *conn, const char *sender, const char *path,
			   const char *iface, const char *member, GVariant *params,
			   GDBusMethodInvocation *invocation, gpointer data)
{
	struct qemu_listener *l = data;
	struct listener_message m;
	const char *field = NULL;
	struct qemu_cursor *cursor;

	if (listener_message_parse(member, params, 0, &m, &field) < 0) {
		log_rejected(l->sink, member, field);
		g_dbus_method_invocation_return_dbus_error(
			invocation, "org.freedesktop.DBus.Error.InvalidArgs", "invalid argument");
		return;
	}
	if (m.call == LISTENER_MOUSE_SET && l->callbacks.on_mouse_set) {
		l->callbacks.on_mouse_set(l->data, m.rect.x, m.rect.y, m.visible);
	} else if (m.call == LISTENER_CURSOR_DEFINE && l->callbacks.on_cursor_define) {
		cursor = g_new0(struct qemu_cursor, 1);
		cursor->refcount = 1;
		cursor->width = (int32_t)m.width;
		cursor->height = (int32_t)m.height;
		cursor->hot_x = m.hot_x;
		cursor->hot_y = m.hot_y;
		cursor->argb = g_memdup2(m.data, m.data_len);
		l->callbacks.on_cursor_define(l->data, cursor);
		qemu_cursor_unref(cursor);
	}
	g_dbus_method_invocation_return_value(invocation, NULL);
}

static GVariant *on_get_property(GDBusConnection *conn, const char *sender, const char *path,
				 const char *iface, const char *name, GError **error, gpointer data)
{
	static const char *const extra[] = {LISTENER_MAP_IFACE, LISTENER_DMA2_IFACE, NULL};

	return g_variant_new_strv(extra, -1);
}

static const GDBusInterfaceVTable vtable = {
	.method_call = on_method_call,
	.get_property = on_get_property,
};

/* QEMU 7.2 can change mode without a Scanout; the console's properties tell the new size. */
static void on_console_changed(GDBusProxy *proxy, GVariant *changed, GStrv invalidated,
			       gpointer data)
{
	struct qemu_listener *l = data;
	struct qemu_console_info info;

	qemu_console_get_info(l->console, &info);
	if (info.width && info.height)
		frame_store_set_size_hint(l->sink->store, info.width, info.height);
}

static void on_listener_closed(GDBusConnection *conn, gboolean vanished, GError *error,
			       gpointer data)
{
	struct qemu_listener *l = data;

	g_message("QEMU closed the listener connection of console %u",
		  qemu_console_get_id(l->console));
	if (l->callbacks.on_closed)
		l->callbacks.on_closed(l->data);
}

static void on_connection_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(GError) error = NULL;
	GDBusConnection *conn = g_dbus_connection_new_finish(result, &error);
	struct qemu_listener *l;

	if (!conn) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			l = data;
			g_warning("listener connection for console %u failed: %s",
				  qemu_console_get_id(l->console), error->message);
			if (l->callbacks.on_closed)
				l->callbacks.on_closed(l->data);
		}
		return;
	}
	l = data;
	l->conn = conn;
	l->filter_id = g_dbus_connection_add_filter(conn, on_filter, sink_ref(l->sink), sink_unref);
	for (guint i = 0; i < 3; i++) {
		l->object_ids[i] = g_dbus_connection_register_object(
			conn, LISTENER_PATH, l->node->interfaces[i], &vtable, l, NULL, &error);
		if (!l->object_ids[i]) {
			g_warning("cannot export the listener: %s", error->message);
			g_clear_error(&error);
		}
	}
	l->closed_id = g_signal_connect(conn, "closed", G_CALLBACK(on_listener_closed), l);
	g_dbus_connection_start_message_processing(conn);
}

static void on_registered(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_proxy_call_with_unix_fd_list_finish(
		G_DBUS_PROXY(source), NULL, result, &error);
	struct qemu_listener *l;

	if (reply || g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	l = data;
	g_warning("QEMU refused RegisterListener on console %u: %s",
		  qemu_console_get_id(l->console), error->message);
	if (l->callbacks.on_closed)
		l->callbacks.on_closed(l->data);
}

struct qemu_listener *qemu_listener_create(struct qemu_console *console, struct frame_store *store,
					   const struct qemu_listener_callbacks *callbacks,
					   void *data, GError **error)
{
	g_autoptr(GSocket) socket = NULL;
	g_autoptr(GSocketConnection) stream = NULL;
	g_autoptr(GUnixFDList) fd_list = NULL;
	struct qemu_listener *l;
	int pair[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "socketpair: %s",
			    g_strerror(errno));
		return NULL;
	}
	socket = g_socket_new_from_fd(pair[0], error);
	if (!socket) {
		close(pair[0]);
		close(pair[1]);
		return NULL;
	}
	l = g_new0(struct qemu_listener, 1);
	l->console = console;
	if (callbacks)
		l->callbacks = *callbacks;
	l->data = data;
	l->cancel = g_cancellable_new();
	l->node = g_dbus_node_info_new_for_xml(introspection_xml, NULL);
	l->sink = g_new0(struct listener_sink, 1);
	l->sink->refs = 1;
	l->sink->store = store;
	l->sink->console_id = qemu_console_get_id(console);
	l->sink->context = g_main_context_ref_thread_default();
	g_mutex_init(&l->sink->lock);
	g_mutex_init(&l->sink->stats_lock);

	/*
	 * QEMU answers RegisterListener and then blocks until our end has authenticated, so our
	 * side of the handshake must already be running (in GDBus's thread) when we call.
	 */
	g_signal_connect_after(qemu_console_get_proxy(console), "g-properties-changed",
			       G_CALLBACK(on_console_changed), l);
	on_console_changed(NULL, NULL, NULL, l);

	stream = g_socket_connection_factory_create_connection(socket);
	g_dbus_connection_new(G_IO_STREAM(stream), NULL,
			      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
				      G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING,
			      NULL, l->cancel, on_connection_ready, l);
	fd_list = g_unix_fd_list_new_from_array(&pair[1], 1);
	g_dbus_proxy_call_with_unix_fd_list(
		qemu_console_get_proxy(console), "RegisterListener", g_variant_new("(h)", 0),
		G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, fd_list, l->cancel, on_registered, l);
	return l;
}

void qemu_listener_destroy(struct qemu_listener *l)
{
	if (!l)
		return;
	g_cancellable_cancel(l->cancel);
	g_signal_handlers_disconnect_by_data(qemu_console_get_proxy(l->console), l);
	g_mutex_lock(&l->sink->lock);
	l->sink->detached = true;
	g_clear_pointer(&l->sink->surface, frame_unref);
	g_mutex_unlock(&l->sink->lock);
	if (l->conn) {
		g_signal_handler_disconnect(l->conn, l->closed_id);
		g_dbus_connection_remove_filter(l->conn, l->filter_id);
		for (guint i = 0; i < 3; i++) {
			if (l->object_ids[i])
				g_dbus_connection_unregister_object(l->conn, l->object_ids[i]);
		}
		g_dbus_connection_close(l->conn, NULL, NULL, NULL);
		g_object_unref(l->conn);
	}
	sink_unref(l->sink);
	g_dbus_node_info_unref(l->node);
	g_object_unref(l->cancel);
	g_free(l);
}

void qemu_listener_get_stats(struct qemu_listener *l, struct qemu_listener_stats *stats)
{
	g_mutex_lock(&l->sink->stats_lock);
	*stats = l->sink->stats;
	g_mutex_unlock(&l->sink->stats_lock);
}
