/* SPDX-License-Identifier: MIT */
/* QEMU addresses from the command line or config, and lines from QEMU's monitor. */
#define G_LOG_DOMAIN "guestcast-fuzz"

#include "qemu-glue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = g_strndup((const char *)data, size);
	g_autofree char *error_text = NULL;
	struct qemu_address address;

	if (qemu_address_parse(text, &address, NULL) == 0)
		qemu_address_clear(&address);
	qmp_reply_parse((const char *)data, size, &error_text, NULL);
	return 0;
}
