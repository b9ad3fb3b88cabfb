"""Meeting lifecycle and the cost guard: ending, expiry, idle bridges, the live card."""
