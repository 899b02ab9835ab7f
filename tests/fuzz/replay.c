/* SPDX-License-Identifier: MIT */
/*
 * Replays a fuzz target's seed corpus as an ordinary test: every file of the directories (or
 * files) on the command line goes through LLVMFuzzerTestOneInput once.
 */
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	g_autofree char *data = NULL;
	gsize len;

	if (!g_file_get_contents(path, &data, &len, NULL)) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	return 0;
}

int main(int argc, char **argv)
{
	int n = 0, failed = 0;

	for (int i = 1; i < argc; i++) {
		g_autoptr(GDir) dir = g_dir_open(argv[i], 0, NULL);
		const char *name;

		if (!dir) {
			failed += replay_file(argv[i]);
			n++;
			continue;
		}
		while ((name = g_dir_read_name(dir))) {
			g_autofree char *path = g_build_filename(argv[i], name, NULL);

			failed += replay_file(path);
			n++;
		}
	}
	printf("replayed %d inputs\n", n);
	return failed || n == 0 ? 1 : 0;
}
