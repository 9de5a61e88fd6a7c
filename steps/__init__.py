"""Step definitions of the certification features, one module per feature area."""
