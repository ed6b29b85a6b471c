"""The plan directory, from plan to confirmed inscriptions: plan, fund, reveal,
broadcast, status, bump and recover, with the files a plan directory holds
(plan.json, the batch secret, funding records, signed reveals, index.json,
state.json) and its lock."""
