"""The client-under-test wings (profiles cut, cut-v2, cut-allsafe): the integrator's own system, driven by its
trigger (or interactively) through the recording fault proxy, and judged only from what the proxy saw and what
the system reported."""
