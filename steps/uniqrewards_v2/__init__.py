"""Steps of the UNIQREWARDS Client API v2 features."""
