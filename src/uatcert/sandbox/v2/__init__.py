"""The UNIQREWARDS Client API v2 in the sandbox: routes, state, codes, defects, catalogue, views, auth, control."""
