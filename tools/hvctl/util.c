// SPDX-License-Identifier: GPL-2.0
/*
 * Argument parsing and file helpers shared by the subcommands. Pure
 * functions: no messages, the caller says what was wrong with which
 * option.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvctl.h"

bool parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || x < min || x > max)
		return false;
	*v = x;
	return true;
}

bool parse_size(const char *s, uint64_t *bytes)
{
	char *end;
	unsigned long long x;
	unsigned int shift;

	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno)
		return false;
	switch (toupper((unsigned char)*end)) {
	case 'K':
		shift = 10;
		break;
	case '\0':
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	default:
		return false;
	}
	if (*end) {
		end++;
		/* Accept "512M", "512MB", "512MiB". */
		if (!strcasecmp(end, "ib") || !strcasecmp(end, "b"))
			end += strlen(end);
		if (*end)
			return false;
	}
	if (x > (~0ULL >> shift))
		return false;
	*bytes = x << shift;
	return true;
}

bool parse_cpulist(const char *s, void *setp)
{
	cpu_set_t *set = setp;
	const char *p = s;

	if (!s || !*s)
		return false;
	CPU_ZERO(set);
	while (*p) {
		uint64_t a, b;
		char *end;

		if (!isdigit((unsigned char)*p))
			return false;
		a = strtoull(p, &end, 10);
		b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return false;
			b = strtoull(p, &end, 10);
			p = end;
		}
		if (a > b || b >= CPU_SETSIZE)
			return false;
		for (; a <= b; a++)
			CPU_SET(a, set);
		if (*p == ',') {
			p++;
			if (!*p)
				return false;
		} else if (*p) {
			return false;
		}
	}
	return true;
}

bool valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > 32 || s[0] == '.' || s[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

int read_whole_file(const char *path, uint64_t max, uint8_t **data, size_t *len,
		    char *err, size_t errlen)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		goto err_close;
	}
	if (!S_ISREG(st.st_mode)) {
		e = EINVAL;
		snprintf(err, errlen, "%s: not a regular file", path);
		goto err_close;
	}
	if ((uint64_t)st.st_size > max) {
		e = EFBIG;
		snprintf(err, errlen, "%s: %lld bytes, more than the %llu this can be",
			 path, (long long)st.st_size, (unsigned long long)max);
		goto err_close;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		e = ENOMEM;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		goto err_close;
	}
	while (done < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + done, st.st_size - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			e = r < 0 ? errno : EIO;
			snprintf(err, errlen, "%s: %s", path,
				 r < 0 ? strerror(e) : "file shrank while reading");
			free(buf);
			goto err_close;
		}
		done += r;
	}
	close(fd);
	*data = buf;
	*len = done;
	return 0;

err_close:
	close(fd);
	return -e;
}

void format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;
	uint64_t whole = bytes;

	while (whole >= 1024 && !(whole % 1024) && u < 3) {
		whole /= 1024;
		u++;
	}
	if (u >= 0)
		snprintf(buf, len, "%llu%c", (unsigned long long)whole, units[u]);
	else
		snprintf(buf, len, "%llu", (unsigned long long)whole);
}

bool hex_encode(const void *data, size_t len, char *buf, size_t buflen)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = data;
	size_t i;

	if (!len)
		return snprintf(buf, buflen, "-") == 1;
	if (buflen < 2 * len + 1)
		return false;
	for (i = 0; i < len; i++) {
		buf[2 * i] = digits[p[i] >> 4];
		buf[2 * i + 1] = digits[p[i] & 15];
	}
	buf[2 * len] = '\0';
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *s, char *out, size_t max)
{
	size_t n = 0;

	if (!strcmp(s, "-")) {
		if (max)
			out[0] = '\0';
		return max ? 0 : -1;
	}
	for (; s[0] && s[1]; s += 2) {
		int hi = hex_digit(s[0]), lo = hex_digit(s[1]);

		if (hi < 0 || lo < 0 || !(hi | lo) || n + 1 >= max)
			return -1;
		out[n++] = (char)(hi << 4 | lo);
	}
	if (s[0] || !n || n >= max)
		return -1;
	out[n] = '\0';
	return (int)n;
}
