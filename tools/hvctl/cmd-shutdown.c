// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl shutdown NAME: ask the guest to power off. Today through the ACPI
 * power button (pm.c); once VMBus exists, through the shutdown integration
 * service first, as Hyper-V does, with the button as the fallback.
 */
#include "control.h"
#include "hvctl.h"

int cmd_shutdown(int argc, char **argv)
{
	return control_command(argc, argv, "shutdown",
			       "Asks the guest in partition NAME to power off, by pressing its ACPI\n"
			       "power button, and returns. The guest must have enabled the button\n"
			       "(Linux: the 'button' driver plus acpid or systemd-logind); if it has\n"
			       "not, this fails and says so. Use 'hvctl stop' to force it off.\n", 0);
}
