/* SPDX-License-Identifier: MIT */
/*
 * qemu-glue: everything that talks to QEMU's D-Bus display — connecting (bus, p2p over QMP,
 * inherited fd), VM and console discovery, the Listener that fills a frame store, cursor,
 * input, and a reconnecting wrapper for the daemon.
 */
#pragma once

#include <gio/gio.h>

#include "common.h"

/* ---- addresses ----------------------------------------------------------------------------- */

enum qemu_address_kind {
	QEMU_ADDRESS_BUS, /* a D-Bus message bus address: unix:path=/run/vm0/bus */
	QEMU_ADDRESS_QMP, /* qmp:/run/vm0/qmp.sock: p2p through QMP add_client */
	QEMU_ADDRESS_FD,  /* fd:N: an inherited, already connected p2p socket */
};

struct qemu_address {
	enum qemu_address_kind kind;
	char *value; /* the bus address or the QMP socket path */
	int fd;
};

/* Parses ADDRESS as the CLI and config take it. Returns 0 or -EINVAL with error set. */
int qemu_address_parse(const char *text, struct qemu_address *address, GError **error);
void qemu_address_clear(struct qemu_address *address);

/* ---- QMP (just what p2p needs) ------------------------------------------------------------- */

/*
 * Parses one line QEMU's monitor sent. Returns 1 for a reply to our command (0 when it was
 * {"return": ...}, filling *error_text for {"error": ...}), 0 for an event or the greeting
 * (skip it), -EINVAL for anything else (error set).
 */
int qmp_reply_parse(const char *line, size_t len, char **error_text, GError **error);

/* Connects to a QMP socket and hands QEMU one end of a new p2p D-Bus socket; returns ours. */
int qmp_open_dbus_p2p(const char *qmp_path, GError **error);

/* ---- VM and consoles ----------------------------------------------------------------------- */

struct qemu_vm;
struct qemu_console;

/*
 * Connects to QEMU's D-Bus display at address. On a shared bus several VMs may be queued for
 * the name org.qemu: select (name or UUID, may be NULL when there is only one) picks one.
 * Errors (unreachable address, no display, no such VM) have a message for a person.
 */
struct qemu_vm *qemu_vm_connect(const char *address, const char *select, GError **error);
void qemu_vm_destroy(struct qemu_vm *vm);
const char *qemu_vm_get_name(struct qemu_vm *vm);
const char *qemu_vm_get_uuid(struct qemu_vm *vm);
guint qemu_vm_get_n_consoles(struct qemu_vm *vm);
/* Index into the console list (not QEMU's console id); NULL when out of range. */
struct qemu_console *qemu_vm_get_console(struct qemu_vm *vm, guint index);
/* The console with QEMU's id, NULL when there is none. */
struct qemu_console *qemu_vm_find_console(struct qemu_vm *vm, uint32_t id);
GDBusConnection *qemu_vm_get_connection(struct qemu_vm *vm);

typedef void (*qemu_vm_closed_fn)(void *data, const char *reason);
/* Called once on the main context when QEMU goes away (exit, crash, connection lost). */
void qemu_vm_set_closed_handler(struct qemu_vm *vm, qemu_vm_closed_fn fn, void *data);

struct qemu_console_info {
	uint32_t id;
	const char *label;
	const char *type; /* "Graphic" or "Text" */
	uint32_t head;
	uint32_t width, height;
	const char *device_address;
	bool has_keyboard;
	bool has_mouse;
	bool mouse_absolute;
	uint32_t keyboard_modifiers;
};

/* Current values; the strings live as long as the console. */
void qemu_console_get_info(struct qemu_console *console, struct qemu_console_info *info);

/* ---- input --------------------------------------------------------------------------------- */

enum qemu_mouse_button {
	QEMU_MOUSE_BUTTON_LEFT = 0,
	QEMU_MOUSE_BUTTON_MIDDLE = 1,
	QEMU_MOUSE_BUTTON_RIGHT = 2,
	QEMU_MOUSE_BUTTON_WHEEL_UP = 3,
	QEMU_MOUSE_BUTTON_WHEEL_DOWN = 4,
	QEMU_MOUSE_BUTTON_SIDE = 5,
	QEMU_MOUSE_BUTTON_EXTRA = 6,
};

/* Input calls are fire-and-forget (QEMU's own UIs do the same); they return -ENODEV once the
 * console is gone and -EINVAL for values out of range. */
int qemu_console_key(struct qemu_console *console, uint32_t qnum, bool down);
int qemu_console_button(struct qemu_console *console, enum qemu_mouse_button button, bool down);
/* Wheel notches: positive scrolls up. */
int qemu_console_wheel(struct qemu_console *console, int notches);
/*
 * Moves the pointer to (x, y) in a space_width x space_height view of the console (a viewer's
 * picture), scaled to the current surface. With a relative-only guest mouse this becomes the
 * motion from the last position.
 */
int qemu_console_move(struct qemu_console *console, int32_t x, int32_t y, uint32_t space_width,
		      uint32_t space_height);
int qemu_console_move_relative(struct qemu_console *console, int32_t dx, int32_t dy);
/* Asks the guest for a new resolution (virtio-gpu honours it). */
int qemu_console_set_ui_info(struct qemu_console *console, uint32_t width, uint32_t height);
/* Synchronous key press for scripts: waits for QEMU to take each event. */
int qemu_console_key_sync(struct qemu_console *console, uint32_t qnum, bool down, GError **error);

/* ---- the Listener -------------------------------------------------------------------------- */

struct qemu_cursor {
	gint refcount;
	int32_t width, height, hot_x, hot_y;
	uint8_t *argb; /* width * height * 4 bytes, premultiplied ARGB32 as QEMU sends it */
};

struct qemu_cursor *qemu_cursor_ref(struct qemu_cursor *cursor);
void qemu_cursor_unref(struct qemu_cursor *cursor);

struct qemu_listener_callbacks {
	/* All on the main context. Any may be NULL. */
	void (*on_cursor_define)(void *data, struct qemu_cursor *cursor);
	void (*on_mouse_set)(void *data, int32_t x, int32_t y, bool visible);
	void (*on_closed)(void *data);
};

struct qemu_listener_stats {
	uint64_t messages;     /* frame messages taken off the socket */
	uint64_t rejected;     /* messages refused as invalid */
	uint64_t replies_late; /* UpdateDMABUF replies sent by the safety deadline */
	uint64_t replies;      /* UpdateDMABUF replies sent */
};

struct qemu_listener;

/*
 * Registers a Listener on console; QEMU's frames go into store (which must outlive the
 * listener). Returns NULL with error set. The registration completes asynchronously; QEMU
 * replays the current picture as soon as it has.
 */
struct qemu_listener *qemu_listener_create(struct qemu_console *console, struct frame_store *store,
					   const struct qemu_listener_callbacks *callbacks,
					   void *data, GError **error);
void qemu_listener_destroy(struct qemu_listener *listener);
void qemu_listener_get_stats(struct qemu_listener *listener, struct qemu_listener_stats *stats);
/* The longest a dmabuf frame may be held before the reply goes out anyway. */
#define QEMU_LISTENER_REPLY_DEADLINE_MS 300

/* ---- the reconnecting display used by the daemon ------------------------------------------ */

struct qemu_display_callbacks {
	/* The VM is (again) reachable. It stays valid until on_disconnected. */
	void (*on_connected)(void *data, struct qemu_vm *vm);
	void (*on_disconnected)(void *data, const char *reason);
};

struct qemu_display;

/* Connects in the background and keeps reconnecting with backoff while QEMU is away. */
struct qemu_display *qemu_display_create(const char *address, const char *select,
					 const struct qemu_display_callbacks *callbacks,
					 void *data);
void qemu_display_destroy(struct qemu_display *display);
/* NULL while disconnected. */
struct qemu_vm *qemu_display_get_vm(struct qemu_display *display);

/* ---- keymaps ------------------------------------------------------------------------------- */

#include "keymap.h"
