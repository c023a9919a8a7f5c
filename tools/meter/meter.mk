# The memory-traffic meter: a QEMU TCG plugin (a shared object QEMU loads
# with -plugin), built with the project's warnings but as PIC, not PIE.
METER_SO := $(B)/meter/meter.so
METER_SRCS := tools/meter/meter.c tools/meter/llc.c hmmv/trace.c

.PHONY: meter
meter: $(METER_SO)

$(METER_SO): $(METER_SRCS) tools/meter/llc.h tools/meter/plugin_api.h hmmv/trace.h | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -I. -D_GNU_SOURCE -fPIC -shared \
		-fvisibility=hidden -Wl,-z,relro,-z,now -o $@ $(METER_SRCS) -lpthread
testhost: $(METER_SO)
