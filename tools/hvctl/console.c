// SPDX-License-Identifier: GPL-2.0
/*
 * Where COM1 is connected (--serial):
 *   stdio  output to stdout, input from stdin. A terminal on stdin loses
 *          line editing and echo (the guest echoes), but keeps ^C, which
 *          stops the partition; the settings are restored at exit. In the
 *          background the terminal is not read.
 *   pty    a new pseudo-terminal whose path is printed on stdout; connect
 *          with e.g. `screen /dev/pts/N`. The worker keeps the slave side
 *          open itself, so output written while nobody is connected waits
 *          there (up to the pty's buffer, then it is dropped and counted)
 *          and the master never reports a hang-up.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "hvctl.h"
#include "vm.h"

static struct termios saved_termios;
static bool termios_saved;
static int pty_master = -1;

static int console_open_pty(struct vm *vm, char *err, size_t errlen)
{
	struct termios t;
	int master, slave;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) || unlockpt(master) ||
	    ptsname_r(master, vm->console_path, sizeof(vm->console_path))) {
		snprintf(err, errlen, "--serial pty: /dev/ptmx: %s", strerror(errno));
		if (master >= 0)
			close(master);
		return -1;
	}
	slave = open(vm->console_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		snprintf(err, errlen, "--serial pty: %s: %s%s", vm->console_path, strerror(errno),
			 errno == ENOENT ? " (is devpts mounted on /dev/pts?)" : "");
		close(master);
		return -1;
	}
	/* A serial line: no echo, no line discipline, 8 bits through. */
	if (!tcgetattr(slave, &t)) {
		cfmakeraw(&t);
		tcsetattr(slave, TCSANOW, &t);
	}
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	pty_master = master;
	vm->console_in = master;
	vm->console_out = master;
	vm->console_hold = slave;
	printf("%s: serial console on %s\n", vm->cfg->name, vm->console_path);
	fflush(stdout);
	return 0;
}

int console_open(struct vm *vm, char *err, size_t errlen)
{
	struct termios t;

	vm->console_in = -1;
	vm->console_out = -1;
	vm->console_hold = -1;
	if (vm->cfg->serial == SERIAL_PTY)
		return console_open_pty(vm, err, errlen);

	vm->console_in = STDIN_FILENO;
	vm->console_out = STDOUT_FILENO;
	snprintf(vm->console_path, sizeof(vm->console_path), "stdio");
	/*
	 * A worker started in the background (`hvctl run ... &`) must leave
	 * the terminal alone: reading it or changing its modes would stop
	 * the worker with SIGTTIN/SIGTTOU. It still writes the console.
	 */
	if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) != getpgrp()) {
		vm->console_in = -1;
		hvctl_info("%s: in the background: COM1 input is not read (use --serial pty)",
			   vm->cfg->name);
		return 0;
	}
	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved_termios)) {
		termios_saved = true;
		t = saved_termios;
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	return 0;
}

void console_close(struct vm *vm)
{
	if (termios_saved) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
		termios_saved = false;
	}
	if (pty_master >= 0)
		close(pty_master);
	pty_master = -1;
	if (vm->console_hold >= 0)
		close(vm->console_hold);
	if (vm->console_dropped)
		hvctl_warn("%s: %llu byte(s) of console output dropped (nobody read the pty)",
			   vm->cfg->name, (unsigned long long)vm->console_dropped);
	vm->console_in = vm->console_out = vm->console_hold = -1;
}

/* Called with dev_lock held (from the UART). */
void console_write(struct vm *vm, const uint8_t *buf, size_t len)
{
	while (len && vm->console_out >= 0) {
		ssize_t n = write(vm->console_out, buf, len);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			vm->console_dropped += len;
			return;
		} else {
			/* stdout went away (EPIPE, EIO): the guest carries on unheard. */
			vm->console_out = -1;
			return;
		}
	}
}
