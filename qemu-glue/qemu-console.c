/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-qemu-glue"

#include "qemu-glue-private.h"

struct qemu_console {
	struct qemu_vm *vm;
	uint32_t id;
	GDBusProxy *console, *keyboard, *mouse;
	struct qemu_console_info info;
	char *label, *type, *device_address;
	int32_t last_x, last_y;
	bool have_last;
};

static uint32_t get_u32(GDBusProxy *proxy, const char *name, bool *present)
{
	g_autoptr(GVariant) v = proxy ? g_dbus_proxy_get_cached_property(proxy, name) : NULL;

	if (present)
		*present = v && g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32);
	if (!v || !g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32))
		return 0;
	return g_variant_get_uint32(v);
}

static char *get_str(GDBusProxy *proxy, const char *name)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(proxy, name);

	if (!v || !g_variant_is_of_type(v, G_VARIANT_TYPE_STRING))
		return g_strdup("");
	return g_variant_dup_string(v, NULL);
}

static void refresh_info(struct qemu_console *c)
{
	g_autoptr(GVariant) abs = NULL;

	g_free(c->label);
	g_free(c->type);
	g_free(c->device_address);
	c->label = get_str(c->console, "Label");
	c->type = get_str(c->console, "Type");
	c->device_address = get_str(c->console, "DeviceAddress");
	c->info.id = c->id;
	c->info.label = c->label;
	c->info.type = c->type;
	c->info.device_address = c->device_address;
	c->info.head = get_u32(c->console, "Head", NULL);
	c->info.width = get_u32(c->console, "Width", NULL);
	c->info.height = get_u32(c->console, "Height", NULL);
	c->info.keyboard_modifiers = get_u32(c->keyboard, "Modifiers", &c->info.has_keyboard);
	abs = c->mouse ? g_dbus_proxy_get_cached_property(c->mouse, "IsAbsolute") : NULL;
	c->info.has_mouse = abs && g_variant_is_of_type(abs, G_VARIANT_TYPE_BOOLEAN);
	c->info.mouse_absolute = c->info.has_mouse && g_variant_get_boolean(abs);
}

static void on_properties_changed(GDBusProxy *proxy, GVariant *changed, GStrv invalidated,
				  gpointer data)
{
	struct qemu_console *c = data;

	refresh_info(c);
}

static GDBusProxy *proxy_new(struct qemu_console *c, const char *path, const char *iface,
			     GError **error)
{
	GDBusProxy *proxy;

	proxy = g_dbus_proxy_new_sync(qemu_vm_get_connection(c->vm),
				      G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, NULL,
				      qemu_vm_get_bus_name(c->vm), path, iface, NULL, error);
	if (proxy)
		g_signal_connect(proxy, "g-properties-changed", G_CALLBACK(on_properties_changed),
				 c);
	return proxy;
}

struct qemu_console *qemu_console_new(struct qemu_vm *vm, uint32_t id, GError **error)
{
	struct qemu_console *c = g_new0(struct qemu_console, 1);
	g_autofree char *path = g_strdup_printf("/org/qemu/Display1/Console_%u", id);
	g_autoptr(GVariant) type = NULL;

	c->vm = vm;
	c->id = id;
	c->console = proxy_new(c, path, "org.qemu.Display1.Console", error);
	if (!c->console)
		goto fail;
	type = g_dbus_proxy_get_cached_property(c->console, "Type");
	if (!type) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "console %u (%s) does not exist", id, path);
		goto fail;
	}
	/* Text consoles have no keyboard or mouse; their proxies simply stay empty. */
	c->keyboard = proxy_new(c, path, "org.qemu.Display1.Keyboard", NULL);
	c->mouse = proxy_new(c, path, "org.qemu.Display1.Mouse", NULL);
	refresh_info(c);
	return c;
fail:
	qemu_console_free(c);
	return NULL;
}

void qemu_console_free(struct qemu_console *c)
{
	if (!c)
		return;
	if (c->console)
		g_signal_handlers_disconnect_by_data(c->console, c);
	if (c->keyboard)
		g_signal_handlers_disconnect_by_data(c->keyboard, c);
	if (c->mouse)
		g_signal_handlers_disconnect_by_data(c->mouse, c);
	g_clear_object(&c->console);
	g_clear_object(&c->keyboard);
	g_clear_object(&c->mouse);
	g_free(c->label);
	g_free(c->type);
	g_free(c->device_address);
	g_free(c);
}

uint32_t qemu_console_get_id(struct qemu_console *c)
{
	return c->id;
}

GDBusProxy *qemu_console_get_proxy(struct qemu_console *c)
{
	return c->console;
}

void qemu_console_get_info(struct qemu_console *c, struct qemu_console_info *info)
{
	*info = c->info;
}

static void on_call_done(GObject *source, GAsyncResult *result, gpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), result, &error);

	if (!reply && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED))
		g_warning("QEMU refused %s: %s", (const char *)data, error->message);
}

/* Input must not wait on QEMU; errors are still worth a log line. */
static int call(GDBusProxy *proxy, const char *method, GVariant *args)
{
	GDBusConnection *conn;

	if (!proxy) {
		g_variant_unref(g_variant_ref_sink(args));
		return -ENODEV;
	}
	conn = g_dbus_proxy_get_connection(proxy);
	if (g_dbus_connection_is_closed(conn)) {
		g_variant_unref(g_variant_ref_sink(args));
		return -ENODEV;
	}
	g_dbus_proxy_call(proxy, method, args, G_DBUS_CALL_FLAGS_NO_AUTO_START, 2000, NULL,
			  on_call_done, (gpointer)method);
	return 0;
}

int qemu_console_key(struct qemu_console *c, uint32_t qnum, bool down)
{
	if (qnum == 0 || qnum > 0xff)
		return -EINVAL;
	if (!c->info.has_keyboard)
		return -ENODEV;
	return call(c->keyboard, down ? "Press" : "Release", g_variant_new("(u)", qnum));
}

int qemu_console_key_sync(struct qemu_console *c, uint32_t qnum, bool down, GError **error)
{
	g_autoptr(GVariant) reply = NULL;

	if (qnum == 0 || qnum > 0xff || !c->info.has_keyboard) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "console %u has no keyboard or key 0x%x is invalid", c->id, qnum);
		return -EINVAL;
	}
	reply = g_dbus_proxy_call_sync(c->keyboard, down ? "Press" : "Release",
				       g_variant_new("(u)", qnum), G_DBUS_CALL_FLAGS_NO_AUTO_START,
				       5000, NULL, error);
	return reply ? 0 : -EIO;
}

int qemu_console_button(struct qemu_console *c, enum qemu_mouse_button button, bool down)
{
	if ((uint32_t)button > QEMU_MOUSE_BUTTON_EXTRA)
		return -EINVAL;
	if (!c->info.has_mouse)
		return -ENODEV;
	return call(c->mouse, down ? "Press" : "Release", g_variant_new("(u)", (uint32_t)button));
}

int qemu_console_wheel(struct qemu_console *c, int notches)
{
	enum qemu_mouse_button button =
		notches > 0 ? QEMU_MOUSE_BUTTON_WHEEL_UP : QEMU_MOUSE_BUTTON_WHEEL_DOWN;
	int ret = 0;

	/* A viewer may send absurd deltas; a burst of 20 notches scrolls far enough. */
	for (int i = 0; i < MIN(ABS(notches), 20) && ret == 0; i++) {
		ret = qemu_console_button(c, button, true);
		if (ret == 0)
			ret = qemu_console_button(c, button, false);
	}
	return ret;
}

int qemu_console_move_relative(struct qemu_console *c, int32_t dx, int32_t dy)
{
	if (!c->info.has_mouse)
		return -ENODEV;
	return call(c->mouse, "RelMotion", g_variant_new("(ii)", dx, dy));
}

int qemu_console_move(struct qemu_console *c, int32_t x, int32_t y, uint32_t space_width,
		      uint32_t space_height)
{
	int64_t sx, sy;
	int ret;

	if (space_width == 0 || space_height == 0 || space_width > FRAME_MAX_SIDE ||
	    space_height > FRAME_MAX_SIDE)
		return -EINVAL;
	if (!c->info.has_mouse || c->info.width == 0 || c->info.height == 0)
		return -ENODEV;
	sx = CLAMP((int64_t)x, 0, (int64_t)space_width - 1) * c->info.width / space_width;
	sy = CLAMP((int64_t)y, 0, (int64_t)space_height - 1) * c->info.height / space_height;
	if (c->info.mouse_absolute) {
		ret = call(c->mouse, "SetAbsPosition",
			   g_variant_new("(uu)", (uint32_t)sx, (uint32_t)sy));
	} else {
		ret = c->have_last ? qemu_console_move_relative(c, (int32_t)(sx - c->last_x),
								(int32_t)(sy - c->last_y))
				   : 0;
	}
	c->last_x = (int32_t)sx;
	c->last_y = (int32_t)sy;
	c->have_last = true;
	return ret;
}

int qemu_console_set_ui_info(struct qemu_console *c, uint32_t width, uint32_t height)
{
	/* Physical size at 96 dpi, so the guest picks a scale of 1. */
	uint16_t width_mm = (uint16_t)MIN(width * 254u / 960u, G_MAXUINT16);
	uint16_t height_mm = (uint16_t)MIN(height * 254u / 960u, G_MAXUINT16);

	if (width == 0 || height == 0 || width > FRAME_MAX_SIDE || height > FRAME_MAX_SIDE)
		return -EINVAL;
	return call(c->console, "SetUIInfo",
		    g_variant_new("(qqiiuu)", width_mm, height_mm, 0, 0, width, height));
}
