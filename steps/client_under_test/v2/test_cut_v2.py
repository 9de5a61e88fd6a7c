"""CUT-V2-*: the integrator's UNIQREWARDS v2 system, judged from what it sent through the proxy."""

from __future__ import annotations

from pytest_bdd import scenarios

scenarios("client_under_test/CUT-V2-uniqrewards-v2.feature")
