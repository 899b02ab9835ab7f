/* SPDX-License-Identifier: MIT */
/*
 * Listener arguments as QEMU (or an impostor) could send them: the first byte picks the
 * method, the rest is the message body in D-Bus's GVariant serialisation. Valid messages are
 * applied to a frame store, so the store's bounds checks are fuzzed along with the parser.
 */
#define G_LOG_DOMAIN "guestcast-fuzz"

#include "qemu-glue-private.h"

static const struct {
	const char *member, *signature;
} methods[] = {
	{"Scanout", "(uuuuay)"},
	{"Update", "(iiiiuuay)"},
	{"ScanoutDMABUF", "(huuuutb)"},
	{"UpdateDMABUF", "(iiii)"},
	{"ScanoutDMABUF2", "(ahuuuuauauuuuutb)"},
	{"ScanoutMap", "(huuuuu)"},
	{"UpdateMap", "(iiii)"},
	{"MouseSet", "(iii)"},
	{"CursorDefine", "(iiiiay)"},
	{"Disable", "()"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct frame_store *store;
	struct listener_message m;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GVariant) body = NULL;
	const char *field;
	size_t i;

	if (size < 1)
		return 0;
	if (!store)
		store = frame_store_create(NULL);
	i = data[0] % G_N_ELEMENTS(methods);
	bytes = g_bytes_new(data + 1, size - 1);
	body = g_variant_ref_sink(
		g_variant_new_from_bytes(G_VARIANT_TYPE(methods[i].signature), bytes, FALSE));
	if (listener_message_parse(methods[i].member, body, 2, &m, &field) < 0)
		return 0;
	switch (m.call) {
	case LISTENER_SCANOUT:
		frame_store_set_surface_take(
			store, frame_new_shm_take(m.width, m.height, m.stride, m.fourcc, m.data,
						  m.data_len, g_variant_ref(body),
						  (GDestroyNotify)g_variant_unref));
		break;
	case LISTENER_UPDATE:
		frame_store_update(store, &m.rect, m.data, m.data_len, m.stride, m.fourcc, &field);
		break;
	case LISTENER_UPDATE_DMABUF:
	case LISTENER_UPDATE_MAP:
		frame_store_damage_take(store, &m.rect, NULL, &field);
		break;
	case LISTENER_DISABLE:
		frame_store_disable(store);
		break;
	default:
		break;
	}
	return 0;
}
