/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-fuzz"

#include <stdint.h>
#include <string.h>

#include <gio/gio.h>

#include "keymap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GArray) events = g_array_new(FALSE, FALSE, sizeof(struct key_event));
	g_autoptr(GError) error = NULL;
	g_autofree char *arg = g_malloc(size + 1);
	uint32_t keysym = 0;
	uint32_t qnum;
	bool shift;
	int ret;

	memcpy(arg, data, size);
	arg[size] = '\0';

	ret = key_sequence_parse(arg, events, &error);
	/* the contract the CLI relies on: events xor a message */
	if (ret == 0) {
		if (error || events->len == 0 || events->len % 2 != 0)
			__builtin_trap();
	} else if (ret != -EINVAL || !error || !error->message[0] || events->len != 0) {
		__builtin_trap();
	}
	for (guint i = 0; i < events->len; i++) {
		if (keymap_qnum_to_evdev(g_array_index(events, struct key_event, i).qnum) == 0)
			__builtin_trap();
	}

	qnum = keymap_code_to_qnum(arg);
	if (qnum != 0 && keymap_qnum_to_evdev(qnum) == 0)
		__builtin_trap();

	memcpy(&keysym, data, MIN(size, sizeof(keysym)));
	if (keymap_keysym_to_qnum(keysym, &qnum, &shift) == 0 && keymap_qnum_to_evdev(qnum) == 0)
		__builtin_trap();

	return 0;
}
