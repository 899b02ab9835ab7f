/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-test"

#include "qemu-glue-private.h"

#define XRGB 0x20020888u /* pixman x8r8g8b8 */

static GVariant *bytes(gsize n)
{
	g_autofree guint8 *zero = g_malloc0(n ? n : 1);

	return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, zero, n, 1);
}

static int parse(const char *member, GVariant *body, uint32_t n_fds, const char **field)
{
	struct listener_message m;
	g_autoptr(GVariant) owned = body ? g_variant_ref_sink(body) : NULL;

	return listener_message_parse(member, owned, n_fds, &m, field);
}

static void expect_field(const char *member, GVariant *body, uint32_t n_fds, const char *want)
{
	const char *field = NULL;

	g_assert_cmpint(parse(member, body, n_fds, &field), ==, -EINVAL);
	g_assert_cmpstr(field, ==, want);
}

static void test_scanout(void)
{
	const char *field;
	struct listener_message m;
	g_autoptr(GVariant) ok =
		g_variant_ref_sink(g_variant_new("(uuuu@ay)", 4, 2, 16, XRGB, bytes(32)));

	g_assert_cmpint(listener_message_parse("Scanout", ok, 0, &m, &field), ==, 0);
	g_assert_cmpuint(m.fourcc, ==, FOURCC_XRGB8888);
	g_assert_cmpuint(m.data_len, ==, 32);

	expect_field("Scanout", g_variant_new("(uuuu@ay)", 4, 2, 8, XRGB, bytes(32)), 0, "stride");
	expect_field("Scanout", g_variant_new("(uuuu@ay)", 4, 2, 16, XRGB, bytes(31)), 0, "data");
	expect_field("Scanout", g_variant_new("(uuuu@ay)", 16385, 1, 65540, XRGB, bytes(8)), 0,
		     "width");
	expect_field("Scanout", g_variant_new("(uuuu@ay)", 4, 0, 16, XRGB, bytes(0)), 0, "height");
	expect_field("Scanout", g_variant_new("(uuuu@ay)", 4, 2, 16, 0xdeadu, bytes(32)), 0,
		     "pixman_format");
	/* The last row need not be padded. */
	g_assert_cmpint(
		parse("Scanout", g_variant_new("(uuuu@ay)", 4, 2, 32, XRGB, bytes(48)), 0, &field),
		==, 0);
	expect_field("Scanout", g_variant_new("(uuuu)", 4, 2, 16, XRGB), 0, "signature");
}

static void test_cursor(void)
{
	const char *field;

	g_assert_cmpint(
		parse("CursorDefine", g_variant_new("(iiii@ay)", 2, 2, 1, 1, bytes(16)), 0, &field),
		==, 0);
	expect_field("CursorDefine", g_variant_new("(iiii@ay)", 2, 2, 1, 1, bytes(15)), 0, "data");
	expect_field("CursorDefine", g_variant_new("(iiii@ay)", -2, 2, 1, 1, bytes(16)), 0,
		     "width");
	expect_field("CursorDefine", g_variant_new("(iiii@ay)", 2, 2, 2, 1, bytes(16)), 0, "hot_x");
	expect_field("CursorDefine", g_variant_new("(iiii@ay)", 4096, 4096, 0, 0, bytes(16)), 0,
		     "width");
}

static void test_dmabuf(void)
{
	const char *field;
	const gint32 fds[2] = {0, 1};
	const guint32 off[2] = {0, 0}, str[2] = {4096, 4096};
	struct listener_message m;
	g_autoptr(GVariant) two = NULL;

	g_assert_cmpint(parse("ScanoutDMABUF",
			      g_variant_new("(huuuutb)", 0, 1024, 768, 4096, FOURCC_XRGB8888,
					    (guint64)0, TRUE),
			      1, &field),
			==, 0);
	expect_field(
		"ScanoutDMABUF",
		g_variant_new("(huuuutb)", 3, 1024, 768, 4096, FOURCC_XRGB8888, (guint64)0, TRUE),
		1, "dmabuf");
	expect_field(
		"ScanoutDMABUF",
		g_variant_new("(huuuutb)", 0, 1024, 768, 1024, FOURCC_XRGB8888, (guint64)0, TRUE),
		1, "stride");
	expect_field("ScanoutDMABUF",
		     g_variant_new("(huuuutb)", 0, 1024, 768, 4096, 0x3231564eu /* NV12 */,
				   (guint64)0, TRUE),
		     1, "fourcc");

	/* ScanoutDMABUF2: the visible sub-rectangle folds into plane 0's offset. */
	two = g_variant_ref_sink(g_variant_new(
		"(@ahuuuu@au@auuuuutb)",
		g_variant_new_fixed_array(G_VARIANT_TYPE_HANDLE, fds, 1, sizeof(gint32)), 8, 2, 800,
		600, g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, off, 1, 4),
		g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, str, 1, 4), 1, FOURCC_XRGB8888,
		1024, 768, (guint64)0, TRUE));
	g_assert_cmpint(listener_message_parse("ScanoutDMABUF2", two, 1, &m, &field), ==, 0);
	g_assert_cmpuint(m.offsets[0], ==, 2 * 4096 + 8 * 4);
	g_assert_cmpuint(m.width, ==, 800);
	expect_field("ScanoutDMABUF2",
		     g_variant_new("(@ahuuuu@au@auuuuutb)",
				   g_variant_new_fixed_array(G_VARIANT_TYPE_HANDLE, fds, 2, 4), 0,
				   0, 800, 600,
				   g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, off, 1, 4),
				   g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, str, 1, 4), 1,
				   FOURCC_XRGB8888, 1024, 768, (guint64)0, TRUE),
		     2, "num_planes");
	expect_field("ScanoutDMABUF2",
		     g_variant_new("(@ahuuuu@au@auuuuutb)",
				   g_variant_new_fixed_array(G_VARIANT_TYPE_HANDLE, fds, 1, 4), 500,
				   0, 800, 600,
				   g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, off, 1, 4),
				   g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, str, 1, 4), 1,
				   FOURCC_XRGB8888, 1024, 768, (guint64)0, TRUE),
		     1, "width");
}

static void test_map_and_unknown(void)
{
	const char *field;

	g_assert_cmpint(
		parse("ScanoutMap", g_variant_new("(huuuuu)", 0, 0, 64, 64, 256, XRGB), 1, &field),
		==, 0);
	expect_field("ScanoutMap", g_variant_new("(huuuuu)", 0, 0, 64, 64, 256, XRGB), 0, "handle");
	g_assert_cmpint(parse("Frobnicate", g_variant_new("()"), 0, &field), ==, -ENOENT);
	g_assert_cmpint(parse("Disable", NULL, 0, &field), ==, 0);
	g_assert_cmpuint(pixman_to_fourcc(0x10020565u), ==, FOURCC_RGB565);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/listener-message/scanout", test_scanout);
	g_test_add_func("/listener-message/cursor", test_cursor);
	g_test_add_func("/listener-message/dmabuf", test_dmabuf);
	g_test_add_func("/listener-message/map-and-unknown", test_map_and_unknown);
	return g_test_run();
}
