"""Online data sources: fee estimates (and nodes)."""
