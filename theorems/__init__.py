"""One module per theorem: statement, source, hypotheses, method, instances, variants."""
