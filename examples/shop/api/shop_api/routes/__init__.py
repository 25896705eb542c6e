"""The api's endpoints, one module per resource."""

from shop_api.routes import carts, health, orders, payment_events, products, users

ROUTERS = (
    health.router,
    users.router,
    products.router,
    carts.router,
    orders.router,
    payment_events.router,
)
