#!/bin/sh
# A tiny real-mode guest through hmmv's KVM layer: port output and dirty log.
realmode
