"""Bitcoin block headers, compact targets and header chains."""

#: The networks header chains can be checked on (parameters in toolkit.chain.networks;
#: named here so the CLI can list them without importing the chain code).
CHAIN_NETWORKS = ("mainnet", "testnet4", "signet")
