"""The AllSafe Redemption API in the sandbox: routes, state, codes, defects, seed, control."""
