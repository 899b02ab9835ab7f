/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast"

#include <stdio.h>

#include "server.h"

#define SNAPSHOT_TIMEOUT_S 10

struct snapshot {
	GMainLoop *loop;
	struct frame_consumer *consumer;
	struct frame *frame;
	bool closed;
};

static void on_frame(void *data)
{
	struct snapshot *s = data;

	s->frame = frame_consumer_take(s->consumer, NULL, NULL);
	if (s->frame)
		g_main_loop_quit(s->loop);
}

static void on_closed(void *data)
{
	struct snapshot *s = data;

	s->closed = true;
	g_main_loop_quit(s->loop);
}

static gboolean on_timeout(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_REMOVE;
}

int cli_snapshot(int argc, char **argv)
{
	g_autofree char *address = NULL, *vm_select = NULL, *output = NULL;
	int console_id = 0;
	GOptionEntry entries[] = {
		{"qemu", 'q', 0, G_OPTION_ARG_STRING, &address, "QEMU display address", "ADDRESS"},
		{"vm", 0, 0, G_OPTION_ARG_STRING, &vm_select, "VM name or UUID on a shared bus",
		 "NAME"},
		{"console", 'c', 0, G_OPTION_ARG_INT, &console_id, "Console id (default 0)", "N"},
		{"output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "PNG file to write", "FILE"},
		{NULL},
	};
	static const struct qemu_listener_callbacks callbacks = {.on_closed = on_closed};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- write a PNG of a console");
	g_autoptr(GError) error = NULL;
	struct snapshot s = {0};
	struct qemu_console *console;
	struct frame_store *store;
	struct qemu_listener *listener;
	struct qemu_vm *vm;
	guint timeout_id;
	int ret = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "guestcast snapshot: %s\n", error->message);
		return EXIT_USAGE;
	}
	if (!output || console_id < 0) {
		fprintf(stderr, "guestcast snapshot: --output FILE.png is required\n");
		return EXIT_USAGE;
	}
	vm = cli_connect(address, vm_select, (uint32_t)console_id, &console);
	if (!vm)
		return EXIT_USAGE;

	s.loop = g_main_loop_new(NULL, FALSE);
	store = frame_store_create(NULL);
	s.consumer = frame_store_add_consumer(store, on_frame, &s);
	listener = qemu_listener_create(console, store, &callbacks, &s, &error);
	if (!listener) {
		fprintf(stderr, "guestcast snapshot: %s\n", error->message);
		ret = EXIT_USAGE;
		goto out;
	}
	timeout_id = g_timeout_add_seconds(SNAPSHOT_TIMEOUT_S, on_timeout, s.loop);
	g_main_loop_run(s.loop);
	if (s.frame)
		g_source_remove(timeout_id);
	qemu_listener_destroy(listener);

	if (!s.frame) {
		fprintf(stderr, "guestcast snapshot: %s: %s\n", address,
			s.closed ? "QEMU closed the display connection"
				 : "no picture from the console within 10 s (is the display "
				   "disabled?)");
		ret = 1;
	} else if (png_write_frame(s.frame, output, &error) < 0) {
		fprintf(stderr, "guestcast snapshot: %s\n", error->message);
		ret = 1;
	} else {
		printf("%s: %ux%u\n", output, s.frame->width, s.frame->height);
	}
out:
	frame_unref(s.frame);
	frame_store_remove_consumer(store, s.consumer);
	frame_store_destroy(store);
	g_main_loop_unref(s.loop);
	qemu_vm_destroy(vm);
	return ret;
}
