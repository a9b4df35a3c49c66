#!/bin/bash
set -eu
set -o pipefail
exit 1 # a dot in the name: skipped
