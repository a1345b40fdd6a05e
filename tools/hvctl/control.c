// SPDX-License-Identifier: GPL-2.0
/*
 * Control socket, both ends (control.h). Plain text, one line each way,
 * so that `socat - UNIX-CONNECT:/run/hvctl/vm1.sock` works for debugging.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "hvctl.h"

#define CONTROL_DIR_DEFAULT	"/run/hvctl"

const char *control_dir(void)
{
	const char *d = getenv("HVCTL_RUN_DIR");

	return d && *d ? d : CONTROL_DIR_DEFAULT;
}

int control_path(const char *name, char *buf, size_t len, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int n = snprintf(buf, len, "%s/%s.sock", control_dir(), name);

	if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket path %s/%s.sock is too long", control_dir(), name);
		return -1;
	}
	return 0;
}

static int control_connect(const char *path, int *fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 40 };
	int s, e;

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		close(s);
		return -e;
	}
	/*
	 * A pause waits up to 5 s for the VPs, a shutdown 10 s for the guest,
	 * a KVP exchange 35 s.
	 */
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	*fd = s;
	return 0;
}

/* Read up to a newline; returns the length, or -errno. */
static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		ssize_t r = read(fd, buf + n, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0 || buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return (int)n;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int control_request(const char *name, const char *request, char *reply, size_t len,
		    char *err, size_t errlen)
{
	char path[256], line[CONTROL_LINE_MAX];
	int fd, ret;

	if (control_path(name, path, sizeof(path), err, errlen))
		return -ENAMETOOLONG;
	ret = control_connect(path, &fd);
	if (ret == -ENOENT) {
		snprintf(err, errlen, "no partition named '%s' is running (no %s)", name, path);
		return ret;
	}
	if (ret == -ECONNREFUSED) {
		snprintf(err, errlen, "'%s' is not running (stale socket %s)", name, path);
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	snprintf(line, sizeof(line), "%s\n", request);
	ret = write_all(fd, line, strlen(line));
	if (!ret)
		ret = read_line(fd, reply, len);
	close(fd);
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (ret == 0) {
		snprintf(err, errlen, "%s: the worker closed the connection without a reply", path);
		return -EPIPE;
	}
	return 0;
}

int control_listen(const char *name, char *path, size_t pathlen, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *dir = control_dir();
	int s, e, probe;

	if (control_path(name, path, pathlen, err, errlen))
		return -ENAMETOOLONG;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		e = errno;
		snprintf(err, errlen, "cannot create %s: %s (set HVCTL_RUN_DIR to another directory)",
			 dir, strerror(e));
		return -e;
	}
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		e = errno;
		snprintf(err, errlen, "socket: %s", strerror(e));
		return -e;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		goto bound;
	if (errno == EADDRINUSE) {
		/* Someone's socket: alive, or left behind by a killed worker? */
		if (control_connect(path, &probe) == 0) {
			close(probe);
			close(s);
			snprintf(err, errlen, "a partition named '%s' is already running (%s)", name, path);
			return -EADDRINUSE;
		}
		unlink(path);
		if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			goto bound;
	}
	e = errno;
	snprintf(err, errlen, "%s: %s", path, strerror(e));
	close(s);
	return -e;

bound:
	chmod(path, 0600);
	if (listen(s, 8) < 0) {
		e = errno;
		snprintf(err, errlen, "%s: listen: %s", path, strerror(e));
		close(s);
		unlink(path);
		return -e;
	}
	return s;
}

int control_read_request(int fd, char *buf, size_t len)
{
	struct timeval tv = { .tv_sec = 2 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return read_line(fd, buf, len);
}

void control_reply(int fd, const char *fmt, ...)
{
	char line[CONTROL_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n] = '\n';
	write_all(fd, line, (size_t)n + 1);
}

/* Wait until NAME's socket stops answering: its worker has exited. */
static bool control_wait_gone(const char *name, unsigned int seconds)
{
	char reply[CONTROL_LINE_MAX], err[512];
	unsigned int i;

	for (i = 0; i < seconds * 10; i++) {
		if (control_request(name, "status", reply, sizeof(reply), err, sizeof(err)))
			return true;
		usleep(100 * 1000);
	}
	return false;
}

int control_command(int argc, char **argv, const char *request, const char *help,
		    unsigned int wait)
{
	char reply[CONTROL_LINE_MAX], err[512];
	const char *cmd = argv[0], *name;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: hvctl %s NAME\n\n%s", cmd, help);
		return 0;
	}
	if (argc < 2)
		return hvctl_usage_error(cmd, "a partition NAME is required");
	if (argv[1][0] == '-')
		return hvctl_usage_error(cmd, "unknown option '%s'", argv[1]);
	if (argc > 2)
		return hvctl_usage_error(cmd, "unexpected argument '%s'", argv[2]);
	name = argv[1];
	if (!valid_name(name)) {
		hvctl_err("'%s' is not a partition name", name);
		return HVCTL_EXIT_ERROR;
	}
	if (control_request(name, request, reply, sizeof(reply), err, sizeof(err))) {
		hvctl_err("%s", err);
		return HVCTL_EXIT_ERROR;
	}
	if (strncmp(reply, "ok", 2) || (reply[2] != '\0' && reply[2] != ' ')) {
		hvctl_err("%s: %s: %s", name, request,
			  strncmp(reply, "error ", 6) ? reply : reply + 6);
		return HVCTL_EXIT_ERROR;
	}
	hvctl_info("%s: %s: %s", name, request, reply);
	if (wait && !control_wait_gone(name, wait)) {
		hvctl_err("%s: still running %u s after '%s'", name, wait, request);
		return HVCTL_EXIT_ERROR;
	}
	return 0;
}
