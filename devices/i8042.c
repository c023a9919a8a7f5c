// SPDX-License-Identifier: GPL-2.0
/*
 * The one i8042 function a VM needs: command 0xfe on port 0x64 pulses the
 * CPU reset line, which is how Linux reboots by default. The controller
 * reads as idle (status 0) so a guest's wait-for-input-empty loop ends at
 * once; the FADT tells Linux there is no 8042 to probe.
 */
#include <errno.h>
#include <stdlib.h>

#include "devices/legacy.h"

#define I8042_DATA	0x60
#define I8042_CMD	0x64
#define I8042_RESET	0xfe

struct i8042 {
	struct legacy_env env;
};

static void i8042_data(void *dev, uint64_t off, uint8_t *data, uint32_t len,
		       bool is_write)
{
	uint32_t i;

	for (i = 0; !is_write && i < len; i++)
		data[i] = 0;
}

static void i8042_cmd(void *dev, uint64_t off, uint8_t *data, uint32_t len,
		      bool is_write)
{
	struct i8042 *k = dev;
	uint32_t i;

	if (is_write && data[0] == I8042_RESET)
		k->env.stop(k->env.ctx, LEGACY_STOP_RESET);
	for (i = 0; !is_write && i < len; i++)
		data[i] = 0;
}

int i8042_create(struct i8042 **out, const struct legacy_env *env)
{
	struct i8042 *k;
	int r;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->env = *env;
	r = io_bus_register(env->pio, I8042_DATA, 1, i8042_data, k);
	if (r == 0)
		r = io_bus_register(env->pio, I8042_CMD, 1, i8042_cmd, k);
	if (r < 0) {
		io_bus_unregister(env->pio, I8042_DATA);
		free(k);
		return r;
	}
	*out = k;
	return 0;
}

void i8042_destroy(struct i8042 *k)
{
	if (!k)
		return;
	io_bus_unregister(k->env.pio, I8042_CMD);
	io_bus_unregister(k->env.pio, I8042_DATA);
	free(k);
}
