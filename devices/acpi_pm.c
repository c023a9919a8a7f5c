// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI PM1a event (status, enable) and control registers. The guest powers
 * off by writing SLP_EN with the sleep type \_S5 names; the device then asks
 * vmm/ to stop the VM (LEGACY_STOP_POWEROFF, exit status 0). No events are ever raised, so the SCI stays quiet.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "devices/legacy.h"

struct acpi_pm {
	struct legacy_env env;
	pthread_mutex_t lock;
	uint8_t regs[6];	/* PM1_STS(2) PM1_EN(2) PM1_CNT(2) */
};

static void acpi_pm_control(struct acpi_pm *pm)
{
	uint16_t cnt = (uint16_t)(pm->regs[4] | (pm->regs[5] << 8));

	if ((cnt & ACPI_PM1_CNT_SLP_EN) && ACPI_PM1_SLP_TYP(cnt) == ACPI_S5_SLP_TYP)
		pm->env.stop(pm->env.ctx, LEGACY_STOP_POWEROFF);
	/* SLP_EN is write-only; SCI_EN reads as set (ACPI mode, no SMI_CMD). */
	pm->regs[5] &= (uint8_t)~(ACPI_PM1_CNT_SLP_EN >> 8);
	pm->regs[4] |= ACPI_PM1_CNT_SCI_EN;
}

static void acpi_pm_io(void *dev, uint64_t off, uint8_t *data, uint32_t len,
		       bool is_write)
{
	struct acpi_pm *pm = dev;
	uint32_t i;

	pthread_mutex_lock(&pm->lock);
	for (i = 0; i < len; i++) {
		if (off + i >= sizeof(pm->regs)) {
			if (!is_write)
				data[i] = 0xff;
			continue;
		}
		if (!is_write)
			data[i] = pm->regs[off + i];
		else if (off + i < 2)
			pm->regs[off + i] &= (uint8_t)~data[i];	/* write 1 to clear */
		else
			pm->regs[off + i] = data[i];
	}
	if (is_write && off + len > 4)
		acpi_pm_control(pm);
	pthread_mutex_unlock(&pm->lock);
}

int acpi_pm_create(struct acpi_pm **out, const struct legacy_env *env)
{
	struct acpi_pm *pm;
	int r;

	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	pm->env = *env;
	pm->regs[4] = ACPI_PM1_CNT_SCI_EN;
	r = -pthread_mutex_init(&pm->lock, NULL);
	if (r == 0)
		r = io_bus_register(env->pio, ACPI_PM1A_EVT, 6, acpi_pm_io, pm);
	if (r < 0) {
		free(pm);
		return r;
	}
	*out = pm;
	return 0;
}

void acpi_pm_destroy(struct acpi_pm *pm)
{
	if (!pm)
		return;
	io_bus_unregister(pm->env.pio, ACPI_PM1A_EVT);
	pthread_mutex_destroy(&pm->lock);
	free(pm);
}
