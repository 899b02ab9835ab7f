/* SPDX-License-Identifier: MIT */
#define G_LOG_DOMAIN "guestcast-qemu-glue"

#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <json-glib/json-glib.h>

#include "qemu-glue.h"

#define QMP_LINE_MAX	(64 * 1024)
#define QMP_TIMEOUT_SEC 5
#define QMP_FDNAME	"guestcast-dbus"

int qmp_reply_parse(const char *line, size_t len, char **error_text, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(GError) local = NULL;
	JsonObject *obj, *err;
	JsonNode *root;

	*error_text = NULL;
	if (len > QMP_LINE_MAX || !json_parser_load_from_data(parser, line, (gssize)len, &local)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "QMP sent a line that is not JSON: %s",
			    local ? local->message : "too long");
		return -EINVAL;
	}
	root = json_parser_get_root(parser);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "QMP sent a JSON value that is not an object");
		return -EINVAL;
	}
	obj = json_node_get_object(root);
	if (json_object_has_member(obj, "return"))
		return 1;
	if (json_object_has_member(obj, "error")) {
		JsonNode *node = json_object_get_member(obj, "error");
		const char *desc = NULL;

		err = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
		if (err && json_object_has_member(err, "desc") &&
		    JSON_NODE_HOLDS_VALUE(json_object_get_member(err, "desc")) &&
		    json_node_get_value_type(json_object_get_member(err, "desc")) == G_TYPE_STRING)
			desc = json_object_get_string_member(err, "desc");
		*error_text = g_strdup(desc ? desc : "unspecified error");
		return 1;
	}
	if (json_object_has_member(obj, "event") || json_object_has_member(obj, "QMP"))
		return 0;
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
		    "QMP sent an object that is neither a reply nor an event");
	return -EINVAL;
}

struct qmp_conn {
	int fd;
	GString *buf;
	const char *path;
};

/* Reads until one complete line is buffered; returns its length (without '\n'). */
static gssize read_line(struct qmp_conn *c, GError **error)
{
	char chunk[4096];

	for (;;) {
		char *nl = memchr(c->buf->str, '\n', c->buf->len);
		ssize_t n;

		if (nl)
			return nl - c->buf->str;
		if (c->buf->len > QMP_LINE_MAX) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "QMP at %s sent a line longer than %d bytes", c->path,
				    QMP_LINE_MAX);
			return -1;
		}
		n = read(c->fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			g_set_error(error, G_IO_ERROR,
				    n == 0 ? G_IO_ERROR_CLOSED : G_IO_ERROR_TIMED_OUT,
				    "QMP at %s: %s", c->path,
				    n == 0 ? "connection closed by QEMU" : g_strerror(errno));
			return -1;
		}
		g_string_append_len(c->buf, chunk, n);
	}
}

/* Sends one command (with an fd attached when fd >= 0) and waits for its reply. */
static int execute(struct qmp_conn *c, const char *command, int fd, GError **error)
{
	struct iovec iov = {.iov_base = (void *)command, .iov_len = strlen(command)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

	if (fd >= 0) {
		struct cmsghdr *cmsg;

		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	if (sendmsg(c->fd, &msg, MSG_NOSIGNAL) != (ssize_t)iov.iov_len) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "QMP at %s: send: %s",
			    c->path, g_strerror(errno));
		return -EIO;
	}
	for (;;) {
		g_autofree char *error_text = NULL;
		gssize len = read_line(c, error);
		int ret;

		if (len < 0)
			return -EIO;
		ret = qmp_reply_parse(c->buf->str, (size_t)len, &error_text, error);
		g_string_erase(c->buf, 0, len + 1);
		if (ret < 0)
			return ret;
		if (ret == 0)
			continue;
		if (error_text) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "QMP at %s refused: %s",
				    c->path, error_text);
			return -EPERM;
		}
		return 0;
	}
}

static int qmp_connect(const char *path, GError **error)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = QMP_TIMEOUT_SEC};
	autoclose_fd int fd = -1;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "QMP socket path '%s' is too long", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
			    "cannot connect to QMP socket %s: %s", path, g_strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return steal_fd(&fd);
}

int qmp_open_dbus_p2p(const char *qmp_path, GError **error)
{
	autoclose_fd int qmp = qmp_connect(qmp_path, error);
	autoclose_fd int ours = -1;
	autoclose_fd int theirs = -1;
	g_autoptr(GString) buf = g_string_new(NULL);
	struct qmp_conn c = {.fd = qmp, .buf = buf, .path = qmp_path};
	g_autoptr(GError) local = NULL;
	int pair[2];
	gssize len;

	if (qmp < 0)
		return -1;
	/* The greeting comes first. */
	len = read_line(&c, error);
	if (len < 0)
		return -1;
	g_string_erase(buf, 0, len + 1);
	if (execute(&c, "{\"execute\": \"qmp_capabilities\"}\n", -1, error) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "socketpair: %s",
			    g_strerror(errno));
		return -1;
	}
	ours = pair[0];
	theirs = pair[1];
	if (execute(&c,
		    "{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"" QMP_FDNAME "\"}}\n",
		    theirs, error) < 0)
		return -1;
	if (execute(&c,
		    "{\"execute\": \"add_client\", \"arguments\": {\"protocol\": "
		    "\"@dbus-display\", \"fdname\": \"" QMP_FDNAME "\"}}\n",
		    -1, &local) < 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "%s (is QEMU started with -display dbus,p2p=yes?)", local->message);
		return -1;
	}
	return steal_fd(&ours);
}
