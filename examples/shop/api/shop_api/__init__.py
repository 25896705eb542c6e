"""The shop's backend: users, a product catalogue, carts and orders paid through `payments`."""
