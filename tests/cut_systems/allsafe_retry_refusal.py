"""The AllSafe reference system with one defect: retry-refusal (retries 491, 492, 495, 496)."""

from __future__ import annotations

from allsafe_system import main

if __name__ == "__main__":
    main(bug="retry-refusal")
