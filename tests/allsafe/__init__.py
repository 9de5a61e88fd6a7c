"""Tests of the AllSafe client, its sandbox API and the suite plumbing."""

from __future__ import annotations
