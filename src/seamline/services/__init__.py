"""One module per service kind."""
