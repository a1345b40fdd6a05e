/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket of a running partition: a Unix stream socket at
 * $HVCTL_RUN_DIR/NAME.sock (default /run/hvctl), mode 0600, created by the
 * worker and removed when it exits.
 *
 * Protocol: the client connects, writes one request line, reads one reply
 * line, and the worker closes the connection.
 *   requests: status | pause | resume | stop | shutdown | kvp ... (kvp.h)
 *   replies:  "ok" [key=value ...]  or  "error " message
 * status answers "ok name=N state=running|paused|finishing vps=N
 * memory=BYTES pid=PID uptime=SECONDS serial=stdio|/dev/pts/N".
 */
#ifndef HVPART_TOOLS_HVCTL_CONTROL_H
#define HVPART_TOOLS_HVCTL_CONTROL_H

#include <stddef.h>

#define CONTROL_LINE_MAX	8192	/* a KVP value in hex fits */

const char *control_dir(void);
/* $dir/NAME.sock; -1 with a message if it is too long for a socket. */
int control_path(const char *name, char *buf, size_t len, char *err, size_t errlen);

/*
 * Client: one request, one reply (without the newline). Returns 0, or
 * -errno with a message: -ENOENT no such partition, -ECONNREFUSED its
 * worker is gone (a stale socket).
 */
int control_request(const char *name, const char *request, char *reply, size_t len,
		    char *err, size_t errlen);

/*
 * Worker: create the directory if needed and listen on NAME's socket. A
 * stale socket is replaced; a live one means the name is taken (-EADDRINUSE).
 * Returns the listening fd or -errno with a message.
 */
int control_listen(const char *name, char *path, size_t pathlen, char *err, size_t errlen);

/* Worker: read one request line from an accepted connection (2 s timeout). */
int control_read_request(int fd, char *buf, size_t len);
void control_reply(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * For the commands that take just a partition NAME (pause, resume, stop,
 * shutdown): parse "NAME" or "--help" (printing @help), send @request and
 * report the outcome. With @wait, then wait up to that many seconds for
 * the worker to exit. Returns the exit status.
 */
int control_command(int argc, char **argv, const char *request, const char *help,
		    unsigned int wait);

#endif /* HVPART_TOOLS_HVCTL_CONTROL_H */
