"""A payment processor sandbox in the style of Stripe's test mode: charges kept in memory."""
