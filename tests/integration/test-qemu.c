/* SPDX-License-Identifier: MIT */
/*
 * qemu-glue against the real QEMU 7.2 under TCG: the bundled test guest on a private bus
 * (booted once, shared by the tests that can share it), and firmware-only QEMUs for p2p mode
 * and restarts.
 */
#define G_LOG_DOMAIN "guestcast-test"

#include <stdio.h>
#include <string.h>

#include "latency-stamp.h"
#include "qemu-glue.h"
#include "test-vm.h"

#define BOOT_TIMEOUT_MS 60000
#define WAIT_MS		15000

static struct test_vm *guest;

/* A consumer of one console that keeps the newest frame and the stamp it shows. */
struct watcher {
	struct qemu_vm *vm;
	struct qemu_console *console;
	struct frame_store *store;
	struct frame_consumer *consumer;
	struct qemu_listener *listener;
	uint32_t width, height;
	uint64_t frames;
	bool have_stamp;
	struct latency_stamp stamp;
	bool closed;
	bool nonblack;
};

static void on_frame(void *data)
{
	struct watcher *w = data;
	struct frame *f = frame_consumer_take(w->consumer, NULL, NULL);
	struct frame_mapping map;

	if (!f)
		return;
	w->frames++;
	w->width = f->width;
	w->height = f->height;
	if (frame_map(f, &map) == 0) {
		struct latency_stamp s = w->stamp;

		if (f->fourcc == FOURCC_XRGB8888 &&
		    latency_stamp_read(map.pixels, f->width, f->height, map.stride, &s) == 0) {
			w->stamp = s;
			w->have_stamp = true;
		}
		for (uint32_t y = 0; y < f->height && !w->nonblack; y += 4) {
			for (uint32_t x = 0; x < f->width * 4 && !w->nonblack; x += 4)
				w->nonblack = map.pixels[(size_t)y * map.stride + x + 1] > 0x40;
		}
		frame_unmap(&map);
	}
	frame_unref(f);
}

static void on_listener_closed(void *data)
{
	((struct watcher *)data)->closed = true;
}

static void watcher_start(struct watcher *w, struct qemu_vm *vm)
{
	static const struct qemu_listener_callbacks callbacks = {.on_closed = on_listener_closed};
	g_autoptr(GError) error = NULL;

	memset(w, 0, sizeof(*w));
	w->vm = vm;
	w->console = qemu_vm_get_console(vm, 0);
	g_assert_nonnull(w->console);
	w->store = frame_store_create(NULL);
	w->consumer = frame_store_add_consumer(w->store, on_frame, w);
	w->listener = qemu_listener_create(w->console, w->store, &callbacks, w, &error);
	g_assert_no_error(error);
}

static void watcher_stop(struct watcher *w)
{
	qemu_listener_destroy(w->listener);
	frame_store_remove_consumer(w->store, w->consumer);
	frame_store_destroy(w->store);
	w->listener = NULL;
}

static struct qemu_vm *connect_or_fail(const char *address)
{
	g_autoptr(GError) error = NULL;
	struct qemu_vm *vm = qemu_vm_connect(address, NULL, &error);

	g_assert_no_error(error);
	return vm;
}

static bool has_stamp(void *data)
{
	return ((struct watcher *)data)->have_stamp;
}

static bool has_nonblack(void *data)
{
	return ((struct watcher *)data)->nonblack;
}

static void test_frame_counter_advances(void)
{
	struct watcher w;
	uint16_t first;

	g_assert_true(test_vm_wait_serial(guest, 0, "ready", BOOT_TIMEOUT_MS));
	watcher_start(&w, connect_or_fail(guest->address));
	g_assert_true(test_wait(has_stamp, &w, WAIT_MS));
	first = w.stamp.counter;
	/* The guest paints ~30 frames/s under TCG; ten more must arrive. */
	for (gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
	     (uint16_t)(w.stamp.counter - first) < 10 && g_get_monotonic_time() < deadline;)
		g_main_context_iteration(NULL, TRUE);
	g_test_message("counter %u -> %u over %" G_GUINT64_FORMAT " frames", first, w.stamp.counter,
		       w.frames);
	g_assert_cmpuint((uint16_t)(w.stamp.counter - first), >=, 10);
	watcher_stop(&w);
	qemu_vm_destroy(w.vm);
}

static void test_key_reaches_guest(void)
{
	struct qemu_vm *vm = connect_or_fail(guest->address);
	struct qemu_console *console = qemu_vm_get_console(vm, 0);
	size_t mark = test_vm_serial_mark(guest);

	g_assert_cmpint(qemu_console_key(console, keymap_evdev_to_qnum(30), true), ==, 0);
	g_assert_cmpint(qemu_console_key(console, keymap_evdev_to_qnum(30), false), ==, 0);
	/* An E0-prefixed key exercises the qnum high bit. */
	g_assert_cmpint(qemu_console_key(console, keymap_code_to_qnum("ControlRight"), true), ==,
			0);
	g_assert_cmpint(qemu_console_key(console, keymap_code_to_qnum("ControlRight"), false), ==,
			0);
	g_assert_true(test_vm_wait_serial(guest, mark, "key 30 1", WAIT_MS));
	g_assert_true(test_vm_wait_serial(guest, mark, "key 30 0", WAIT_MS));
	g_assert_true(test_vm_wait_serial(guest, mark, "key 97 1", WAIT_MS));
	qemu_vm_destroy(vm);
}

static bool mouse_absolute(void *data)
{
	struct qemu_console_info info;

	qemu_console_get_info(data, &info);
	return info.mouse_absolute;
}

static void test_click_reaches_guest(void)
{
	struct qemu_vm *vm = connect_or_fail(guest->address);
	struct qemu_console *console = qemu_vm_get_console(vm, 0);
	size_t mark = test_vm_serial_mark(guest);

	/* The tablet is absolute once the guest's virtio-input driver has bound it. */
	g_assert_true(test_wait(mouse_absolute, console, WAIT_MS));
	/* The middle of a 200x100 view is the middle of the guest's screen. */
	g_assert_cmpint(qemu_console_move(console, 100, 50, 200, 100), ==, 0);
	g_assert_cmpint(qemu_console_button(console, QEMU_MOUSE_BUTTON_LEFT, true), ==, 0);
	g_assert_cmpint(qemu_console_button(console, QEMU_MOUSE_BUTTON_LEFT, false), ==, 0);
	g_assert_cmpint(qemu_console_wheel(console, -1), ==, 0);
	g_assert_true(test_vm_wait_serial(guest, mark, "btn 272 1", WAIT_MS));
	g_assert_true(test_vm_wait_serial(guest, mark, "btn 272 0", WAIT_MS));
	g_assert_true(test_vm_wait_serial(guest, mark, "rel 8 -1", WAIT_MS));
	/* QEMU scales absolute positions to 0..0x7fff: the middle is about 0x4000. */
	g_assert_true(test_vm_wait_serial(guest, mark, "abs 0 163", WAIT_MS) ||
		      test_vm_wait_serial(guest, mark, "abs 0 164", 0));
	g_assert_true(test_vm_wait_serial(guest, mark, "abs 1 163", WAIT_MS) ||
		      test_vm_wait_serial(guest, mark, "abs 1 164", 0));
	qemu_vm_destroy(vm);
}

struct size_wait {
	struct watcher *w;
	uint32_t width, height;
};

static bool frame_has_size(void *data)
{
	struct size_wait *s = data;

	return s->w->width == s->width && s->w->height == s->height;
}

static void test_set_ui_info_resizes(void)
{
	struct watcher w;
	size_t mark = test_vm_serial_mark(guest);
	struct size_wait want = {&w, 800, 600};
	struct size_wait back = {&w, 1280, 800};

	watcher_start(&w, connect_or_fail(guest->address));
	g_assert_true(test_wait(has_stamp, &w, WAIT_MS));
	g_assert_cmpint(qemu_console_set_ui_info(w.console, 800, 600), ==, 0);
	g_assert_true(test_vm_wait_serial(guest, mark, "mode 800x600", WAIT_MS));
	g_assert_true(test_wait(frame_has_size, &want, WAIT_MS));
	/* The stamp is still readable at the new size (block 8 below 832 px). */
	w.have_stamp = false;
	g_assert_true(test_wait(has_stamp, &w, WAIT_MS));
	g_assert_cmpint(qemu_console_set_ui_info(w.console, 1280, 800), ==, 0);
	g_assert_true(test_wait(frame_has_size, &back, WAIT_MS));
	watcher_stop(&w);
	qemu_vm_destroy(w.vm);
}

static int run_cli(char **out, const char *first, ...)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	int status = -1;
	va_list ap;

	g_ptr_array_add(argv, (char *)g_getenv("GUESTCAST"));
	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *))
		g_ptr_array_add(argv, (char *)a);
	va_end(ap);
	g_ptr_array_add(argv, NULL);
	g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, NULL,
		     &status, &error);
	g_assert_no_error(error);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_cli(void)
{
	g_autofree char *out = NULL;
	g_autofree char *png = g_build_filename(guest->dir, "snap.png", NULL);
	size_t mark = test_vm_serial_mark(guest);
	g_autofree char *bad = g_strdup_printf("unix:path=%s/nothing", guest->dir);

	g_assert_cmpint(run_cli(&out, "info", "--qemu", guest->address, "--json", NULL), ==, 0);
	g_assert_nonnull(strstr(out, "\"name\" : \"guestcast-test-guest\""));
	g_assert_nonnull(strstr(out, "\"mouse\" : \"absolute\""));
	g_clear_pointer(&out, g_free);

	g_assert_cmpint(run_cli(&out, "snapshot", "--qemu", guest->address, "-o", png, NULL), ==,
			0);
	g_assert_true(g_str_has_prefix(out, png));
	g_assert_true(g_file_test(png, G_FILE_TEST_IS_REGULAR));
	g_clear_pointer(&out, g_free);

	g_assert_cmpint(run_cli(&out, "send-keys", "--qemu", guest->address, "aB", "ctrl-c", NULL),
			==, 0);
	g_assert_true(test_vm_wait_serial(guest, mark, "key 30 1", WAIT_MS));
	g_assert_true(test_vm_wait_serial(guest, mark, "key 42 1", WAIT_MS)); /* shift for B */
	g_assert_true(test_vm_wait_serial(guest, mark, "key 48 1", WAIT_MS));
	g_assert_true(test_vm_wait_serial(guest, mark, "key 46 1", WAIT_MS)); /* c of ctrl-c */
	g_clear_pointer(&out, g_free);

	/* Wrong address, unknown console, bad key spec: one message, exit 2. */
	g_assert_cmpint(run_cli(&out, "info", "--qemu", bad, NULL), ==, 2);
	g_clear_pointer(&out, g_free);
	g_assert_cmpint(run_cli(&out, "snapshot", "--qemu", guest->address, "--console", "7", "-o",
				png, NULL),
			==, 2);
	g_clear_pointer(&out, g_free);
	g_assert_cmpint(run_cli(&out, "send-keys", "--qemu", guest->address, "ctrl-nokey", NULL),
			==, 2);
}

static void test_p2p_firmware_screen(void)
{
	struct test_vm_options o = {.name = "guestcast-test-p2p", .p2p = true};
	struct test_vm *vm = test_vm_start(&o);
	struct watcher w;
	struct qemu_console_info info;

	g_assert_nonnull(vm);
	watcher_start(&w, connect_or_fail(vm->address));
	g_assert_cmpstr(qemu_vm_get_name(w.vm), ==, "guestcast-test-p2p");
	qemu_console_get_info(w.console, &info);
	g_assert_cmpstr(info.type, ==, "Graphic");
	/* SeaBIOS paints its banner: some light pixels must arrive. */
	g_assert_true(test_wait(has_nonblack, &w, WAIT_MS));
	watcher_stop(&w);
	qemu_vm_destroy(w.vm);
	test_vm_destroy(vm);
}

struct shared_bus {
	const char *address;
	char *out;
};

static bool bus_lists_two_vms(void *data)
{
	struct shared_bus *b = data;

	g_clear_pointer(&b->out, g_free);
	return run_cli(&b->out, "info", "--qemu", b->address, NULL) == 2 &&
	       g_file_test(b->address + strlen("unix:path="), G_FILE_TEST_EXISTS);
}

/* Several VMs on one bus (all queued for org.qemu): pick one by name or UUID. */
static void test_shared_bus_select(void)
{
	struct test_vm_options oa = {.name = "guestcast-test-alpha"};
	struct test_vm *a = test_vm_start(&oa);
	struct test_vm_options ob = {.name = "guestcast-test-beta", .bus = a->address};
	struct test_vm *b = test_vm_start(&ob);
	struct shared_bus probe = {a->address, NULL};
	g_autofree char *out = NULL;
	g_autoptr(GError) error = NULL;
	struct qemu_vm *vm;

	g_assert_nonnull(b);
	g_assert_true(test_wait(bus_lists_two_vms, &probe, WAIT_MS));
	g_free(probe.out);
	g_assert_cmpint(
		run_cli(&out, "info", "--qemu", a->address, "--vm", "guestcast-test-beta", NULL),
		==, 0);
	g_assert_nonnull(strstr(out, "VM: guestcast-test-beta"));
	vm = qemu_vm_connect(a->address, "guestcast-test-alpha", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(qemu_vm_get_name(vm), ==, "guestcast-test-alpha");
	qemu_vm_destroy(vm);
	vm = qemu_vm_connect(a->address, "no-such-vm", &error);
	g_assert_null(vm);
	g_assert_nonnull(strstr(error->message, "guestcast-test-beta"));
	test_vm_destroy(b);
	test_vm_destroy(a);
}

struct reconnect {
	struct watcher w;
	int connected, disconnected;
};

static void on_connected(void *data, struct qemu_vm *vm)
{
	struct reconnect *r = data;

	r->connected++;
	watcher_start(&r->w, vm);
}

static void on_disconnected(void *data, const char *reason)
{
	struct reconnect *r = data;

	r->disconnected++;
	watcher_stop(&r->w);
}

static bool connected_twice_with_picture(void *data)
{
	struct reconnect *r = data;

	return r->connected == 2 && r->w.listener && r->w.frames > 0;
}

static bool connected_with_picture(void *data)
{
	struct reconnect *r = data;

	return r->connected == 1 && r->w.frames > 0;
}

static bool disconnected(void *data)
{
	return ((struct reconnect *)data)->disconnected == 1;
}

static void test_reconnect_after_restart(void)
{
	static const struct qemu_display_callbacks callbacks = {on_connected, on_disconnected};
	struct test_vm_options o = {.name = "guestcast-test-restart"};
	struct test_vm *vm = test_vm_start(&o);
	struct reconnect r = {0};
	struct qemu_display *display;

	g_assert_nonnull(vm);
	display = qemu_display_create(vm->address, NULL, &callbacks, &r);
	g_assert_true(test_wait(connected_with_picture, &r, WAIT_MS));
	test_vm_kill_qemu(vm);
	g_assert_true(test_wait(disconnected, &r, WAIT_MS));
	g_assert_null(qemu_display_get_vm(display));
	g_assert_true(test_vm_start_qemu(vm));
	g_assert_true(test_wait(connected_twice_with_picture, &r, WAIT_MS));
	watcher_stop(&r.w);
	qemu_display_destroy(display);
	test_vm_destroy(vm);
}

int main(int argc, char **argv)
{
	struct test_vm_options o = {.name = "guestcast-test-guest", .guest = true};
	int ret;

	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/qemu/guest/frame-counter-advances", test_frame_counter_advances);
	g_test_add_func("/qemu/guest/key-reaches-guest", test_key_reaches_guest);
	g_test_add_func("/qemu/guest/click-reaches-guest", test_click_reaches_guest);
	g_test_add_func("/qemu/guest/set-ui-info-resizes", test_set_ui_info_resizes);
	g_test_add_func("/qemu/guest/cli", test_cli);
	g_test_add_func("/qemu/firmware/p2p", test_p2p_firmware_screen);
	g_test_add_func("/qemu/firmware/reconnect-after-restart", test_reconnect_after_restart);
	g_test_add_func("/qemu/firmware/shared-bus-select", test_shared_bus_select);

	/* One booted guest for every /qemu/guest test. */
	guest = test_vm_start(&o);
	if (!guest) {
		printf("Bail out! cannot start the test VM\n");
		return 1;
	}
	ret = g_test_run();
	test_vm_destroy(guest);
	return ret;
}
