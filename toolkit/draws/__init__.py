"""Draws (SPEC D): rules committed before a block, winners derived from it,
receipts anyone can verify offline.  docs/draws.md restates the derivation."""
