"""Steps of the UNIQREWARDS Client API v3 features."""
