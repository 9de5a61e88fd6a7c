"""Steps of the AllSafe Redemption API features."""

from __future__ import annotations
