"""
File formats read by more than one part of uatcert (the clients' side and the sandbox), kept neutral:
a module here imports nothing from uatcert but `errors`.

- `v2_catalogue`: the UNIQREWARDS v2 catalogue file (CSV), the one reader of it.
"""
