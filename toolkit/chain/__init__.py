"""Bitcoin block headers, compact targets and header chains."""
