#!/bin/sh
# Announces itself and waits forever, for tests that stop hmmv from outside.
echo "hmmv-info waiting"
while :; do sleep 1; done
