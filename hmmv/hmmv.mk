# The engine's system tests share tests/system/lib/hmmv_engine.sh (the
# test host's root is spelled out: testhost.mk is read after this file).
HMMV_TH_ROOT := $(B)/testhost-root
testhost-root: $(HMMV_TH_ROOT)/tests/system/lib/hmmv_engine.sh
$(HMMV_TH_ROOT)/tests/system/lib/hmmv_engine.sh: tests/system/lib/hmmv_engine.sh
	@install -D -m 644 $< $@
