#!/bin/bash
# The fault soak of tests/soak.sh, short: 600 records.
bash "$PT_TOP/tests/soak.sh" 600
