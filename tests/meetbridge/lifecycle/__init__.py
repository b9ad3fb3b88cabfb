"""Meeting lifecycle and the cost guard (issue #4): ending, expiry, idle bridges, the live card."""
