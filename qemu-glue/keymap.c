/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-qemu-glue"

#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>

#include "keymap.h"

/* Longest KeyboardEvent.code we accept ("MediaTrackPrevious" is 18). */
#define KEYMAP_CODE_MAX 32

struct evdev_key {
	uint16_t evdev;
	uint8_t qnum;
};

/*
 * Sorted by evdev code. Each row maps both ways: qnum -> evdev is what a Linux guest reports
 * for that scancode. F13-F24 and Hangeul/Hanja use the numbers QEMU's qnum table gives them,
 * not the ones a few real keyboards send.
 */
static const struct evdev_key evdev_keys[] = {
	{KEY_ESC, 0x01},	{KEY_1, 0x02},
	{KEY_2, 0x03},		{KEY_3, 0x04},
	{KEY_4, 0x05},		{KEY_5, 0x06},
	{KEY_6, 0x07},		{KEY_7, 0x08},
	{KEY_8, 0x09},		{KEY_9, 0x0a},
	{KEY_0, 0x0b},		{KEY_MINUS, 0x0c},
	{KEY_EQUAL, 0x0d},	{KEY_BACKSPACE, 0x0e},
	{KEY_TAB, 0x0f},	{KEY_Q, 0x10},
	{KEY_W, 0x11},		{KEY_E, 0x12},
	{KEY_R, 0x13},		{KEY_T, 0x14},
	{KEY_Y, 0x15},		{KEY_U, 0x16},
	{KEY_I, 0x17},		{KEY_O, 0x18},
	{KEY_P, 0x19},		{KEY_LEFTBRACE, 0x1a},
	{KEY_RIGHTBRACE, 0x1b}, {KEY_ENTER, 0x1c},
	{KEY_LEFTCTRL, 0x1d},	{KEY_A, 0x1e},
	{KEY_S, 0x1f},		{KEY_D, 0x20},
	{KEY_F, 0x21},		{KEY_G, 0x22},
	{KEY_H, 0x23},		{KEY_J, 0x24},
	{KEY_K, 0x25},		{KEY_L, 0x26},
	{KEY_SEMICOLON, 0x27},	{KEY_APOSTROPHE, 0x28},
	{KEY_GRAVE, 0x29},	{KEY_LEFTSHIFT, 0x2a},
	{KEY_BACKSLASH, 0x2b},	{KEY_Z, 0x2c},
	{KEY_X, 0x2d},		{KEY_C, 0x2e},
	{KEY_V, 0x2f},		{KEY_B, 0x30},
	{KEY_N, 0x31},		{KEY_M, 0x32},
	{KEY_COMMA, 0x33},	{KEY_DOT, 0x34},
	{KEY_SLASH, 0x35},	{KEY_RIGHTSHIFT, 0x36},
	{KEY_KPASTERISK, 0x37}, {KEY_LEFTALT, 0x38},
	{KEY_SPACE, 0x39},	{KEY_CAPSLOCK, 0x3a},
	{KEY_F1, 0x3b},		{KEY_F2, 0x3c},
	{KEY_F3, 0x3d},		{KEY_F4, 0x3e},
	{KEY_F5, 0x3f},		{KEY_F6, 0x40},
	{KEY_F7, 0x41},		{KEY_F8, 0x42},
	{KEY_F9, 0x43},		{KEY_F10, 0x44},
	{KEY_NUMLOCK, 0x45},	{KEY_SCROLLLOCK, 0x46},
	{KEY_KP7, 0x47},	{KEY_KP8, 0x48},
	{KEY_KP9, 0x49},	{KEY_KPMINUS, 0x4a},
	{KEY_KP4, 0x4b},	{KEY_KP5, 0x4c},
	{KEY_KP6, 0x4d},	{KEY_KPPLUS, 0x4e},
	{KEY_KP1, 0x4f},	{KEY_KP2, 0x50},
	{KEY_KP3, 0x51},	{KEY_KP0, 0x52},
	{KEY_KPDOT, 0x53},	{KEY_ZENKAKUHANKAKU, 0x76},
	{KEY_102ND, 0x56},	{KEY_F11, 0x57},
	{KEY_F12, 0x58},	{KEY_RO, 0x73},
	{KEY_KATAKANA, 0x78},	{KEY_HIRAGANA, 0x77},
	{KEY_HENKAN, 0x79},	{KEY_KATAKANAHIRAGANA, 0x70},
	{KEY_MUHENKAN, 0x7b},	{KEY_KPJPCOMMA, 0x5c},
	{KEY_KPENTER, 0x9c},	{KEY_RIGHTCTRL, 0x9d},
	{KEY_KPSLASH, 0xb5},	{KEY_SYSRQ, 0x54},
	{KEY_RIGHTALT, 0xb8},	{KEY_HOME, 0xc7},
	{KEY_UP, 0xc8},		{KEY_PAGEUP, 0xc9},
	{KEY_LEFT, 0xcb},	{KEY_RIGHT, 0xcd},
	{KEY_END, 0xcf},	{KEY_DOWN, 0xd0},
	{KEY_PAGEDOWN, 0xd1},	{KEY_INSERT, 0xd2},
	{KEY_DELETE, 0xd3},	{KEY_MUTE, 0xa0},
	{KEY_VOLUMEDOWN, 0xae}, {KEY_VOLUMEUP, 0xb0},
	{KEY_POWER, 0xde},	{KEY_KPEQUAL, 0x59},
	{KEY_PAUSE, 0xc6},	{KEY_KPCOMMA, 0x7e},
	{KEY_HANGEUL, 0xf2},	{KEY_HANJA, 0xf1},
	{KEY_YEN, 0x7d},	{KEY_LEFTMETA, 0xdb},
	{KEY_RIGHTMETA, 0xdc},	{KEY_COMPOSE, 0xdd},
	{KEY_STOP, 0xe8},	{KEY_CALC, 0xa1},
	{KEY_SLEEP, 0xdf},	{KEY_WAKEUP, 0xe3},
	{KEY_MAIL, 0xec},	{KEY_BOOKMARKS, 0xe6},
	{KEY_COMPUTER, 0xeb},	{KEY_BACK, 0xea},
	{KEY_FORWARD, 0xe9},	{KEY_NEXTSONG, 0x99},
	{KEY_PLAYPAUSE, 0xa2},	{KEY_PREVIOUSSONG, 0x90},
	{KEY_STOPCD, 0xa4},	{KEY_HOMEPAGE, 0xb2},
	{KEY_REFRESH, 0xe7},	{KEY_F13, 0x5d},
	{KEY_F14, 0x5e},	{KEY_F15, 0x5f},
	{KEY_F16, 0x55},	{KEY_F17, 0x83},
	{KEY_F18, 0xf7},	{KEY_F19, 0x84},
	{KEY_F20, 0x5a},	{KEY_F21, 0x74},
	{KEY_F22, 0xf9},	{KEY_F23, 0x6d},
	{KEY_F24, 0x6f},	{KEY_SEARCH, 0xe5},
	{KEY_MEDIA, 0xed},
};

/* Keys a Linux guest reports under another evdev code than the one that maps to them. */
static const struct evdev_key guest_aliases[] = {
	{KEY_SYSRQ, 0xb7}, /* PrintScreen (E0 37): atkbd reports it as SysRq */
};

struct code_key {
	const char *code;
	uint8_t qnum;
};

/* W3C UI Events KeyboardEvent.code values, sorted by strcmp() for bsearch(). */
static const struct code_key code_keys[] = {
	{"AltLeft", 0x38},
	{"AltRight", 0xb8},
	{"ArrowDown", 0xd0},
	{"ArrowLeft", 0xcb},
	{"ArrowRight", 0xcd},
	{"ArrowUp", 0xc8},
	{"AudioVolumeDown", 0xae},
	{"AudioVolumeMute", 0xa0},
	{"AudioVolumeUp", 0xb0},
	{"Backquote", 0x29},
	{"Backslash", 0x2b},
	{"Backspace", 0x0e},
	{"BracketLeft", 0x1a},
	{"BracketRight", 0x1b},
	{"BrowserBack", 0xea},
	{"BrowserFavorites", 0xe6},
	{"BrowserForward", 0xe9},
	{"BrowserHome", 0xb2},
	{"BrowserRefresh", 0xe7},
	{"BrowserSearch", 0xe5},
	{"BrowserStop", 0xe8},
	{"CapsLock", 0x3a},
	{"Comma", 0x33},
	{"ContextMenu", 0xdd},
	{"ControlLeft", 0x1d},
	{"ControlRight", 0x9d},
	{"Convert", 0x79},
	{"Delete", 0xd3},
	{"Digit0", 0x0b},
	{"Digit1", 0x02},
	{"Digit2", 0x03},
	{"Digit3", 0x04},
	{"Digit4", 0x05},
	{"Digit5", 0x06},
	{"Digit6", 0x07},
	{"Digit7", 0x08},
	{"Digit8", 0x09},
	{"Digit9", 0x0a},
	{"End", 0xcf},
	{"Enter", 0x1c},
	{"Equal", 0x0d},
	{"Escape", 0x01},
	{"F1", 0x3b},
	{"F10", 0x44},
	{"F11", 0x57},
	{"F12", 0x58},
	{"F13", 0x5d},
	{"F14", 0x5e},
	{"F15", 0x5f},
	{"F16", 0x55},
	{"F17", 0x83},
	{"F18", 0xf7},
	{"F19", 0x84},
	{"F2", 0x3c},
	{"F20", 0x5a},
	{"F21", 0x74},
	{"F22", 0xf9},
	{"F23", 0x6d},
	{"F24", 0x6f},
	{"F3", 0x3d},
	{"F4", 0x3e},
	{"F5", 0x3f},
	{"F6", 0x40},
	{"F7", 0x41},
	{"F8", 0x42},
	{"F9", 0x43},
	{"Home", 0xc7},
	{"Insert", 0xd2},
	{"IntlBackslash", 0x56},
	{"IntlRo", 0x73},
	{"IntlYen", 0x7d},
	{"KanaMode", 0x70},
	{"KeyA", 0x1e},
	{"KeyB", 0x30},
	{"KeyC", 0x2e},
	{"KeyD", 0x20},
	{"KeyE", 0x12},
	{"KeyF", 0x21},
	{"KeyG", 0x22},
	{"KeyH", 0x23},
	{"KeyI", 0x17},
	{"KeyJ", 0x24},
	{"KeyK", 0x25},
	{"KeyL", 0x26},
	{"KeyM", 0x32},
	{"KeyN", 0x31},
	{"KeyO", 0x18},
	{"KeyP", 0x19},
	{"KeyQ", 0x10},
	{"KeyR", 0x13},
	{"KeyS", 0x1f},
	{"KeyT", 0x14},
	{"KeyU", 0x16},
	{"KeyV", 0x2f},
	{"KeyW", 0x11},
	{"KeyX", 0x2d},
	{"KeyY", 0x15},
	{"KeyZ", 0x2c},
	{"Lang1", 0xf2},
	{"Lang2", 0xf1},
	{"Lang3", 0x78},
	{"Lang4", 0x77},
	{"Lang5", 0x76},
	{"LaunchApp1", 0xeb},
	{"LaunchApp2", 0xa1},
	{"LaunchMail", 0xec},
	{"MediaPlayPause", 0xa2},
	{"MediaSelect", 0xed},
	{"MediaStop", 0xa4},
	{"MediaTrackNext", 0x99},
	{"MediaTrackPrevious", 0x90},
	{"MetaLeft", 0xdb},
	{"MetaRight", 0xdc},
	{"Minus", 0x0c},
	{"NonConvert", 0x7b},
	{"NumLock", 0x45},
	{"Numpad0", 0x52},
	{"Numpad1", 0x4f},
	{"Numpad2", 0x50},
	{"Numpad3", 0x51},
	{"Numpad4", 0x4b},
	{"Numpad5", 0x4c},
	{"Numpad6", 0x4d},
	{"Numpad7", 0x47},
	{"Numpad8", 0x48},
	{"Numpad9", 0x49},
	{"NumpadAdd", 0x4e},
	{"NumpadComma", 0x7e},
	{"NumpadDecimal", 0x53},
	{"NumpadDivide", 0xb5},
	{"NumpadEnter", 0x9c},
	{"NumpadEqual", 0x59},
	{"NumpadMultiply", 0x37},
	{"NumpadSubtract", 0x4a},
	{"PageDown", 0xd1},
	{"PageUp", 0xc9},
	{"Pause", 0xc6},
	{"Period", 0x34},
	{"Power", 0xde},
	{"PrintScreen", 0xb7},
	{"Quote", 0x28},
	{"ScrollLock", 0x46},
	{"Semicolon", 0x27},
	{"ShiftLeft", 0x2a},
	{"ShiftRight", 0x36},
	{"Slash", 0x35},
	{"Sleep", 0xdf},
	{"Space", 0x39},
	{"Tab", 0x0f},
	{"WakeUp", 0xe3},
};

struct keysym_key {
	uint32_t keysym;
	uint8_t qnum;
	bool shift;
};

struct us_key {
	uint8_t qnum;
	bool shift;
};

#define US_FIRST 0x20
#define US_LAST	 0x7e

/* Printable ASCII on a US layout; Latin-1 keysyms equal their character codes. */
static const struct us_key us_ascii[US_LAST - US_FIRST + 1] = {
	[' ' - US_FIRST] = {0x39, false},  ['!' - US_FIRST] = {0x02, true},
	['"' - US_FIRST] = {0x28, true},   ['#' - US_FIRST] = {0x04, true},
	['$' - US_FIRST] = {0x05, true},   ['%' - US_FIRST] = {0x06, true},
	['&' - US_FIRST] = {0x08, true},   ['\'' - US_FIRST] = {0x28, false},
	['(' - US_FIRST] = {0x0a, true},   [')' - US_FIRST] = {0x0b, true},
	['*' - US_FIRST] = {0x09, true},   ['+' - US_FIRST] = {0x0d, true},
	[',' - US_FIRST] = {0x33, false},  ['-' - US_FIRST] = {0x0c, false},
	['.' - US_FIRST] = {0x34, false},  ['/' - US_FIRST] = {0x35, false},
	['0' - US_FIRST] = {0x0b, false},  ['1' - US_FIRST] = {0x02, false},
	['2' - US_FIRST] = {0x03, false},  ['3' - US_FIRST] = {0x04, false},
	['4' - US_FIRST] = {0x05, false},  ['5' - US_FIRST] = {0x06, false},
	['6' - US_FIRST] = {0x07, false},  ['7' - US_FIRST] = {0x08, false},
	['8' - US_FIRST] = {0x09, false},  ['9' - US_FIRST] = {0x0a, false},
	[':' - US_FIRST] = {0x27, true},   [';' - US_FIRST] = {0x27, false},
	['<' - US_FIRST] = {0x33, true},   ['=' - US_FIRST] = {0x0d, false},
	['>' - US_FIRST] = {0x34, true},   ['?' - US_FIRST] = {0x35, true},
	['@' - US_FIRST] = {0x03, true},   ['A' - US_FIRST] = {0x1e, true},
	['B' - US_FIRST] = {0x30, true},   ['C' - US_FIRST] = {0x2e, true},
	['D' - US_FIRST] = {0x20, true},   ['E' - US_FIRST] = {0x12, true},
	['F' - US_FIRST] = {0x21, true},   ['G' - US_FIRST] = {0x22, true},
	['H' - US_FIRST] = {0x23, true},   ['I' - US_FIRST] = {0x17, true},
	['J' - US_FIRST] = {0x24, true},   ['K' - US_FIRST] = {0x25, true},
	['L' - US_FIRST] = {0x26, true},   ['M' - US_FIRST] = {0x32, true},
	['N' - US_FIRST] = {0x31, true},   ['O' - US_FIRST] = {0x18, true},
	['P' - US_FIRST] = {0x19, true},   ['Q' - US_FIRST] = {0x10, true},
	['R' - US_FIRST] = {0x13, true},   ['S' - US_FIRST] = {0x1f, true},
	['T' - US_FIRST] = {0x14, true},   ['U' - US_FIRST] = {0x16, true},
	['V' - US_FIRST] = {0x2f, true},   ['W' - US_FIRST] = {0x11, true},
	['X' - US_FIRST] = {0x2d, true},   ['Y' - US_FIRST] = {0x15, true},
	['Z' - US_FIRST] = {0x2c, true},   ['[' - US_FIRST] = {0x1a, false},
	['\\' - US_FIRST] = {0x2b, false}, [']' - US_FIRST] = {0x1b, false},
	['^' - US_FIRST] = {0x07, true},   ['_' - US_FIRST] = {0x0c, true},
	['`' - US_FIRST] = {0x29, false},  ['a' - US_FIRST] = {0x1e, false},
	['b' - US_FIRST] = {0x30, false},  ['c' - US_FIRST] = {0x2e, false},
	['d' - US_FIRST] = {0x20, false},  ['e' - US_FIRST] = {0x12, false},
	['f' - US_FIRST] = {0x21, false},  ['g' - US_FIRST] = {0x22, false},
	['h' - US_FIRST] = {0x23, false},  ['i' - US_FIRST] = {0x17, false},
	['j' - US_FIRST] = {0x24, false},  ['k' - US_FIRST] = {0x25, false},
	['l' - US_FIRST] = {0x26, false},  ['m' - US_FIRST] = {0x32, false},
	['n' - US_FIRST] = {0x31, false},  ['o' - US_FIRST] = {0x18, false},
	['p' - US_FIRST] = {0x19, false},  ['q' - US_FIRST] = {0x10, false},
	['r' - US_FIRST] = {0x13, false},  ['s' - US_FIRST] = {0x1f, false},
	['t' - US_FIRST] = {0x14, false},  ['u' - US_FIRST] = {0x16, false},
	['v' - US_FIRST] = {0x2f, false},  ['w' - US_FIRST] = {0x11, false},
	['x' - US_FIRST] = {0x2d, false},  ['y' - US_FIRST] = {0x15, false},
	['z' - US_FIRST] = {0x2c, false},  ['{' - US_FIRST] = {0x1a, true},
	['|' - US_FIRST] = {0x2b, true},   ['}' - US_FIRST] = {0x1b, true},
	['~' - US_FIRST] = {0x29, true},
};

/* Non-character keysyms (X11 keysymdef.h), sorted by keysym for bsearch(). */
static const struct keysym_key keysym_keys[] = {
	{0xfe03, 0xb8, false}, /* ISO_Level3_Shift: AltGr */
	{0xfe20, 0x0f, true},  /* ISO_Left_Tab: Shift+Tab */
	{0xff08, 0x0e, false}, /* BackSpace */
	{0xff09, 0x0f, false}, /* Tab */
	{0xff0d, 0x1c, false}, /* Return */
	{0xff13, 0xc6, false}, /* Pause */
	{0xff14, 0x46, false}, /* Scroll_Lock */
	{0xff15, 0x54, false}, /* Sys_Req */
	{0xff1b, 0x01, false}, /* Escape */
	{0xff50, 0xc7, false}, /* Home */
	{0xff51, 0xcb, false}, /* Left */
	{0xff52, 0xc8, false}, /* Up */
	{0xff53, 0xcd, false}, /* Right */
	{0xff54, 0xd0, false}, /* Down */
	{0xff55, 0xc9, false}, /* Page_Up (Prior) */
	{0xff56, 0xd1, false}, /* Page_Down (Next) */
	{0xff57, 0xcf, false}, /* End */
	{0xff61, 0xb7, false}, /* Print */
	{0xff63, 0xd2, false}, /* Insert */
	{0xff67, 0xdd, false}, /* Menu */
	{0xff6b, 0xc6, false}, /* Break */
	{0xff7f, 0x45, false}, /* Num_Lock */
	{0xff8d, 0x9c, false}, /* KP_Enter */
	{0xff95, 0x47, false}, /* KP_Home */
	{0xff96, 0x4b, false}, /* KP_Left */
	{0xff97, 0x48, false}, /* KP_Up */
	{0xff98, 0x4d, false}, /* KP_Right */
	{0xff99, 0x50, false}, /* KP_Down */
	{0xff9a, 0x49, false}, /* KP_Page_Up */
	{0xff9b, 0x51, false}, /* KP_Page_Down */
	{0xff9c, 0x4f, false}, /* KP_End */
	{0xff9d, 0x4c, false}, /* KP_Begin */
	{0xff9e, 0x52, false}, /* KP_Insert */
	{0xff9f, 0x53, false}, /* KP_Delete */
	{0xffaa, 0x37, false}, /* KP_Multiply */
	{0xffab, 0x4e, false}, /* KP_Add */
	{0xffad, 0x4a, false}, /* KP_Subtract */
	{0xffae, 0x53, false}, /* KP_Decimal */
	{0xffaf, 0xb5, false}, /* KP_Divide */
	{0xffb0, 0x52, false}, /* KP_0 */
	{0xffb1, 0x4f, false}, /* KP_1 */
	{0xffb2, 0x50, false}, /* KP_2 */
	{0xffb3, 0x51, false}, /* KP_3 */
	{0xffb4, 0x4b, false}, /* KP_4 */
	{0xffb5, 0x4c, false}, /* KP_5 */
	{0xffb6, 0x4d, false}, /* KP_6 */
	{0xffb7, 0x47, false}, /* KP_7 */
	{0xffb8, 0x48, false}, /* KP_8 */
	{0xffb9, 0x49, false}, /* KP_9 */
	{0xffbd, 0x59, false}, /* KP_Equal */
	{0xffbe, 0x3b, false}, /* F1 */
	{0xffbf, 0x3c, false}, /* F2 */
	{0xffc0, 0x3d, false}, /* F3 */
	{0xffc1, 0x3e, false}, /* F4 */
	{0xffc2, 0x3f, false}, /* F5 */
	{0xffc3, 0x40, false}, /* F6 */
	{0xffc4, 0x41, false}, /* F7 */
	{0xffc5, 0x42, false}, /* F8 */
	{0xffc6, 0x43, false}, /* F9 */
	{0xffc7, 0x44, false}, /* F10 */
	{0xffc8, 0x57, false}, /* F11 */
	{0xffc9, 0x58, false}, /* F12 */
	{0xffca, 0x5d, false}, /* F13 */
	{0xffcb, 0x5e, false}, /* F14 */
	{0xffcc, 0x5f, false}, /* F15 */
	{0xffcd, 0x55, false}, /* F16 */
	{0xffce, 0x83, false}, /* F17 */
	{0xffcf, 0xf7, false}, /* F18 */
	{0xffd0, 0x84, false}, /* F19 */
	{0xffd1, 0x5a, false}, /* F20 */
	{0xffd2, 0x74, false}, /* F21 */
	{0xffd3, 0xf9, false}, /* F22 */
	{0xffd4, 0x6d, false}, /* F23 */
	{0xffd5, 0x6f, false}, /* F24 */
	{0xffe1, 0x2a, false}, /* Shift_L */
	{0xffe2, 0x36, false}, /* Shift_R */
	{0xffe3, 0x1d, false}, /* Control_L */
	{0xffe4, 0x9d, false}, /* Control_R */
	{0xffe5, 0x3a, false}, /* Caps_Lock */
	{0xffe7, 0xdb, false}, /* Meta_L */
	{0xffe8, 0xdc, false}, /* Meta_R */
	{0xffe9, 0x38, false}, /* Alt_L */
	{0xffea, 0xb8, false}, /* Alt_R */
	{0xffeb, 0xdb, false}, /* Super_L */
	{0xffec, 0xdc, false}, /* Super_R */
	{0xffff, 0xd3, false}, /* Delete */
};

static int compare_evdev(const void *key, const void *member)
{
	uint32_t evdev = *(const uint32_t *)key;
	const struct evdev_key *entry = member;

	return evdev < entry->evdev ? -1 : evdev > entry->evdev;
}

uint32_t keymap_evdev_to_qnum(uint32_t evdev)
{
	const struct evdev_key *entry;

	entry = bsearch(&evdev, evdev_keys, G_N_ELEMENTS(evdev_keys), sizeof(evdev_keys[0]),
			compare_evdev);
	return entry ? entry->qnum : 0;
}

uint32_t keymap_qnum_to_evdev(uint32_t qnum)
{
	size_t i;

	if (qnum == 0 || qnum > 0xff)
		return 0;
	for (i = 0; i < G_N_ELEMENTS(guest_aliases); i++) {
		if (guest_aliases[i].qnum == qnum)
			return guest_aliases[i].evdev;
	}
	for (i = 0; i < G_N_ELEMENTS(evdev_keys); i++) {
		if (evdev_keys[i].qnum == qnum)
			return evdev_keys[i].evdev;
	}
	return 0;
}

static int compare_code(const void *key, const void *member)
{
	const struct code_key *entry = member;

	return strcmp(key, entry->code);
}

uint32_t keymap_code_to_qnum(const char *code)
{
	const struct code_key *entry;

	if (!code || strnlen(code, KEYMAP_CODE_MAX + 1) > KEYMAP_CODE_MAX)
		return 0;
	entry = bsearch(code, code_keys, G_N_ELEMENTS(code_keys), sizeof(code_keys[0]),
			compare_code);
	return entry ? entry->qnum : 0;
}

const char *keymap_code_nth(size_t index)
{
	return index < G_N_ELEMENTS(code_keys) ? code_keys[index].code : NULL;
}

static int compare_keysym(const void *key, const void *member)
{
	uint32_t keysym = *(const uint32_t *)key;
	const struct keysym_key *entry = member;

	return keysym < entry->keysym ? -1 : keysym > entry->keysym;
}

int keymap_keysym_to_qnum(uint32_t keysym, uint32_t *qnum, bool *shift)
{
	const struct keysym_key *entry;
	uint32_t found_qnum;
	bool found_shift;

	if (keysym >= US_FIRST && keysym <= US_LAST) {
		found_qnum = us_ascii[keysym - US_FIRST].qnum;
		found_shift = us_ascii[keysym - US_FIRST].shift;
	} else {
		entry = bsearch(&keysym, keysym_keys, G_N_ELEMENTS(keysym_keys),
				sizeof(keysym_keys[0]), compare_keysym);
		if (!entry)
			return -ENOENT;
		found_qnum = entry->qnum;
		found_shift = entry->shift;
	}
	if (qnum)
		*qnum = found_qnum;
	if (shift)
		*shift = found_shift;
	return 0;
}

const char *keymap_qnum_name(uint32_t qnum)
{
	size_t i;

	if (qnum == 0x54)
		return "SysRq"; /* browsers only know the PrintScreen key (0xb7) */
	for (i = 0; i < G_N_ELEMENTS(code_keys); i++) {
		if (code_keys[i].qnum == qnum)
			return code_keys[i].code;
	}
	return NULL;
}
