/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-qemu-glue"

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "keymap.h"

#define KEY_SEQUENCE_ARG_MAX  4096
#define KEY_SEQUENCE_NAME_MAX 32
/* More keys than anyone holds at once; bounds the work per argument. */
#define KEY_SEQUENCE_COMBO_MAX 16

#define QNUM_SHIFT  0x2a
#define QNUM_RETURN 0x1c
#define QNUM_TAB    0x0f

enum key_name_flags {
	/*
	 * Only a modifier may start a combination written without brackets, so that text such
	 * as "a-b", "1-2" or "power-up" is typed rather than pressed as keys.
	 */
	KEY_NAME_MODIFIER = 1 << 0,
};

struct key_name {
	const char *name;
	uint8_t qnum;
	uint8_t flags;
};

/* QEMU's QKeyCode names (HMP sendkey) plus a few aliases; lower case, sorted by strcmp(). */
static const struct key_name key_names[] = {
	{"0", 0x0b, 0},
	{"1", 0x02, 0},
	{"2", 0x03, 0},
	{"3", 0x04, 0},
	{"4", 0x05, 0},
	{"5", 0x06, 0},
	{"6", 0x07, 0},
	{"7", 0x08, 0},
	{"8", 0x09, 0},
	{"9", 0x0a, 0},
	{"a", 0x1e, 0},
	{"ac_back", 0xea, 0},
	{"ac_bookmarks", 0xe6, 0},
	{"ac_forward", 0xe9, 0},
	{"ac_home", 0xb2, 0},
	{"ac_refresh", 0xe7, 0},
	{"alt", 0x38, KEY_NAME_MODIFIER},
	{"alt_r", 0xb8, KEY_NAME_MODIFIER},
	{"altgr", 0xb8, KEY_NAME_MODIFIER},
	{"apostrophe", 0x28, 0},
	{"asterisk", 0x37, 0},
	{"audiomute", 0xa0, 0},
	{"audionext", 0x99, 0},
	{"audioplay", 0xa2, 0},
	{"audioprev", 0x90, 0},
	{"audiostop", 0xa4, 0},
	{"b", 0x30, 0},
	{"backslash", 0x2b, 0},
	{"backspace", 0x0e, 0},
	{"bracket_left", 0x1a, 0},
	{"bracket_right", 0x1b, 0},
	{"c", 0x2e, 0},
	{"calculator", 0xa1, 0},
	{"caps_lock", 0x3a, 0},
	{"comma", 0x33, 0},
	{"compose", 0xdd, 0},
	{"computer", 0xeb, 0},
	{"control", 0x1d, KEY_NAME_MODIFIER},
	{"ctrl", 0x1d, KEY_NAME_MODIFIER},
	{"ctrl_r", 0x9d, KEY_NAME_MODIFIER},
	{"d", 0x20, 0},
	{"del", 0xd3, 0},
	{"delete", 0xd3, 0},
	{"dot", 0x34, 0},
	{"down", 0xd0, 0},
	{"e", 0x12, 0},
	{"end", 0xcf, 0},
	{"enter", 0x1c, 0},
	{"equal", 0x0d, 0},
	{"esc", 0x01, 0},
	{"escape", 0x01, 0},
	{"f", 0x21, 0},
	{"f1", 0x3b, 0},
	{"f10", 0x44, 0},
	{"f11", 0x57, 0},
	{"f12", 0x58, 0},
	{"f13", 0x5d, 0},
	{"f14", 0x5e, 0},
	{"f15", 0x5f, 0},
	{"f16", 0x55, 0},
	{"f17", 0x83, 0},
	{"f18", 0xf7, 0},
	{"f19", 0x84, 0},
	{"f2", 0x3c, 0},
	{"f20", 0x5a, 0},
	{"f21", 0x74, 0},
	{"f22", 0xf9, 0},
	{"f23", 0x6d, 0},
	{"f24", 0x6f, 0},
	{"f3", 0x3d, 0},
	{"f4", 0x3e, 0},
	{"f5", 0x3f, 0},
	{"f6", 0x40, 0},
	{"f7", 0x41, 0},
	{"f8", 0x42, 0},
	{"f9", 0x43, 0},
	{"g", 0x22, 0},
	{"grave_accent", 0x29, 0},
	{"h", 0x23, 0},
	{"henkan", 0x79, 0},
	{"hiragana", 0x77, 0},
	{"home", 0xc7, 0},
	{"i", 0x17, 0},
	{"insert", 0xd2, 0},
	{"j", 0x24, 0},
	{"k", 0x25, 0},
	{"katakanahiragana", 0x70, 0},
	{"kp_0", 0x52, 0},
	{"kp_1", 0x4f, 0},
	{"kp_2", 0x50, 0},
	{"kp_3", 0x51, 0},
	{"kp_4", 0x4b, 0},
	{"kp_5", 0x4c, 0},
	{"kp_6", 0x4d, 0},
	{"kp_7", 0x47, 0},
	{"kp_8", 0x48, 0},
	{"kp_9", 0x49, 0},
	{"kp_add", 0x4e, 0},
	{"kp_comma", 0x7e, 0},
	{"kp_decimal", 0x53, 0},
	{"kp_divide", 0xb5, 0},
	{"kp_enter", 0x9c, 0},
	{"kp_equals", 0x59, 0},
	{"kp_multiply", 0x37, 0},
	{"kp_subtract", 0x4a, 0},
	{"l", 0x26, 0},
	{"lang1", 0xf2, 0},
	{"lang2", 0xf1, 0},
	{"left", 0xcb, 0},
	{"less", 0x56, 0},
	{"m", 0x32, 0},
	{"mail", 0xec, 0},
	{"mediaselect", 0xed, 0},
	{"menu", 0xdd, 0},
	{"meta_l", 0xdb, KEY_NAME_MODIFIER},
	{"meta_r", 0xdc, KEY_NAME_MODIFIER},
	{"minus", 0x0c, 0},
	{"muhenkan", 0x7b, 0},
	{"n", 0x31, 0},
	{"num_lock", 0x45, 0},
	{"o", 0x18, 0},
	{"p", 0x19, 0},
	{"pause", 0xc6, 0},
	{"pgdn", 0xd1, 0},
	{"pgup", 0xc9, 0},
	{"power", 0xde, 0},
	{"print", 0xb7, 0},
	{"q", 0x10, 0},
	{"r", 0x13, 0},
	{"ret", 0x1c, 0},
	{"return", 0x1c, 0},
	{"right", 0xcd, 0},
	{"ro", 0x73, 0},
	{"s", 0x1f, 0},
	{"scroll_lock", 0x46, 0},
	{"semicolon", 0x27, 0},
	{"shift", 0x2a, KEY_NAME_MODIFIER},
	{"shift_r", 0x36, KEY_NAME_MODIFIER},
	{"slash", 0x35, 0},
	{"sleep", 0xdf, 0},
	{"space", 0x39, 0},
	{"spc", 0x39, 0},
	{"stop", 0xe8, 0},
	{"super", 0xdb, KEY_NAME_MODIFIER},
	{"sysrq", 0x54, 0},
	{"t", 0x14, 0},
	{"tab", 0x0f, 0},
	{"u", 0x16, 0},
	{"up", 0xc8, 0},
	{"v", 0x2f, 0},
	{"volumedown", 0xae, 0},
	{"volumeup", 0xb0, 0},
	{"w", 0x11, 0},
	{"wake", 0xe3, 0},
	{"win", 0xdb, KEY_NAME_MODIFIER},
	{"x", 0x2d, 0},
	{"y", 0x15, 0},
	{"yen", 0x7d, 0},
	{"z", 0x2c, 0},
};

static int compare_name(const void *key, const void *member)
{
	const struct key_name *entry = member;

	return strcmp(key, entry->name);
}

/* Looks up the name in [name, name + len); NULL if unknown. */
static const struct key_name *key_name_lookup(const char *name, size_t len)
{
	char lower[KEY_SEQUENCE_NAME_MAX + 1];
	size_t i;

	if (len == 0 || len > KEY_SEQUENCE_NAME_MAX)
		return NULL;
	for (i = 0; i < len; i++)
		lower[i] = g_ascii_tolower(name[i]);
	lower[len] = '\0';
	return bsearch(lower, key_names, G_N_ELEMENTS(key_names), sizeof(key_names[0]),
		       compare_name);
}

static void append_event(GArray *events, uint32_t qnum, bool down)
{
	struct key_event event = {.qnum = qnum, .down = down};

	g_array_append_val(events, event);
}

static void append_tap(GArray *events, uint32_t qnum, bool shift)
{
	if (shift)
		append_event(events, QNUM_SHIFT, true);
	append_event(events, qnum, true);
	append_event(events, qnum, false);
	if (shift)
		append_event(events, QNUM_SHIFT, false);
}

/* [start, start + len), printable and quoted, for error messages. */
static char *quote(const char *start, size_t len)
{
	g_autofree char *copy = g_strndup(start, len);
	g_autofree char *escaped = g_strescape(copy, NULL);

	return g_strdup_printf("\"%s\"", escaped);
}

enum combo_result {
	COMBO_KEYS,  /* every part is a known key: press them */
	COMBO_TEXT,  /* not meant as a key combination: type it */
	COMBO_ERROR, /* meant as a key combination but malformed: error is set */
};

/*
 * Parses "name-name-..." in [spec, spec + len). in_brackets: the user wrote "<...>", so any
 * known first name shows the intent; without brackets only a modifier as first name does.
 */
static enum combo_result parse_combo(const char *spec, size_t len, bool in_brackets,
				     uint32_t *qnums, size_t *n_qnums, GError **error)
{
	const char *end = spec + len;
	const char *part = spec;
	size_t n = 0;

	for (;;) {
		const char *dash = memchr(part, '-', end - part);
		size_t part_len = (dash ? dash : end) - part;
		const struct key_name *key = key_name_lookup(part, part_len);
		g_autofree char *quoted_spec = NULL;
		g_autofree char *quoted_part = NULL;
		size_t i;

		if (part == spec && (!key || (!in_brackets && !(key->flags & KEY_NAME_MODIFIER))))
			return COMBO_TEXT;

		if (!key) {
			quoted_spec = quote(spec, len);
			if (part_len == 0) {
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					    "empty key name at offset %zu in key combination %s",
					    (size_t)(part - spec), quoted_spec);
			} else {
				quoted_part = quote(part, part_len);
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					    "unknown key name %s in key combination %s",
					    quoted_part, quoted_spec);
			}
			return COMBO_ERROR;
		}
		for (i = 0; i < n; i++) {
			if (qnums[i] == key->qnum) {
				quoted_spec = quote(spec, len);
				quoted_part = quote(part, part_len);
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					    "key %s appears twice in key combination %s",
					    quoted_part, quoted_spec);
				return COMBO_ERROR;
			}
		}
		if (n == KEY_SEQUENCE_COMBO_MAX) {
			quoted_spec = quote(spec, len);
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "more than %d keys in key combination %s",
				    KEY_SEQUENCE_COMBO_MAX, quoted_spec);
			return COMBO_ERROR;
		}
		qnums[n++] = key->qnum;
		if (!dash)
			break;
		part = dash + 1;
	}
	*n_qnums = n;
	return COMBO_KEYS;
}

static int type_text(const char *text, size_t len, GArray *events, GError **error)
{
	const char *end = text + len;
	const char *p = text;
	size_t position;

	/* position counts characters from 1, as a person would point at them */
	for (position = 1; p < end; position++) {
		unsigned char c = *p;
		gunichar uc;
		uint32_t qnum;
		bool shift;

		if (c == '\n') {
			append_tap(events, QNUM_RETURN, false);
		} else if (c == '\t') {
			append_tap(events, QNUM_TAB, false);
		} else if (c < 0x80) {
			if (keymap_keysym_to_qnum(c, &qnum, &shift) < 0) {
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					    "control character U+%04X at position %zu cannot be "
					    "typed (only \\n and \\t are)",
					    c, position);
				return -EINVAL;
			}
			append_tap(events, qnum, shift);
		} else {
			uc = g_utf8_get_char_validated(p, end - p);
			if (uc == (gunichar)-1 || uc == (gunichar)-2) {
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					    "invalid UTF-8 (byte 0x%02x) at position %zu", c,
					    position);
			} else {
				char utf8[7] = {0};

				g_unichar_to_utf8(uc, utf8);
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					    "character '%s' (U+%04X) at position %zu cannot be "
					    "typed with a US keyboard layout",
					    utf8, uc, position);
			}
			return -EINVAL;
		}
		p++;
	}
	return 0;
}

int key_sequence_parse(const char *arg, GArray *events, GError **error)
{
	uint32_t qnums[KEY_SEQUENCE_COMBO_MAX];
	size_t n_qnums = 0;
	enum combo_result result = COMBO_TEXT;
	size_t len;
	size_t i;
	int ret;

	g_return_val_if_fail(events != NULL, -EINVAL);
	g_return_val_if_fail(g_array_get_element_size(events) == sizeof(struct key_event), -EINVAL);

	if (!arg || arg[0] == '\0') {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "empty argument: nothing to type");
		return -EINVAL;
	}
	len = strnlen(arg, KEY_SEQUENCE_ARG_MAX + 1);
	if (len > KEY_SEQUENCE_ARG_MAX) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "argument longer than %d bytes", KEY_SEQUENCE_ARG_MAX);
		return -EINVAL;
	}

	if (len > 2 && arg[0] == '<' && arg[len - 1] == '>')
		result = parse_combo(arg + 1, len - 2, true, qnums, &n_qnums, error);
	else if (memchr(arg, '-', len))
		result = parse_combo(arg, len, false, qnums, &n_qnums, error);

	switch (result) {
	case COMBO_KEYS:
		for (i = 0; i < n_qnums; i++)
			append_event(events, qnums[i], true);
		for (i = n_qnums; i > 0; i--)
			append_event(events, qnums[i - 1], false);
		return 0;
	case COMBO_ERROR:
		return -EINVAL;
	case COMBO_TEXT:
		break;
	}

	i = events->len;
	ret = type_text(arg, len, events, error);
	if (ret < 0)
		g_array_set_size(events, i);
	return ret;
}
