/* SPDX-License-Identifier: MIT */
/*
 * Ingest benchmark: the bundled guest repaints every pixel of every frame (guestcast.fullframe=1)
 * at 720p and 1080p under real QEMU 7.2 (TCG); we print frames/s received, the latency from
 * the guest's paint (its stamp) to our consumer, CPU and bytes copied per frame, and both
 * processes' memory while a deliberately slow consumer is attached.
 */
#define G_LOG_DOMAIN "guestcast-bench"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "latency-stamp.h"
#include "qemu-glue.h"
#include "test-vm.h"

#define PHASE_S 6

struct run {
	struct frame_store *store;
	struct frame_consumer *consumer;
	GArray *latency_ms;
	uint64_t frames;
	struct latency_stamp stamp;
	uint16_t last_counter;
	bool slow;
};

static void on_frame(void *data)
{
	struct run *r = data;
	struct frame *f = frame_consumer_take(r->consumer, NULL, NULL);
	struct latency_stamp s = r->stamp;
	gint64 now = g_get_real_time();

	if (!f)
		return;
	if (f->storage == FRAME_STORAGE_SHM && f->fourcc == FOURCC_XRGB8888 &&
	    latency_stamp_read(f->pixels, f->width, f->height, f->stride, &s) == 0 &&
	    (r->frames == 0 || s.counter != r->last_counter)) {
		double ms = (double)(now - (gint64)s.time_us) / 1000.0;

		r->stamp = s;
		r->last_counter = s.counter;
		r->frames++;
		g_array_append_val(r->latency_ms, ms);
	}
	frame_unref(f);
	/* A consumer that needs 100 ms a frame, on the main loop, like a stuck encoder. */
	if (r->slow)
		g_usleep(100 * 1000);
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static long rss_kib(const char *pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%s/status", pid);
	g_autofree char *text = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL) || !(p = strstr(text, "VmRSS:")))
		return 0;
	return strtol(p + 6, NULL, 10);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double percentile(GArray *v, double p)
{
	if (v->len == 0)
		return 0;
	qsort(v->data, v->len, sizeof(double), cmp_double);
	return g_array_index(v, double, MIN(v->len - 1, (guint)(p * v->len)));
}

static bool never(void *data)
{
	return false;
}

static void bench(uint32_t width, uint32_t height)
{
	g_autofree char *device = g_strdup_printf("virtio-vga,xres=%u,yres=%u", width, height);
	struct test_vm_options o = {.name = "guestcast-bench",
				    .guest = true,
				    .append = "guestcast.fullframe=1",
				    .device = device};
	struct test_vm *vm = test_vm_start(&o);
	g_autoptr(GError) error = NULL;
	struct run r = {0};
	struct qemu_vm *qvm;
	struct qemu_listener *listener;
	struct frame_store_stats s0, s1;
	long qemu_peak = 0, self_peak = 0;
	const char *qemu_pid;
	double cpu0, cpu1;
	uint64_t slow_frames;

	if (!vm || !test_vm_wait_serial(vm, 0, "ready", 60000)) {
		printf("%ux%u: the test VM did not start\n", width, height);
		test_vm_destroy(vm);
		return;
	}
	qemu_pid = g_subprocess_get_identifier(vm->qemu);
	qvm = qemu_vm_connect(vm->address, NULL, &error);
	g_assert_no_error(error);
	r.latency_ms = g_array_new(FALSE, FALSE, sizeof(double));
	r.store = frame_store_create(NULL);
	r.consumer = frame_store_add_consumer(r.store, on_frame, &r);
	listener = qemu_listener_create(qemu_vm_get_console(qvm, 0), r.store, NULL, NULL, &error);
	g_assert_no_error(error);
	test_wait(never, NULL, 1500); /* warm up: first frames, resize */

	r.frames = 0;
	g_array_set_size(r.latency_ms, 0);
	frame_store_get_stats(r.store, &s0);
	cpu0 = cpu_seconds();
	test_wait(never, NULL, PHASE_S * 1000);
	cpu1 = cpu_seconds();
	frame_store_get_stats(r.store, &s1);
	printf("%ux%u full-frame repaint, normal consumer (%d s):\n", width, height, PHASE_S);
	printf("  frames/s received           %.1f\n", (double)r.frames / PHASE_S);
	/* The guest's clock starts from the RTC's whole second: only the spread is meaningful. */
	printf("  guest paint -> consumer     spread p95-p50 %.1f ms, p50-min %.1f ms (the guest "
	       "clock's offset from the host hides the absolute value)\n",
	       percentile(r.latency_ms, 0.95) - percentile(r.latency_ms, 0.5),
	       percentile(r.latency_ms, 0.5) - percentile(r.latency_ms, 0.0));
	printf("  CPU per frame (guestcast)   %.2f ms\n",
	       r.frames ? (cpu1 - cpu0) * 1000 / r.frames : 0.0);
	printf("  bytes copied per frame      %.0f (frame is %u bytes; QEMU 7.2 sends whole "
	       "Scanouts, wrapped without a copy)\n",
	       r.frames ? (double)(s1.bytes_copied - s0.bytes_copied) / r.frames : 0.0,
	       width * height * 4);
	printf("  RSS: guestcast %ld KiB, QEMU %ld KiB\n", rss_kib("self"), rss_kib(qemu_pid));

	r.slow = true;
	r.frames = 0;
	for (int i = 0; i < PHASE_S * 10; i++) {
		test_wait(never, NULL, 100);
		qemu_peak = MAX(qemu_peak, rss_kib(qemu_pid));
		self_peak = MAX(self_peak, rss_kib("self"));
	}
	slow_frames = r.frames;
	r.slow = false;
	printf("  with a 100 ms/frame consumer: %.1f frames/s taken, peak RSS guestcast %ld KiB, "
	       "QEMU %ld KiB\n",
	       (double)slow_frames / PHASE_S, self_peak, qemu_peak);

	qemu_listener_destroy(listener);
	frame_store_remove_consumer(r.store, r.consumer);
	frame_store_destroy(r.store);
	g_array_free(r.latency_ms, TRUE);
	qemu_vm_destroy(qvm);
	test_vm_destroy(vm);
}

int main(int argc, char **argv)
{
	bench(1280, 720);
	bench(1920, 1080);
	return 0;
}
