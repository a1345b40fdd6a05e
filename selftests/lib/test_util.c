// SPDX-License-Identifier: GPL-2.0
/* Host helpers: small sysfs/debugfs/tracefs file access, a clock. */
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

int read_file(const char *path, char *buf, size_t len)
{
	size_t done = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done + 1 < len) {
		r = read(fd, buf + done, len - 1 - done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			return r;
		}
		if (!r)
			break;
		done += r;
	}
	buf[done] = '\0';
	close(fd);
	return done;
}

int write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t r;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write(fd, s, len);
	if (r < 0)
		r = -errno;
	close(fd);
	if (r < 0)
		return r;
	return (size_t)r == len ? 0 : -EIO;
}

int read_file_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	int r;

	r = read_file(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

uint64_t time_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}
