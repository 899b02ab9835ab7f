/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-qemu-glue"

#include "qemu-glue-private.h"

#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 5000

struct qemu_display {
	char *address;
	char *select;
	struct qemu_display_callbacks callbacks;
	void *data;
	struct qemu_vm *vm;
	guint retry_id;
	guint backoff_ms;
	char *last_error;
};

static void schedule_connect(struct qemu_display *d);

static gboolean on_drop_vm(gpointer data)
{
	qemu_vm_destroy(data);
	return G_SOURCE_REMOVE;
}

static void on_vm_closed(void *data, const char *reason)
{
	struct qemu_display *d = data;

	/* We are inside the VM's own signal handler: free it from an idle. */
	g_idle_add(on_drop_vm, g_steal_pointer(&d->vm));
	if (d->callbacks.on_disconnected)
		d->callbacks.on_disconnected(d->data, reason);
	d->backoff_ms = BACKOFF_MIN_MS;
	schedule_connect(d);
}

static gboolean on_connect(gpointer data)
{
	struct qemu_display *d = data;
	g_autoptr(GError) error = NULL;

	d->retry_id = 0;
	d->vm = qemu_vm_connect(d->address, d->select, &error);
	if (!d->vm) {
		/* Say it once per distinct failure, not once per retry. */
		if (g_strcmp0(d->last_error, error->message) != 0) {
			g_message("waiting for QEMU: %s", error->message);
			g_free(d->last_error);
			d->last_error = g_strdup(error->message);
		}
		d->backoff_ms = MIN(d->backoff_ms * 2, BACKOFF_MAX_MS);
		schedule_connect(d);
		return G_SOURCE_REMOVE;
	}
	g_clear_pointer(&d->last_error, g_free);
	g_message("connected to QEMU at %s: VM '%s' with %u console(s)", d->address,
		  qemu_vm_get_name(d->vm), qemu_vm_get_n_consoles(d->vm));
	qemu_vm_set_closed_handler(d->vm, on_vm_closed, d);
	if (d->callbacks.on_connected)
		d->callbacks.on_connected(d->data, d->vm);
	return G_SOURCE_REMOVE;
}

static void schedule_connect(struct qemu_display *d)
{
	if (!d->retry_id)
		d->retry_id = g_timeout_add(d->backoff_ms, on_connect, d);
}

struct qemu_display *qemu_display_create(const char *address, const char *select,
					 const struct qemu_display_callbacks *callbacks, void *data)
{
	struct qemu_display *d = g_new0(struct qemu_display, 1);

	d->address = g_strdup(address);
	d->select = g_strdup(select);
	if (callbacks)
		d->callbacks = *callbacks;
	d->data = data;
	d->backoff_ms = BACKOFF_MIN_MS / 2;
	d->retry_id = g_idle_add(on_connect, d);
	return d;
}

void qemu_display_destroy(struct qemu_display *d)
{
	if (!d)
		return;
	if (d->retry_id)
		g_source_remove(d->retry_id);
	qemu_vm_destroy(d->vm);
	g_free(d->address);
	g_free(d->select);
	g_free(d->last_error);
	g_free(d);
}

struct qemu_vm *qemu_display_get_vm(struct qemu_display *d)
{
	return d->vm;
}
