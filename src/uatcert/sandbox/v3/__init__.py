"""The UNIQREWARDS Client API v3 in the sandbox: routes, state, codes, defects, catalogue, vouchers, auth, control."""
