/* SPDX-License-Identifier: MIT */
/*
 * Key number translation for QEMU's D-Bus keyboard.
 *
 * org.qemu.Display1.Keyboard.Press/Release take "qnum" key numbers: PC scancode set 1, with
 * 0xE0-prefixed keys folded into 0x80 | code (right ctrl E0 1D -> 0x9d) and Pause as 0xc6.
 * 0 never names a key, so the lookups below return 0 for "unknown".
 *
 * Temporary header: these declarations move into qemu-glue.h.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* Linux evdev KEY_* code -> qnum, 0 if unknown. */
uint32_t keymap_evdev_to_qnum(uint32_t evdev);

/*
 * qnum -> the evdev code a Linux guest reports for it, 0 if unknown. Both SysRq (0x54) and
 * PrintScreen (0xb7) come back as KEY_SYSRQ, as the guest's atkbd driver reports them.
 */
uint32_t keymap_qnum_to_evdev(uint32_t qnum);

/* Browser KeyboardEvent.code ("KeyA", "ShiftLeft", "NumpadEnter", ...) -> qnum, 0 if unknown. */
uint32_t keymap_code_to_qnum(const char *code);

/* The KeyboardEvent.code values keymap_code_to_qnum() knows, for index 0.. until NULL. */
const char *keymap_code_nth(size_t index);

/*
 * X11 keysym, typed on a US layout -> qnum, and whether Shift must be held for it.
 * Returns 0, or -ENOENT if the layout has no key for that keysym.
 */
int keymap_keysym_to_qnum(uint32_t keysym, uint32_t *qnum, bool *shift);

/* A name for logs (the KeyboardEvent.code of that key, "KeyA"), or NULL if unknown. */
const char *keymap_qnum_name(uint32_t qnum);

struct key_event {
	uint32_t qnum;
	bool down;
};

/*
 * Appends the press/release events for one `guestcast send-keys` argument to events (a GArray
 * of struct key_event).
 *
 * A KEYSPEC is key names joined by '-' that starts with a modifier ("ctrl-alt-delete",
 * "shift-f10", "alt-sysrq-b"), or key names in angle brackets ("<ret>", "<ctrl-alt-delete>"):
 * its keys are pressed in order and released in reverse. Anything else is TEXT, typed with a
 * US layout ("\n" is Return, "\t" is Tab).
 *
 * Returns 0, or -EINVAL with error set (G_IO_ERROR_INVALID_ARGUMENT) naming the offending part;
 * events is then left as it was.
 */
int key_sequence_parse(const char *arg, GArray *events, GError **error);
