/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast"

#include <stdio.h>

#include "server.h"

struct qemu_vm *cli_connect(const char *address, const char *vm_select, uint32_t console_id,
			    struct qemu_console **console)
{
	g_autoptr(GError) error = NULL;
	struct qemu_vm *vm;

	if (!address) {
		fprintf(stderr, "guestcast: --qemu ADDRESS is required\n");
		return NULL;
	}
	vm = qemu_vm_connect(address, vm_select, &error);
	if (!vm) {
		fprintf(stderr, "guestcast: %s\n", error->message);
		return NULL;
	}
	if (console) {
		*console = qemu_vm_find_console(vm, console_id);
		if (!*console) {
			fprintf(stderr, "guestcast: %s: no console %u (the VM has %u)\n", address,
				console_id, qemu_vm_get_n_consoles(vm));
			qemu_vm_destroy(vm);
			return NULL;
		}
	}
	return vm;
}
