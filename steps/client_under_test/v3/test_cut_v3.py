"""CUT-*: the integrator's UNIQREWARDS v3 system, judged from what it sent through the proxy (steps: ../conftest.py)."""

from __future__ import annotations

from pytest_bdd import scenarios

scenarios("client_under_test/CUT-uniqrewards-v3.feature")
