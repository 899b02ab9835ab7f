/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast"

#include <stdio.h>

#include <json-glib/json-glib.h>

#include "server.h"

static void print_text(struct qemu_vm *vm)
{
	printf("VM: %s\nUUID: %s\n", qemu_vm_get_name(vm), qemu_vm_get_uuid(vm));
	for (guint i = 0; i < qemu_vm_get_n_consoles(vm); i++) {
		struct qemu_console_info info;

		qemu_console_get_info(qemu_vm_get_console(vm, i), &info);
		printf("Console %u: %s \"%s\" head %u, %ux%u, device %s, keyboard %s, mouse %s\n",
		       info.id, info.type, info.label, info.head, info.width, info.height,
		       *info.device_address ? info.device_address : "-",
		       info.has_keyboard ? "yes" : "no",
		       !info.has_mouse	     ? "no"
		       : info.mouse_absolute ? "absolute"
					     : "relative");
	}
}

static void print_json(struct qemu_vm *vm)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *text = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, qemu_vm_get_name(vm));
	json_builder_set_member_name(b, "uuid");
	json_builder_add_string_value(b, qemu_vm_get_uuid(vm));
	json_builder_set_member_name(b, "consoles");
	json_builder_begin_array(b);
	for (guint i = 0; i < qemu_vm_get_n_consoles(vm); i++) {
		struct qemu_console_info info;

		qemu_console_get_info(qemu_vm_get_console(vm, i), &info);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_int_value(b, info.id);
		json_builder_set_member_name(b, "type");
		json_builder_add_string_value(b, info.type);
		json_builder_set_member_name(b, "label");
		json_builder_add_string_value(b, info.label);
		json_builder_set_member_name(b, "head");
		json_builder_add_int_value(b, info.head);
		json_builder_set_member_name(b, "width");
		json_builder_add_int_value(b, info.width);
		json_builder_set_member_name(b, "height");
		json_builder_add_int_value(b, info.height);
		json_builder_set_member_name(b, "device_address");
		json_builder_add_string_value(b, info.device_address);
		json_builder_set_member_name(b, "keyboard");
		json_builder_add_boolean_value(b, info.has_keyboard);
		json_builder_set_member_name(b, "mouse");
		json_builder_add_string_value(b, !info.has_mouse       ? "none"
						 : info.mouse_absolute ? "absolute"
								       : "relative");
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	text = json_generator_to_data(gen, NULL);
	printf("%s\n", text);
}

int cli_info(int argc, char **argv)
{
	g_autofree char *address = NULL, *vm_select = NULL;
	gboolean json = FALSE;
	GOptionEntry entries[] = {
		{"qemu", 'q', 0, G_OPTION_ARG_STRING, &address, "QEMU display address", "ADDRESS"},
		{"vm", 0, 0, G_OPTION_ARG_STRING, &vm_select, "VM name or UUID on a shared bus",
		 "NAME"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL},
		{NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- show a VM's display and input");
	g_autoptr(GError) error = NULL;
	struct qemu_vm *vm;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "guestcast info: %s\n", error->message);
		return EXIT_USAGE;
	}
	vm = cli_connect(address, vm_select, 0, NULL);
	if (!vm)
		return EXIT_USAGE;
	if (json)
		print_json(vm);
	else
		print_text(vm);
	qemu_vm_destroy(vm);
	return 0;
}
