"""Domain: plain values, errors and rules, with no I/O and nothing else of ours imported."""
