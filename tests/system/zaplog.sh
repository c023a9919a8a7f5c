#!/bin/sh
# "Zap and log": after MADV_DONTNEED + KVM_CLEAR_DIRTY_LOG on a memfd-backed
# range, pages the guest only reads appear in the dirty log (docs/design.md, "Tracking").
zaplog
