"""The AllSafe Redemption API wing: target, clients, availability summary, fixtures, pre-flight."""
