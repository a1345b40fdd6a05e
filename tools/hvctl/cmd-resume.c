// SPDX-License-Identifier: GPL-2.0
/* hvctl resume NAME: continue a paused partition. */
#include "control.h"
#include "hvctl.h"

int cmd_resume(int argc, char **argv)
{
	return control_command(argc, argv, "resume",
			       "Continues partition NAME after 'hvctl pause'.\n", 0);
}
