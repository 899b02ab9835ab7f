/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-test"

#include <linux/input-event-codes.h>
#include <string.h>

#include <gio/gio.h>

#include "keymap.h"

/* Beyond every evdev keyboard code (KEY_MAX is 0x2ff). */
#define EVDEV_SCAN_END 0x300

static void test_evdev_round_trip(void)
{
	uint32_t evdev;
	unsigned int mapped = 0;

	for (evdev = 0; evdev < EVDEV_SCAN_END; evdev++) {
		uint32_t qnum = keymap_evdev_to_qnum(evdev);

		if (qnum == 0)
			continue;
		mapped++;
		g_assert_cmphex(qnum, <=, 0xff);
		/* what the guest reports for that qnum is the key we meant */
		g_assert_cmpuint(keymap_qnum_to_evdev(qnum), ==, evdev);
	}
	/* PC-105 plus keypad, F13-F24, Japanese/Korean and media keys */
	g_assert_cmpuint(mapped, >=, 140);
}

static void test_evdev_known_values(void)
{
	static const struct {
		uint32_t evdev;
		uint32_t qnum;
	} known[] = {
		{KEY_ESC, 0x01},
		{KEY_A, 0x1e},
		{KEY_Z, 0x2c},
		{KEY_ENTER, 0x1c},
		{KEY_LEFTCTRL, 0x1d},
		{KEY_RIGHTCTRL, 0x9d},
		{KEY_LEFTALT, 0x38},
		{KEY_RIGHTALT, 0xb8},
		{KEY_KPENTER, 0x9c},
		{KEY_KPSLASH, 0xb5},
		{KEY_UP, 0xc8},
		{KEY_DOWN, 0xd0},
		{KEY_LEFT, 0xcb},
		{KEY_RIGHT, 0xcd},
		{KEY_HOME, 0xc7},
		{KEY_END, 0xcf},
		{KEY_PAGEUP, 0xc9},
		{KEY_PAGEDOWN, 0xd1},
		{KEY_INSERT, 0xd2},
		{KEY_DELETE, 0xd3},
		{KEY_LEFTMETA, 0xdb},
		{KEY_RIGHTMETA, 0xdc},
		{KEY_COMPOSE, 0xdd},
		{KEY_SYSRQ, 0x54},
		{KEY_PAUSE, 0xc6},
		{KEY_102ND, 0x56},
		{KEY_F1, 0x3b},
		{KEY_F10, 0x44},
		{KEY_F11, 0x57},
		{KEY_F12, 0x58},
		{KEY_NUMLOCK, 0x45},
		{KEY_KPDOT, 0x53},
		{KEY_RO, 0x73},
		{KEY_YEN, 0x7d},
		{KEY_HENKAN, 0x79},
		{KEY_MUHENKAN, 0x7b},
		{KEY_KATAKANAHIRAGANA, 0x70},
		{KEY_MUTE, 0xa0},
		{KEY_VOLUMEUP, 0xb0},
		{KEY_VOLUMEDOWN, 0xae},
		{KEY_POWER, 0xde},
		{KEY_PLAYPAUSE, 0xa2},
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(known); i++) {
		if (keymap_evdev_to_qnum(known[i].evdev) != known[i].qnum)
			g_test_message("evdev %u", known[i].evdev);
		g_assert_cmphex(keymap_evdev_to_qnum(known[i].evdev), ==, known[i].qnum);
	}

	g_assert_cmphex(keymap_evdev_to_qnum(KEY_HANGEUL), !=, 0);
	g_assert_cmphex(keymap_evdev_to_qnum(KEY_HANJA), !=, 0);
	g_assert_cmphex(keymap_evdev_to_qnum(KEY_F24), !=, 0);
	g_assert_cmphex(keymap_evdev_to_qnum(KEY_RESERVED), ==, 0);
	g_assert_cmphex(keymap_evdev_to_qnum(BTN_LEFT), ==, 0);
	g_assert_cmphex(keymap_evdev_to_qnum(UINT32_MAX), ==, 0);

	/* a Linux guest reports PrintScreen (E0 37) as KEY_SYSRQ */
	g_assert_cmpuint(keymap_qnum_to_evdev(0xb7), ==, KEY_SYSRQ);
	g_assert_cmpuint(keymap_qnum_to_evdev(0), ==, 0);
	g_assert_cmpuint(keymap_qnum_to_evdev(0x100 | 0x1e), ==, 0);
}

static void test_codes_distinct(void)
{
	bool seen[0x100] = {false};
	const char *code;
	const char *prev = NULL;
	size_t i;

	for (i = 0; (code = keymap_code_nth(i)); i++) {
		uint32_t qnum = keymap_code_to_qnum(code);

		if (qnum == 0 || seen[qnum])
			g_test_message("code %s", code);
		/* also proves the table is sorted: bsearch finds every entry */
		g_assert_cmphex(qnum, !=, 0);
		g_assert_cmphex(qnum, <=, 0xff);
		g_assert_false(seen[qnum]);
		seen[qnum] = true;
		/* every key a browser can send reaches a Linux guest as some key */
		g_assert_cmpuint(keymap_qnum_to_evdev(qnum), !=, 0);
		if (prev)
			g_assert_cmpint(strcmp(prev, code), <, 0);
		prev = code;
	}
	g_assert_cmpuint(i, >=, 140);
}

static void test_codes_known_values(void)
{
	g_assert_cmphex(keymap_code_to_qnum("KeyA"), ==, 0x1e);
	g_assert_cmphex(keymap_code_to_qnum("Digit1"), ==, 0x02);
	g_assert_cmphex(keymap_code_to_qnum("Digit0"), ==, 0x0b);
	g_assert_cmphex(keymap_code_to_qnum("Enter"), ==, 0x1c);
	g_assert_cmphex(keymap_code_to_qnum("ShiftLeft"), ==, 0x2a);
	g_assert_cmphex(keymap_code_to_qnum("AltRight"), ==, 0xb8);
	g_assert_cmphex(keymap_code_to_qnum("MetaLeft"), ==, 0xdb);
	g_assert_cmphex(keymap_code_to_qnum("IntlBackslash"), ==, 0x56);
	g_assert_cmphex(keymap_code_to_qnum("IntlRo"), ==, 0x73);
	g_assert_cmphex(keymap_code_to_qnum("IntlYen"), ==, 0x7d);
	g_assert_cmphex(keymap_code_to_qnum("Numpad0"), ==, 0x52);
	g_assert_cmphex(keymap_code_to_qnum("Numpad7"), ==, 0x47);
	g_assert_cmphex(keymap_code_to_qnum("NumpadEnter"), ==, 0x9c);
	g_assert_cmphex(keymap_code_to_qnum("NumpadDecimal"), ==, 0x53);
	g_assert_cmphex(keymap_code_to_qnum("F1"), ==, 0x3b);
	g_assert_cmphex(keymap_code_to_qnum("F12"), ==, 0x58);
	g_assert_cmphex(keymap_code_to_qnum("F24"), ==, keymap_evdev_to_qnum(KEY_F24));
	g_assert_cmphex(keymap_code_to_qnum("ArrowUp"), ==, 0xc8);
	g_assert_cmphex(keymap_code_to_qnum("PrintScreen"), ==, 0xb7);
	g_assert_cmphex(keymap_code_to_qnum("Pause"), ==, 0xc6);
	g_assert_cmphex(keymap_code_to_qnum("ContextMenu"), ==, 0xdd);
	g_assert_cmphex(keymap_code_to_qnum("AudioVolumeMute"), ==, 0xa0);

	/* KeyboardEvent.code is case-sensitive */
	g_assert_cmphex(keymap_code_to_qnum("keya"), ==, 0);
	g_assert_cmphex(keymap_code_to_qnum("Unidentified"), ==, 0);
	g_assert_cmphex(keymap_code_to_qnum(""), ==, 0);
	g_assert_cmphex(keymap_code_to_qnum(NULL), ==, 0);
	g_assert_cmphex(keymap_code_to_qnum("KeyAKeyAKeyAKeyAKeyAKeyAKeyAKeyAKeyA"), ==, 0);

	g_assert_cmpstr(keymap_qnum_name(0x1e), ==, "KeyA");
	g_assert_cmpstr(keymap_qnum_name(0x9d), ==, "ControlRight");
	g_assert_null(keymap_qnum_name(0));
}

/* KEY_F<n>: the evdev function keys come in three runs */
static uint32_t evdev_f_key(uint32_t n)
{
	if (n <= 10)
		return KEY_F1 + n - 1;
	if (n <= 12)
		return KEY_F11 + n - 11;
	return KEY_F13 + n - 13;
}

static void test_keysyms(void)
{
	static const struct {
		uint32_t keysym;
		uint32_t qnum;
		bool shift;
	} known[] = {
		{'a', 0x1e, false},    {'A', 0x1e, true},     {'z', 0x2c, false},
		{'1', 0x02, false},    {'!', 0x02, true},     {'@', 0x03, true},
		{'0', 0x0b, false},    {')', 0x0b, true},     {' ', 0x39, false},
		{'`', 0x29, false},    {'~', 0x29, true},     {'\\', 0x2b, false},
		{'|', 0x2b, true},     {'"', 0x28, true},     {'\'', 0x28, false},
		{'<', 0x33, true},     {'?', 0x35, true},     {'_', 0x0c, true},
		{0xff0d, 0x1c, false}, {0xff08, 0x0e, false}, {0xff09, 0x0f, false},
		{0xff1b, 0x01, false}, {0xffff, 0xd3, false}, {0xff50, 0xc7, false},
		{0xff57, 0xcf, false}, {0xff52, 0xc8, false}, {0xff55, 0xc9, false},
		{0xff56, 0xd1, false}, {0xff63, 0xd2, false}, {0xffbe, 0x3b, false},
		{0xffc9, 0x58, false}, {0xffe1, 0x2a, false}, {0xffe2, 0x36, false},
		{0xffe3, 0x1d, false}, {0xffe4, 0x9d, false}, {0xffe9, 0x38, false},
		{0xffea, 0xb8, false}, {0xffeb, 0xdb, false}, {0xfe03, 0xb8, false},
		{0xffe5, 0x3a, false}, {0xff7f, 0x45, false}, {0xff14, 0x46, false},
		{0xff61, 0xb7, false}, {0xff13, 0xc6, false}, {0xff67, 0xdd, false},
		{0xff8d, 0x9c, false}, {0xffb0, 0x52, false}, {0xffaf, 0xb5, false},
	};
	uint32_t keysym;
	uint32_t qnum;
	bool shift;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(known); i++) {
		qnum = 0;
		shift = !known[i].shift;
		g_assert_cmpint(keymap_keysym_to_qnum(known[i].keysym, &qnum, &shift), ==, 0);
		if (qnum != known[i].qnum || shift != known[i].shift)
			g_test_message("keysym 0x%x", known[i].keysym);
		g_assert_cmphex(qnum, ==, known[i].qnum);
		g_assert_cmpint(shift, ==, known[i].shift);
	}

	/* every printable ASCII character can be typed, and F1-F24 all exist */
	for (keysym = 0x20; keysym <= 0x7e; keysym++)
		g_assert_cmpint(keymap_keysym_to_qnum(keysym, &qnum, &shift), ==, 0);
	for (keysym = 0xffbe; keysym <= 0xffd5; keysym++) {
		g_assert_cmpint(keymap_keysym_to_qnum(keysym, &qnum, &shift), ==, 0);
		g_assert_cmpuint(keymap_qnum_to_evdev(qnum), ==, evdev_f_key(keysym - 0xffbe + 1));
	}

	g_assert_cmpint(keymap_keysym_to_qnum(0x1f, &qnum, &shift), ==, -ENOENT);
	g_assert_cmpint(keymap_keysym_to_qnum(0x7f, &qnum, &shift), ==, -ENOENT);
	g_assert_cmpint(keymap_keysym_to_qnum(0xe9 /* eacute */, &qnum, &shift), ==, -ENOENT);
	g_assert_cmpint(keymap_keysym_to_qnum(0x20ac /* EuroSign */, &qnum, &shift), ==, -ENOENT);
	g_assert_cmpint(keymap_keysym_to_qnum(0, &qnum, &shift), ==, -ENOENT);
}

static GArray *parse_ok(const char *arg)
{
	GArray *events = g_array_new(FALSE, FALSE, sizeof(struct key_event));
	g_autoptr(GError) error = NULL;
	g_autofree char *escaped = g_strescape(arg, NULL);

	g_test_message("parsing \"%s\"", escaped);
	g_assert_cmpint(key_sequence_parse(arg, events, &error), ==, 0);
	g_assert_no_error(error);
	return events;
}

/* expected: qnum, then 1 for down / 0 for up, repeated; terminated by 0 */
static void assert_events(GArray *events, const uint32_t *expected)
{
	size_t n = 0;

	while (expected[2 * n])
		n++;
	g_assert_cmpuint(events->len, ==, n);
	for (size_t i = 0; i < n; i++) {
		const struct key_event *event = &g_array_index(events, struct key_event, i);

		if (event->qnum != expected[2 * i] || event->down != expected[2 * i + 1])
			g_test_message("event %zu", i);
		g_assert_cmphex(event->qnum, ==, expected[2 * i]);
		g_assert_cmpint(event->down, ==, expected[2 * i + 1]);
	}
}

static void assert_parses_to(const char *arg, const uint32_t *expected)
{
	g_autoptr(GArray) events = parse_ok(arg);

	assert_events(events, expected);
}

static void test_sequence_keyspec(void)
{
	static const uint32_t ctrl_alt_delete[] = {0x1d, 1,    0x38, 1,	   0xd3, 1, 0xd3,
						   0,	 0x38, 0,    0x1d, 0,	 0};
	static const uint32_t ret[] = {0x1c, 1, 0x1c, 0, 0};
	static const uint32_t shift_f10[] = {0x2a, 1, 0x44, 1, 0x44, 0, 0x2a, 0, 0};
	static const uint32_t ctrl_c[] = {0x1d, 1, 0x2e, 1, 0x2e, 0, 0x1d, 0, 0};
	static const uint32_t alt_sysrq_b[] = {0x38, 1,	   0x54, 1,    0x30, 1, 0x30,
					       0,    0x54, 0,	 0x38, 0,    0};
	static const uint32_t f1[] = {0x3b, 1, 0x3b, 0, 0};
	static const uint32_t super_up[] = {0xdb, 1, 0xc8, 1, 0xc8, 0, 0xdb, 0, 0};
	static const uint32_t altgr_kp_enter[] = {0xb8, 1, 0x9c, 1, 0x9c, 0, 0xb8, 0, 0};
	static const uint32_t pause[] = {0xc6, 1, 0xc6, 0, 0};
	static const uint32_t a_b[] = {0x1e, 1, 0x30, 1, 0x30, 0, 0x1e, 0, 0};

	assert_parses_to("ctrl-alt-delete", ctrl_alt_delete);
	assert_parses_to("<ctrl-alt-delete>", ctrl_alt_delete);
	assert_parses_to("CTRL-Alt-Del", ctrl_alt_delete);
	assert_parses_to("control-alt-del", ctrl_alt_delete);
	assert_parses_to("<ret>", ret);
	assert_parses_to("<enter>", ret);
	assert_parses_to("<RETURN>", ret);
	assert_parses_to("shift-f10", shift_f10);
	assert_parses_to("ctrl-c", ctrl_c);
	assert_parses_to("alt-sysrq-b", alt_sysrq_b);
	assert_parses_to("<f1>", f1);
	assert_parses_to("win-up", super_up);
	assert_parses_to("super-up", super_up);
	assert_parses_to("meta_l-up", super_up);
	assert_parses_to("altgr-kp_enter", altgr_kp_enter);
	assert_parses_to("<pause>", pause);
	/* in brackets any known key may start a combination */
	assert_parses_to("<a-b>", a_b);
}

static void test_sequence_text(void)
{
	static const uint32_t hi[] = {0x2a, 1, 0x23, 1, 0x23, 0, 0x2a, 0, /* H */
				      0x17, 1, 0x17, 0,			  /* i */
				      0x2a, 1, 0x02, 1, 0x02, 0, 0x2a, 0, /* ! */
				      0x1c, 1, 0x1c, 0,			  /* \n */
				      0};
	static const uint32_t tab_tilde[] = {0x0f, 1,	 0x0f, 0,    0x2a, 1, 0x29,
					     1,	   0x29, 0,    0x2a, 0,	   0};
	static const uint32_t lt[] = {0x2a, 1, 0x33, 1, 0x33, 0, 0x2a, 0, 0};
	static const uint32_t lt_gt[] = {0x2a, 1,    0x33, 1,	 0x33, 0,    0x2a, 0, 0x2a,
					 1,    0x34, 1,	   0x34, 0,    0x2a, 0,	   0};
	g_autoptr(GArray) events = NULL;
	GString *expected_word = g_string_new(NULL);

	assert_parses_to("Hi!\n", hi);
	assert_parses_to("\t~", tab_tilde);
	assert_parses_to("<", lt);
	assert_parses_to("<>", lt_gt);

	/* not key combinations: typed as they are, dash included */
	events = parse_ok("well-known");
	g_assert_cmpuint(events->len, ==, 2 * strlen("well-known"));
	g_assert_cmphex(g_array_index(events, struct key_event, 0).qnum, ==, 0x11); /* w */
	g_assert_cmphex(g_array_index(events, struct key_event, 8).qnum, ==, 0x0c); /* - */
	g_clear_pointer(&events, g_array_unref);

	for (const char *text = "a-b 1-2 ret power-up <html> <ret <ctrl-alt"; *text;) {
		const char *space = strchr(text, ' ');
		size_t len = space ? (size_t)(space - text) : strlen(text);
		unsigned int shifted = 0;

		g_string_assign(expected_word, "");
		g_string_append_len(expected_word, text, len);
		for (size_t i = 0; i < len; i++)
			shifted += text[i] == '<' || text[i] == '>';
		events = parse_ok(expected_word->str);
		/* one press and release per character, plus shift around '<' and '>' */
		g_assert_cmpuint(events->len, ==, 2 * len + 2 * shifted);
		g_clear_pointer(&events, g_array_unref);
		text += len + (space ? 1 : 0);
	}
	g_string_free(expected_word, TRUE);

	/* a previous argument's events stay in place */
	events = parse_ok("a");
	g_assert_cmpint(key_sequence_parse("<ret>", events, NULL), ==, 0);
	g_assert_cmpuint(events->len, ==, 4);
	g_assert_cmphex(g_array_index(events, struct key_event, 0).qnum, ==, 0x1e);
	g_assert_cmphex(g_array_index(events, struct key_event, 2).qnum, ==, 0x1c);
}

static void assert_rejected(const char *arg, const char *message_part)
{
	g_autoptr(GArray) events = g_array_new(FALSE, FALSE, sizeof(struct key_event));
	g_autoptr(GError) error = NULL;
	struct key_event earlier = {.qnum = 0x1e, .down = true};

	g_array_append_val(events, earlier);
	g_assert_cmpint(key_sequence_parse(arg, events, &error), ==, -EINVAL);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, message_part));
	/* nothing half-typed is left behind */
	g_assert_cmpuint(events->len, ==, 1);
}

static void test_sequence_rejects(void)
{
	g_autofree char *long_arg = g_strnfill(5000, 'a');
	g_autofree char *max_arg = g_strnfill(4096, 'a');
	g_autoptr(GArray) events = g_array_new(FALSE, FALSE, sizeof(struct key_event));

	assert_rejected("ctrl-", "empty key name");
	assert_rejected("ctrl-alt-delte", "\"delte\"");
	assert_rejected("<ctrl-alt-delte>", "\"delte\"");
	assert_rejected("ctrl--c", "empty key name");
	assert_rejected("ctrl-ctrl", "twice");
	assert_rejected("ctrl-a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q", "more than");
	assert_rejected("\xc3\xa9", "U+00E9");
	assert_rejected("caf\xc3\xa9", "position 4");
	assert_rejected("a\x01", "U+0001");
	assert_rejected("a\r", "position 2");
	assert_rejected("\xff", "invalid UTF-8");
	assert_rejected("", "empty");
	assert_rejected(NULL, "empty");
	assert_rejected(long_arg, "4096");

	/* the bound is inclusive */
	g_assert_cmpint(key_sequence_parse(max_arg, events, NULL), ==, 0);
	g_assert_cmpuint(events->len, ==, 2 * 4096);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/keymap/evdev/round-trip", test_evdev_round_trip);
	g_test_add_func("/keymap/evdev/known-values", test_evdev_known_values);
	g_test_add_func("/keymap/code/distinct", test_codes_distinct);
	g_test_add_func("/keymap/code/known-values", test_codes_known_values);
	g_test_add_func("/keymap/keysym", test_keysyms);
	g_test_add_func("/key-sequence/keyspec", test_sequence_keyspec);
	g_test_add_func("/key-sequence/text", test_sequence_text);
	g_test_add_func("/key-sequence/rejects", test_sequence_rejects);

	return g_test_run();
}
