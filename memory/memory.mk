# memory/: the remap-under-guest test program and the remap benchmark.
MEM_TEST_BINS := $(B)/mem/mem_remap_guest $(B)/mem/bench_remap

$(B)/mem/%: tests/system/%.c tests/system/mem_miniguest.h $(B)/libhmmv.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libhmmv.a $(LIBS)
