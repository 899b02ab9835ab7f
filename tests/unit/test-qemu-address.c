/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-test"

#include <string.h>

#include "qemu-glue.h"

static void test_address_kinds(void)
{
	struct qemu_address a;
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(qemu_address_parse("unix:path=/run/vm0/bus", &a, NULL), ==, 0);
	g_assert_cmpint(a.kind, ==, QEMU_ADDRESS_BUS);
	qemu_address_clear(&a);
	g_assert_cmpint(qemu_address_parse("qmp:/run/vm0/qmp.sock", &a, NULL), ==, 0);
	g_assert_cmpint(a.kind, ==, QEMU_ADDRESS_QMP);
	g_assert_cmpstr(a.value, ==, "/run/vm0/qmp.sock");
	qemu_address_clear(&a);
	g_assert_cmpint(qemu_address_parse("fd:7", &a, NULL), ==, 0);
	g_assert_cmpint(a.fd, ==, 7);

	g_assert_cmpint(qemu_address_parse("/run/vm0/bus", &a, &error), ==, -EINVAL);
	g_assert_nonnull(strstr(error->message, "/run/vm0/bus"));
	g_clear_error(&error);
	g_assert_cmpint(qemu_address_parse("fd:-1", &a, &error), ==, -EINVAL);
	g_clear_error(&error);
	g_assert_cmpint(qemu_address_parse("fd:12x", &a, &error), ==, -EINVAL);
	g_clear_error(&error);
	g_assert_cmpint(qemu_address_parse("qmp:", &a, &error), ==, -EINVAL);
	g_clear_error(&error);
	g_assert_cmpint(qemu_address_parse("", &a, &error), ==, -EINVAL);
}

static void test_qmp_replies(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	const char *greeting = "{\"QMP\": {\"version\": {}, \"capabilities\": []}}";
	const char *ok = "{\"return\": {}}";
	const char *err = "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no display\"}}";
	const char *event = "{\"event\": \"RESUME\", \"timestamp\": {}}";

	g_assert_cmpint(qmp_reply_parse(greeting, strlen(greeting), &text, NULL), ==, 0);
	g_assert_cmpint(qmp_reply_parse(event, strlen(event), &text, NULL), ==, 0);
	g_assert_cmpint(qmp_reply_parse(ok, strlen(ok), &text, NULL), ==, 1);
	g_assert_null(text);
	g_assert_cmpint(qmp_reply_parse(err, strlen(err), &text, NULL), ==, 1);
	g_assert_cmpstr(text, ==, "no display");
	g_clear_pointer(&text, g_free);
	g_assert_cmpint(qmp_reply_parse("[1,2]", 5, &text, &error), ==, -EINVAL);
	g_clear_error(&error);
	g_assert_cmpint(qmp_reply_parse("{\"return\"", 9, &text, &error), ==, -EINVAL);
	g_clear_error(&error);
	g_assert_cmpint(qmp_reply_parse("{\"x\": 1}", 8, &text, &error), ==, -EINVAL);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/qemu-address/kinds", test_address_kinds);
	g_test_add_func("/qemu-address/qmp-replies", test_qmp_replies);
	return g_test_run();
}
