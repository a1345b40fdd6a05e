// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl shutdown NAME: ask the guest to power off, as Hyper-V does: the
 * shutdown integration service (VMBus) when the guest has opened it, else
 * the ACPI power button (vm.c, pm.c).
 */
#include "control.h"
#include "hvctl.h"

int cmd_shutdown(int argc, char **argv)
{
	return control_command(argc, argv, "shutdown",
			       "Asks the guest in partition NAME to power off and returns once it has\n"
			       "accepted: through the shutdown integration service when the guest has\n"
			       "opened it (Linux: hv_utils), else by pressing its ACPI power button\n"
			       "(Linux: the 'button' driver plus acpid or systemd-logind). If neither\n"
			       "reaches the guest, this fails and says why. 'hvctl stop' forces it off.\n",
			       0);
}
