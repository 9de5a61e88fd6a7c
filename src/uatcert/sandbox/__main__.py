"""`python -m uatcert.sandbox`: same as `uatcert sandbox`."""

from __future__ import annotations

import sys

from uatcert.sandbox import main

sys.exit(main())
