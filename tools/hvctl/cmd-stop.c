// SPDX-License-Identifier: GPL-2.0
/* hvctl stop NAME: forced power off, as pulling the plug. */
#include "control.h"
#include "hvctl.h"

#define STOP_WAIT_SECONDS	10

int cmd_stop(int argc, char **argv)
{
	return control_command(argc, argv, "stop",
			       "Turns partition NAME off at once, without asking the guest (its\n"
			       "'hvctl run' exits with status 3). Waits up to 10 s for the worker\n"
			       "to exit. 'hvctl shutdown' asks the guest first.\n",
			       STOP_WAIT_SECONDS);
}
