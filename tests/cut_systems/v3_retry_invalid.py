"""The v3 reference system with one defect: retry-invalid (resends a request refused as invalid, unchanged)."""

from __future__ import annotations

from v3_system import main

if __name__ == "__main__":
    main(bug="retry-invalid")
