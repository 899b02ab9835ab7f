/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-common"

#include "common.h"

bool ratelimit_allow(struct ratelimit *limit, uint32_t burst, uint32_t *suppressed)
{
	gint64 now = g_get_monotonic_time();

	*suppressed = 0;
	if (now - limit->window_start >= G_USEC_PER_SEC) {
		*suppressed = limit->suppressed;
		limit->window_start = now;
		limit->count = 0;
		limit->suppressed = 0;
	}
	if (limit->count < burst) {
		limit->count++;
		return true;
	}
	limit->suppressed++;
	return false;
}
