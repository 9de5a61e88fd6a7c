"""The UNIQREWARDS Client API v2 wing: target, catalogue file, clients, outlines, fixtures, pre-flight."""
