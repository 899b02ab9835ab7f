/* SPDX-License-Identifier: MIT */
/*
 * server: the guestcast daemon and its command-line tools.
 */
#pragma once

#include "common.h"
#include "qemu-glue.h"

/* Exit status for a wrong address, a missing display, an unknown console, bad usage. */
#define EXIT_USAGE 2

int cli_info(int argc, char **argv);
int cli_snapshot(int argc, char **argv);
int cli_send_keys(int argc, char **argv);

/* Writes a frame (any storage the CPU can read) as an 8-bit RGB PNG. */
int png_write_frame(struct frame *frame, const char *path, GError **error);

/*
 * Connects for a command-line tool: prints one clear message and returns NULL on failure.
 * console_id selects the console (QEMU's id); *console gets it.
 */
struct qemu_vm *cli_connect(const char *address, const char *vm, uint32_t console_id,
			    struct qemu_console **console);
