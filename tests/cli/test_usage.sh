#!/bin/sh
# SPDX-License-Identifier: MIT
# The tool's own usage: help, version, unknown commands, help per subcommand.
. "$(dirname "$0")/lib.sh"

expect 0 --help
for c in toeplitz hash caps list show create delete set clear verify demo; do
	out_has "  $c "
done
expect 2
err_has "Usage:"
expect 2 frobnicate
err_has "unknown command 'frobnicate'"
expect 0 --version
out_has "tunvnet-ctl 0.1.0 (libtunvnet 0.1.0)"
for c in toeplitz hash caps list show create delete set clear verify demo; do
	expect 0 $c --help
	out_has "Usage: tunvnet-ctl $c"
	expect 0 help $c
	out_has "Usage: tunvnet-ctl $c"
done
done_tests
