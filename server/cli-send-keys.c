/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast"

#include <stdio.h>

#include "server.h"

int cli_send_keys(int argc, char **argv)
{
	g_autofree char *address = NULL, *vm_select = NULL;
	int console_id = 0;
	GOptionEntry entries[] = {
		{"qemu", 'q', 0, G_OPTION_ARG_STRING, &address, "QEMU display address", "ADDRESS"},
		{"vm", 0, 0, G_OPTION_ARG_STRING, &vm_select, "VM name or UUID on a shared bus",
		 "NAME"},
		{"console", 'c', 0, G_OPTION_ARG_INT, &console_id, "Console id (default 0)", "N"},
		{NULL},
	};
	g_autoptr(GOptionContext) ctx =
		g_option_context_new("TEXT|KEYSPEC... - type into the guest");
	g_autoptr(GArray) events = g_array_new(FALSE, FALSE, sizeof(struct key_event));
	g_autoptr(GError) error = NULL;
	struct qemu_console *console;
	struct qemu_vm *vm;
	int ret = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(
		ctx, "An argument like ctrl-alt-delete, shift-f10 or <ret> is a key combination;\n"
		     "anything else is typed as text with a US layout (\\n is Return).\n");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "guestcast send-keys: %s\n", error->message);
		return EXIT_USAGE;
	}
	if (argc < 2 || console_id < 0) {
		fprintf(stderr, "guestcast send-keys: nothing to send (give TEXT or KEYSPEC)\n");
		return EXIT_USAGE;
	}
	/* Parse everything first: a typo must not leave half a sequence typed. */
	for (int i = 1; i < argc; i++) {
		if (key_sequence_parse(argv[i], events, &error) < 0) {
			fprintf(stderr, "guestcast send-keys: %s\n", error->message);
			return EXIT_USAGE;
		}
	}
	vm = cli_connect(address, vm_select, (uint32_t)console_id, &console);
	if (!vm)
		return EXIT_USAGE;
	/* One synchronous call per event keeps the guest's keyboard queue from overflowing. */
	for (guint i = 0; i < events->len && ret == 0; i++) {
		struct key_event *e = &g_array_index(events, struct key_event, i);

		if (qemu_console_key_sync(console, e->qnum, e->down, &error) < 0) {
			fprintf(stderr, "guestcast send-keys: %s\n", error->message);
			ret = 1;
		}
	}
	qemu_vm_destroy(vm);
	return ret;
}
