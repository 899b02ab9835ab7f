/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-qemu-glue"

#include <gio/gunixsocketaddress.h>

#include "qemu-glue-private.h"

#define QEMU_BUS_NAME "org.qemu"
#define VM_PATH	      "/org/qemu/Display1/VM"
#define VM_IFACE      "org.qemu.Display1.VM"

struct qemu_vm {
	GDBusConnection *connection;
	char *bus_name; /* NULL on a p2p connection */
	char *address;
	GDBusProxy *proxy;
	char *name, *uuid;
	GPtrArray *consoles;
	gulong closed_id;
	guint watch_id;
	qemu_vm_closed_fn closed_fn;
	void *closed_data;
	bool closed;
};

static GDBusConnection *p2p_connection_take_fd(int fd, GError **error)
{
	g_autoptr(GSocket) socket = g_socket_new_from_fd(fd, error);
	g_autoptr(GSocketConnection) stream = NULL;

	if (!socket) {
		close(fd);
		return NULL;
	}
	stream = g_socket_connection_factory_create_connection(socket);
	/* QEMU is the authentication server on its p2p connections. */
	return g_dbus_connection_new_sync(G_IO_STREAM(stream), NULL,
					  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL,
					  error);
}

static char *get_string_property(GDBusProxy *proxy, const char *name)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(proxy, name);

	if (!v || !g_variant_is_of_type(v, G_VARIANT_TYPE_STRING))
		return NULL;
	return g_variant_dup_string(v, NULL);
}

static GDBusProxy *vm_proxy_new(GDBusConnection *conn, const char *bus_name, GError **error)
{
	g_autoptr(GDBusProxy) proxy = NULL;
	g_autoptr(GVariant) name = NULL;

	proxy = g_dbus_proxy_new_sync(conn, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, NULL, bus_name,
				      VM_PATH, VM_IFACE, NULL, error);
	if (!proxy)
		return NULL;
	name = g_dbus_proxy_get_cached_property(proxy, "Name");
	if (!name) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "the peer has no QEMU D-Bus display (no %s object)", VM_PATH);
		return NULL;
	}
	return g_steal_pointer(&proxy);
}

static bool vm_matches(GDBusProxy *proxy, const char *select)
{
	g_autofree char *name = get_string_property(proxy, "Name");
	g_autofree char *uuid = get_string_property(proxy, "UUID");

	return (name && g_strcmp0(name, select) == 0) ||
	       (uuid && g_ascii_strcasecmp(uuid, select) == 0);
}

/* Every QEMU on a shared bus queues for org.qemu; only the first owns it. */
static char *choose_bus_owner(GDBusConnection *conn, const char *address, const char *select,
			      GError **error)
{
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) local = NULL;
	g_autoptr(GString) seen = g_string_new(NULL);
	g_autofree const char **owners = NULL;
	char *chosen = NULL;
	guint n_matching = 0;

	reply = g_dbus_connection_call_sync(
		conn, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
		"ListQueuedOwners", g_variant_new("(s)", QEMU_BUS_NAME), G_VARIANT_TYPE("(as)"),
		G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &local);
	if (!reply) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "no QEMU D-Bus display on bus %s: nobody owns %s (is QEMU started with "
			    "-display dbus,addr=%s?)",
			    address, QEMU_BUS_NAME, address);
		return NULL;
	}
	g_variant_get(reply, "(^a&s)", &owners);
	for (guint i = 0; owners[i]; i++) {
		g_autoptr(GDBusProxy) proxy = vm_proxy_new(conn, owners[i], NULL);
		g_autofree char *name = proxy ? get_string_property(proxy, "Name") : NULL;
		g_autofree char *uuid = proxy ? get_string_property(proxy, "UUID") : NULL;

		if (!proxy)
			continue;
		g_string_append_printf(seen, "%s'%s' (%s)", seen->len ? ", " : "", name ? name : "",
				       uuid ? uuid : "?");
		if (select && !vm_matches(proxy, select))
			continue;
		n_matching++;
		if (!chosen)
			chosen = g_strdup(owners[i]);
	}
	if (n_matching == 1 || (n_matching > 1 && select))
		return chosen;
	g_free(chosen);
	if (n_matching == 0)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "no VM %s%s%s on bus %s (found: %s)", select ? "named " : "",
			    select ? select : "with a D-Bus display", select ? "" : "", address,
			    seen->len ? seen->str : "none");
	else
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "%u VMs share bus %s; choose one by name or UUID (found: %s)",
			    n_matching, address, seen->str);
	return NULL;
}

static void notify_closed(struct qemu_vm *vm, const char *reason)
{
	if (vm->closed)
		return;
	vm->closed = true;
	g_message("QEMU at %s went away: %s", vm->address, reason);
	if (vm->closed_fn)
		vm->closed_fn(vm->closed_data, reason);
}

static void on_connection_closed(GDBusConnection *conn, gboolean remote_peer_vanished,
				 GError *error, gpointer data)
{
	notify_closed(data, error ? error->message : "connection closed");
}

static void on_name_vanished(GDBusConnection *conn, const char *name, gpointer data)
{
	notify_closed(data, "QEMU left the bus");
}

static int add_consoles(struct qemu_vm *vm, GError **error)
{
	g_autoptr(GVariant) ids = g_dbus_proxy_get_cached_property(vm->proxy, "ConsoleIDs");
	gsize n = 0;
	const guint32 *id;

	if (!ids || !g_variant_is_of_type(ids, G_VARIANT_TYPE("au"))) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "QEMU at %s lists no consoles (VM.ConsoleIDs missing)", vm->address);
		return -EINVAL;
	}
	id = g_variant_get_fixed_array(ids, &n, sizeof(guint32));
	for (gsize i = 0; i < n && i < 64; i++) {
		struct qemu_console *console = qemu_console_new(vm, id[i], error);

		if (!console)
			return -EIO;
		g_ptr_array_add(vm->consoles, console);
	}
	return 0;
}

struct qemu_vm *qemu_vm_connect(const char *text, const char *select, GError **error)
{
	struct qemu_address address;
	struct qemu_vm *vm;
	int fd;

	if (qemu_address_parse(text, &address, error) < 0)
		return NULL;
	vm = g_new0(struct qemu_vm, 1);
	vm->address = g_strdup(text);
	vm->consoles = g_ptr_array_new_with_free_func((GDestroyNotify)qemu_console_free);
	switch (address.kind) {
	case QEMU_ADDRESS_BUS:
		vm->connection = g_dbus_connection_new_for_address_sync(
			address.value,
			G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
				G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
			NULL, NULL, error);
		if (vm->connection)
			vm->bus_name = choose_bus_owner(vm->connection, text, select, error);
		if (!vm->bus_name)
			goto fail;
		break;
	case QEMU_ADDRESS_QMP:
		fd = qmp_open_dbus_p2p(address.value, error);
		if (fd < 0)
			goto fail;
		vm->connection = p2p_connection_take_fd(fd, error);
		break;
	case QEMU_ADDRESS_FD:
		vm->connection = p2p_connection_take_fd(address.fd, error);
		break;
	}
	if (!vm->connection)
		goto fail;
	vm->proxy = vm_proxy_new(vm->connection, vm->bus_name, error);
	if (!vm->proxy)
		goto fail;
	if (select && !vm->bus_name && !vm_matches(vm->proxy, select)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "the VM at %s is not '%s'",
			    text, select);
		goto fail;
	}
	vm->name = get_string_property(vm->proxy, "Name");
	vm->uuid = get_string_property(vm->proxy, "UUID");
	if (add_consoles(vm, error) < 0)
		goto fail;
	vm->closed_id =
		g_signal_connect(vm->connection, "closed", G_CALLBACK(on_connection_closed), vm);
	if (vm->bus_name)
		vm->watch_id = g_bus_watch_name_on_connection(vm->connection, vm->bus_name,
							      G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
							      on_name_vanished, vm, NULL);
	qemu_address_clear(&address);
	return vm;
fail:
	g_prefix_error(error, "%s: ", text);
	qemu_address_clear(&address);
	qemu_vm_destroy(vm);
	return NULL;
}

void qemu_vm_destroy(struct qemu_vm *vm)
{
	if (!vm)
		return;
	if (vm->watch_id)
		g_bus_unwatch_name(vm->watch_id);
	if (vm->closed_id)
		g_signal_handler_disconnect(vm->connection, vm->closed_id);
	g_ptr_array_free(vm->consoles, TRUE);
	g_clear_object(&vm->proxy);
	if (vm->connection && !vm->bus_name)
		g_dbus_connection_close(vm->connection, NULL, NULL, NULL);
	g_clear_object(&vm->connection);
	g_free(vm->bus_name);
	g_free(vm->address);
	g_free(vm->name);
	g_free(vm->uuid);
	g_free(vm);
}

const char *qemu_vm_get_name(struct qemu_vm *vm)
{
	return vm->name ? vm->name : "";
}

const char *qemu_vm_get_uuid(struct qemu_vm *vm)
{
	return vm->uuid ? vm->uuid : "";
}

guint qemu_vm_get_n_consoles(struct qemu_vm *vm)
{
	return vm->consoles->len;
}

struct qemu_console *qemu_vm_get_console(struct qemu_vm *vm, guint index)
{
	return index < vm->consoles->len ? vm->consoles->pdata[index] : NULL;
}

struct qemu_console *qemu_vm_find_console(struct qemu_vm *vm, uint32_t id)
{
	for (guint i = 0; i < vm->consoles->len; i++) {
		if (qemu_console_get_id(vm->consoles->pdata[i]) == id)
			return vm->consoles->pdata[i];
	}
	return NULL;
}

GDBusConnection *qemu_vm_get_connection(struct qemu_vm *vm)
{
	return vm->connection;
}

const char *qemu_vm_get_bus_name(struct qemu_vm *vm)
{
	return vm->bus_name;
}

void qemu_vm_set_closed_handler(struct qemu_vm *vm, qemu_vm_closed_fn fn, void *data)
{
	vm->closed_fn = fn;
	vm->closed_data = data;
}
