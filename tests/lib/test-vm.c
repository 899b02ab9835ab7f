/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-test"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "test-vm.h"

bool test_wait(test_condition_fn cond, void *data, int timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	while (!cond(data)) {
		if (g_get_monotonic_time() > deadline)
			return false;
		/* Poll at most every 20 ms; sources (D-Bus, timers) wake us earlier. */
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(20 * 1000);
	}
	return true;
}

static bool path_exists(void *data)
{
	return g_file_test(data, G_FILE_TEST_EXISTS);
}

struct owner_probe {
	const char *address;
	bool p2p;
};

/* QEMU is ready once its display answers: org.qemu on the bus, or the QMP socket. */
static bool display_ready(void *data)
{
	struct owner_probe *p = data;
	g_autoptr(GDBusConnection) conn = NULL;
	g_autoptr(GVariant) reply = NULL;

	if (p->p2p)
		return path_exists((void *)(p->address + strlen("qmp:")));
	conn = g_dbus_connection_new_for_address_sync(
		p->address,
		G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
		NULL, NULL, NULL);
	if (!conn)
		return false;
	reply = g_dbus_connection_call_sync(conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
					    "org.freedesktop.DBus", "NameHasOwner",
					    g_variant_new("(s)", "org.qemu"), G_VARIANT_TYPE("(b)"),
					    G_DBUS_CALL_FLAGS_NONE, 1000, NULL, NULL);
	g_dbus_connection_close_sync(conn, NULL, NULL);
	if (!reply)
		return false;
	return g_variant_get_boolean(g_variant_get_child_value(reply, 0));
}

bool test_vm_start_qemu(struct test_vm *vm)
{
	const struct test_vm_options *o = &vm->options;
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;
	g_autofree char *qmp = g_build_filename(vm->dir, "qmp.sock", NULL);
	const char *guest_dir = g_getenv("GUESTCAST_GUEST_DIR");
	struct owner_probe probe = {vm->address, o->p2p};

	g_ptr_array_add(argv, g_strdup("qemu-system-x86_64"));
	for (const char *const *a = (const char *const[]){"-accel", "tcg", "-m", "256", "-smp", "1",
							  "-nic", "none", "-monitor", "none", NULL};
	     *a; a++)
		g_ptr_array_add(argv, g_strdup(*a));
	g_ptr_array_add(argv, g_strdup("-name"));
	g_ptr_array_add(argv, g_strdup(o->name));
	g_ptr_array_add(argv, g_strdup("-serial"));
	g_ptr_array_add(argv, g_strdup_printf("file:%s", vm->serial_path));
	if (o->guest) {
		if (!guest_dir) {
			g_printerr("GUESTCAST_GUEST_DIR is not set (run through meson test)\n");
			return false;
		}
		g_ptr_array_add(argv, g_strdup("-kernel"));
		g_ptr_array_add(argv, g_build_filename(guest_dir, "vmlinuz", NULL));
		g_ptr_array_add(argv, g_strdup("-initrd"));
		g_ptr_array_add(argv, g_build_filename(guest_dir, "initrd.img", NULL));
		g_ptr_array_add(argv, g_strdup("-append"));
		g_ptr_array_add(argv, g_strdup_printf("console=ttyS0 quiet loglevel=1 %s",
						      o->append ? o->append : ""));
		g_ptr_array_add(argv, g_strdup("-vga"));
		g_ptr_array_add(argv, g_strdup("none"));
		g_ptr_array_add(argv, g_strdup("-device"));
		g_ptr_array_add(argv, g_strdup(o->device ? o->device : "virtio-vga"));
		g_ptr_array_add(argv, g_strdup("-device"));
		g_ptr_array_add(argv, g_strdup("virtio-tablet-pci"));
		g_ptr_array_add(argv, g_strdup("-device"));
		g_ptr_array_add(argv, g_strdup("virtio-keyboard-pci"));
	}
	g_ptr_array_add(argv, g_strdup("-display"));
	if (o->p2p) {
		g_ptr_array_add(argv, g_strdup("dbus,p2p=yes"));
		g_ptr_array_add(argv, g_strdup("-qmp"));
		g_ptr_array_add(argv, g_strdup_printf("unix:%s,server=on,wait=off", qmp));
	} else {
		g_ptr_array_add(argv, g_strdup_printf("dbus,addr=%s", vm->address));
	}
	g_ptr_array_add(argv, NULL);
	g_unlink(qmp);
	vm->qemu = g_subprocess_newv((const char *const *)argv->pdata, G_SUBPROCESS_FLAGS_NONE,
				     &error);
	if (!vm->qemu) {
		g_printerr("cannot start QEMU: %s\n", error->message);
		return false;
	}
	if (!test_wait(display_ready, &probe, 20000)) {
		g_printerr("QEMU's D-Bus display did not appear at %s\n", vm->address);
		return false;
	}
	return true;
}

void test_vm_kill_qemu(struct test_vm *vm)
{
	if (!vm->qemu)
		return;
	g_subprocess_force_exit(vm->qemu);
	g_subprocess_wait(vm->qemu, NULL, NULL);
	g_clear_object(&vm->qemu);
}

struct test_vm *test_vm_start(const struct test_vm_options *options)
{
	struct test_vm *vm = g_new0(struct test_vm, 1);
	g_autoptr(GError) error = NULL;
	g_autofree char *bus = NULL;

	vm->options = *options;
	vm->dir = g_dir_make_tmp("guestcast-vm-XXXXXX", &error);
	g_assert_no_error(error);
	vm->serial_path = g_build_filename(vm->dir, "serial.log", NULL);
	g_file_set_contents(vm->serial_path, "", 0, NULL);
	if (options->p2p) {
		vm->address = g_strdup_printf("qmp:%s/qmp.sock", vm->dir);
	} else if (options->bus) {
		vm->address = g_strdup(options->bus);
	} else {
		bus = g_build_filename(vm->dir, "bus", NULL);
		vm->address = g_strdup_printf("unix:path=%s", bus);
		vm->dbus = g_subprocess_new(G_SUBPROCESS_FLAGS_NONE, &error, "dbus-daemon",
					    "--session", "--nofork", "--nopidfile", "--address",
					    vm->address, NULL);
		if (!vm->dbus || !test_wait(path_exists, bus, 5000)) {
			g_printerr("cannot start dbus-daemon: %s\n",
				   error ? error->message : "no socket");
			test_vm_destroy(vm);
			return NULL;
		}
	}
	if (!test_vm_start_qemu(vm)) {
		test_vm_destroy(vm);
		return NULL;
	}
	return vm;
}

void test_vm_destroy(struct test_vm *vm)
{
	if (!vm)
		return;
	test_vm_kill_qemu(vm);
	if (vm->dbus) {
		g_subprocess_force_exit(vm->dbus);
		g_subprocess_wait(vm->dbus, NULL, NULL);
		g_object_unref(vm->dbus);
	}
	if (!g_getenv("GUESTCAST_KEEP_VM")) {
		g_autoptr(GFile) dir = g_file_new_for_path(vm->dir);
		g_autoptr(GFileEnumerator) e = g_file_enumerate_children(
			dir, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NONE, NULL, NULL);
		GFileInfo *info;

		while (e && (info = g_file_enumerator_next_file(e, NULL, NULL))) {
			g_autoptr(GFile) child = g_file_get_child(dir, g_file_info_get_name(info));

			g_file_delete(child, NULL, NULL);
			g_object_unref(info);
		}
		g_file_delete(dir, NULL, NULL);
	}
	g_free(vm->dir);
	g_free(vm->address);
	g_free(vm->serial_path);
	g_free(vm);
}

size_t test_vm_serial_mark(struct test_vm *vm)
{
	g_autofree char *text = NULL;
	gsize len = 0;

	g_file_get_contents(vm->serial_path, &text, &len, NULL);
	return len;
}

struct serial_wait {
	struct test_vm *vm;
	size_t mark;
	const char *prefix;
};

static bool serial_has(void *data)
{
	struct serial_wait *w = data;
	g_autofree char *text = NULL;
	gsize len = 0;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(w->vm->serial_path, &text, &len, NULL) || len <= w->mark)
		return false;
	lines = g_strsplit(text + w->mark, "\n", -1);
	for (char **l = lines; *l; l++) {
		g_strstrip(*l);
		if (g_str_has_prefix(*l, w->prefix))
			return true;
	}
	return false;
}

bool test_vm_wait_serial(struct test_vm *vm, size_t mark, const char *prefix, int timeout_ms)
{
	struct serial_wait w = {vm, mark, prefix};

	return test_wait(serial_has, &w, timeout_ms);
}
