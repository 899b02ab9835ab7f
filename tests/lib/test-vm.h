/* SPDX-License-Identifier: MIT */
/*
 * Real QEMU for integration tests and benchmarks: a private dbus-daemon and QEMU under TCG,
 * either the bundled test guest or just the firmware screen.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

struct test_vm_options {
	const char *name;
	bool guest;	    /* boot tests/guest (else: firmware only, no disk) */
	bool p2p;	    /* -display dbus,p2p=yes with a QMP socket, else a private bus */
	const char *append; /* extra kernel command line for the guest */
	const char *device; /* display device, default virtio-vga */
	const char *bus;    /* join this existing bus address instead of starting one */
};

struct test_vm {
	struct test_vm_options options;
	char *dir;
	char *address; /* what guestcast takes: the bus address or qmp:PATH */
	char *serial_path;
	GSubprocess *dbus;
	GSubprocess *qemu;
};

/* Starts everything and waits until QEMU's display answers; NULL (with a message) on error. */
struct test_vm *test_vm_start(const struct test_vm_options *options);
/* Starts QEMU again on the same bus / QMP path (after test_vm_kill_qemu). */
bool test_vm_start_qemu(struct test_vm *vm);
void test_vm_kill_qemu(struct test_vm *vm);
void test_vm_destroy(struct test_vm *vm);

/* Current length of the serial log: pass it to test_vm_wait_serial to look only at newer lines. */
size_t test_vm_serial_mark(struct test_vm *vm);
/* Waits (running the default main context) for a serial line starting with prefix. */
bool test_vm_wait_serial(struct test_vm *vm, size_t mark, const char *prefix, int timeout_ms);

typedef bool (*test_condition_fn)(void *data);
/* Iterates the default main context until cond holds or timeout_ms passes. */
bool test_wait(test_condition_fn cond, void *data, int timeout_ms);
