/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-qemu-glue"

#include <stdlib.h>
#include <string.h>

#include "qemu-glue.h"

#define ADDRESS_MAX_LEN 4096

int qemu_address_parse(const char *text, struct qemu_address *address, GError **error)
{
	*address = (struct qemu_address){.fd = -1};

	if (!text || !*text) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "empty QEMU address (expected a D-Bus address such as "
			    "unix:path=/run/vm0/bus, qmp:/path/to/qmp.sock or fd:N)");
		return -EINVAL;
	}
	if (strnlen(text, ADDRESS_MAX_LEN + 1) > ADDRESS_MAX_LEN) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "QEMU address is longer than %d bytes", ADDRESS_MAX_LEN);
		return -EINVAL;
	}
	if (g_str_has_prefix(text, "qmp:")) {
		const char *path = text + 4;

		if (*path == '\0') {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "QEMU address '%s' names no QMP socket path", text);
			return -EINVAL;
		}
		address->kind = QEMU_ADDRESS_QMP;
		address->value = g_strdup(path);
		return 0;
	}
	if (g_str_has_prefix(text, "fd:")) {
		char *end = NULL;
		long fd;

		errno = 0;
		fd = strtol(text + 3, &end, 10);
		if (errno || end == text + 3 || *end != '\0' || fd < 0 || fd > G_MAXINT) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "QEMU address '%s': fd: needs a file descriptor number", text);
			return -EINVAL;
		}
		address->kind = QEMU_ADDRESS_FD;
		address->fd = (int)fd;
		return 0;
	}
	if (!g_dbus_is_supported_address(text, NULL)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "QEMU address '%s' is neither a D-Bus address (unix:path=...), "
			    "qmp:PATH nor fd:N",
			    text);
		return -EINVAL;
	}
	address->kind = QEMU_ADDRESS_BUS;
	address->value = g_strdup(text);
	return 0;
}

void qemu_address_clear(struct qemu_address *address)
{
	g_clear_pointer(&address->value, g_free);
	address->fd = -1;
}
