"""The UNIQREWARDS Client API v3 wing: target, clients, catalogue outlines, fixtures, pre-flight."""
