/* SPDX-License-Identifier: MIT */
#pragma once

#include "qemu-glue.h"

struct qemu_console *qemu_console_new(struct qemu_vm *vm, uint32_t id, GError **error);
void qemu_console_free(struct qemu_console *console);
uint32_t qemu_console_get_id(struct qemu_console *console);
GDBusProxy *qemu_console_get_proxy(struct qemu_console *console);
const char *qemu_vm_get_bus_name(struct qemu_vm *vm);

/* The DRM fourcc of a pixman format code QEMU sends, 0 when we do not handle it. */
uint32_t pixman_to_fourcc(uint32_t pixman_format);

enum listener_call {
	LISTENER_SCANOUT,
	LISTENER_UPDATE,
	LISTENER_SCANOUT_DMABUF,
	LISTENER_UPDATE_DMABUF,
	LISTENER_SCANOUT_DMABUF2,
	LISTENER_SCANOUT_MAP,
	LISTENER_UPDATE_MAP,
	LISTENER_DISABLE,
	LISTENER_MOUSE_SET,
	LISTENER_CURSOR_DEFINE,
};

#define CURSOR_MAX_SIDE 512

/* One Listener method call, checked and decoded; data points into the message body. */
struct listener_message {
	enum listener_call call;
	struct rect rect;	/* Update*, MouseSet (x, y) */
	uint32_t width, height; /* Scanout*, CursorDefine */
	uint32_t stride;	/* Scanout, Update, ScanoutDMABUF, ScanoutMap */
	uint32_t fourcc;
	uint64_t modifier;
	bool y0_top;
	bool visible;	      /* MouseSet */
	int32_t hot_x, hot_y; /* CursorDefine */
	const uint8_t *data;  /* Scanout, Update, CursorDefine */
	size_t data_len;
	uint32_t map_offset; /* ScanoutMap */
	uint32_t n_planes;   /* ScanoutDMABUF (1), ScanoutDMABUF2, ScanoutMap (1) */
	int32_t fd_index[FRAME_MAX_PLANES];
	uint32_t offsets[FRAME_MAX_PLANES];
	uint32_t strides[FRAME_MAX_PLANES];
};

/*
 * Decodes and checks the arguments of Listener method `member` against n_fds attached fds.
 * Returns 0, -ENOENT for a method we do not know, or -EINVAL with *field naming the bad
 * argument. Geometry relative to the current surface is checked by the frame store.
 */
int listener_message_parse(const char *member, GVariant *body, uint32_t n_fds,
			   struct listener_message *msg, const char **field);
