/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast"

#include <stdio.h>
#include <string.h>

#include "server.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"info", cli_info, "show the VM, its consoles and input devices"},
	{"snapshot", cli_snapshot, "write a PNG of a console"},
	{"send-keys", cli_send_keys, "type text or key combinations into the guest"},
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: guestcast COMMAND [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\nADDRESS is a D-Bus bus address (unix:path=/run/vm0/bus), qmp:/path/to/qmp.sock "
		"for a p2p display,\nor fd:N for an inherited p2p socket.\n"
		"Run 'guestcast COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("guestcast %s\n", GUESTCAST_VERSION);
		return 0;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "guestcast: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
