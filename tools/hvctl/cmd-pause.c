// SPDX-License-Identifier: GPL-2.0
/* hvctl pause NAME: stop every VP of a running partition until resumed. */
#include "control.h"
#include "hvctl.h"

int cmd_pause(int argc, char **argv)
{
	return control_command(argc, argv, "pause",
			       "Stops every VP of partition NAME where it is; memory and devices\n"
			       "keep their state. Returns once all VPs are out of the guest.\n"
			       "'hvctl resume NAME' continues.\n", 0);
}
