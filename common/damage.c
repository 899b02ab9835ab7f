/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-common"

#include "common.h"

bool rect_clip(struct rect *r, uint32_t width, uint32_t height)
{
	int64_t x0 = r->x, y0 = r->y;
	int64_t x1 = x0 + r->w, y1 = y0 + r->h;

	if (r->w <= 0 || r->h <= 0)
		goto empty;
	x0 = MAX(x0, 0);
	y0 = MAX(y0, 0);
	x1 = MIN(x1, (int64_t)width);
	y1 = MIN(y1, (int64_t)height);
	if (x1 <= x0 || y1 <= y0)
		goto empty;
	*r = (struct rect){(int32_t)x0, (int32_t)y0, (int32_t)(x1 - x0), (int32_t)(y1 - y0)};
	return true;
empty:
	*r = (struct rect){0, 0, 0, 0};
	return false;
}

void damage_clear(struct damage *damage)
{
	damage->n = 0;
}

bool damage_empty(const struct damage *damage)
{
	return damage->n == 0;
}

static struct rect rect_union(const struct rect *a, const struct rect *b)
{
	int32_t x0 = MIN(a->x, b->x), y0 = MIN(a->y, b->y);
	int32_t x1 = MAX(a->x + a->w, b->x + b->w), y1 = MAX(a->y + a->h, b->y + b->h);

	return (struct rect){x0, y0, x1 - x0, y1 - y0};
}

static bool rect_contains(const struct rect *outer, const struct rect *inner)
{
	return inner->x >= outer->x && inner->y >= outer->y &&
	       inner->x + inner->w <= outer->x + outer->w &&
	       inner->y + inner->h <= outer->y + outer->h;
}

struct rect damage_extents(const struct damage *damage)
{
	struct rect ext = {0, 0, 0, 0};

	for (uint32_t i = 0; i < damage->n; i++)
		ext = i == 0 ? damage->rects[0] : rect_union(&ext, &damage->rects[i]);
	return ext;
}

uint64_t damage_area(const struct damage *damage)
{
	uint64_t area = 0;

	for (uint32_t i = 0; i < damage->n; i++)
		area += (uint64_t)damage->rects[i].w * (uint64_t)damage->rects[i].h;
	return area;
}

/* Callers pass rectangles already clipped to a surface, so sums cannot overflow. */
void damage_add(struct damage *damage, const struct rect *rect)
{
	uint32_t out = 0;

	if (rect->w <= 0 || rect->h <= 0)
		return;
	for (uint32_t i = 0; i < damage->n; i++) {
		if (rect_contains(&damage->rects[i], rect))
			return;
	}
	/* Drop what the new rectangle covers, so repeated full repaints stay one rectangle. */
	for (uint32_t i = 0; i < damage->n; i++) {
		if (!rect_contains(rect, &damage->rects[i]))
			damage->rects[out++] = damage->rects[i];
	}
	damage->n = out;
	if (damage->n == DAMAGE_MAX_RECTS) {
		struct rect ext = rect_union(&damage->rects[0], rect);

		for (uint32_t i = 1; i < damage->n; i++)
			ext = rect_union(&ext, &damage->rects[i]);
		damage->rects[0] = ext;
		damage->n = 1;
		return;
	}
	damage->rects[damage->n++] = *rect;
}

void damage_union(struct damage *damage, const struct damage *other)
{
	for (uint32_t i = 0; i < other->n; i++)
		damage_add(damage, &other->rects[i]);
}
