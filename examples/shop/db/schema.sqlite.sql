-- The shop's schema for SQLite. Applied by seamline (or by hand: sqlite3 shop.db < this file),
-- never by the api at start-up. Keep it in step with schema.postgres.sql and with the ORM
-- models in api/shop_api/models.py (tests/unit/test_schema.py compares them).

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    email       VARCHAR(254) NOT NULL,
    name        VARCHAR(100) NOT NULL,
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE products (
    id           INTEGER PRIMARY KEY,
    sku          VARCHAR(32)  NOT NULL,
    name         VARCHAR(100) NOT NULL,
    description  TEXT         NOT NULL DEFAULT '',
    price_cents  INTEGER      NOT NULL CHECK (price_cents > 0),
    currency     VARCHAR(3)   NOT NULL CHECK (length(currency) = 3),
    CONSTRAINT products_sku_key UNIQUE (sku)
);

CREATE TABLE carts (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER   NOT NULL REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX carts_user_id ON carts (user_id);

CREATE TABLE cart_items (
    cart_id     INTEGER NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    quantity    INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    PRIMARY KEY (cart_id, product_id)
);

-- status: pending -> paid | payment_failed | payment_error (payment_error -> pending on a retry
-- with the same Idempotency-Key). updated_at is when the current payment attempt started.
CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER      NOT NULL REFERENCES users (id),
    cart_id          INTEGER      NOT NULL REFERENCES carts (id),
    idempotency_key  VARCHAR(200) NOT NULL,
    status           VARCHAR(20)  NOT NULL
        CHECK (status IN ('pending', 'paid', 'payment_failed', 'payment_error')),
    total_cents      INTEGER      NOT NULL CHECK (total_cents > 0),
    currency         VARCHAR(3)   NOT NULL,
    charge_id        VARCHAR(64),
    failure_code     VARCHAR(64),
    failure_message  TEXT,
    created_at       TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at       TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT orders_idempotency_key_key UNIQUE (idempotency_key)
);
CREATE INDEX orders_user_id ON orders (user_id);
-- A cart has at most one order that is paid or may still be paid: the database, not the api,
-- stops two submissions with different keys from charging the same cart twice.
CREATE UNIQUE INDEX orders_one_live_per_cart ON orders (cart_id)
    WHERE status IN ('pending', 'paid', 'payment_error');

CREATE TABLE order_items (
    order_id          INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id        INTEGER NOT NULL REFERENCES products (id),
    quantity          INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    unit_price_cents  INTEGER NOT NULL CHECK (unit_price_cents > 0),
    PRIMARY KEY (order_id, product_id)
);

-- Written by the fulfilment worker when `order.paid` reaches it: one shipment per order, however
-- many times the event is delivered (the worker inserts with ON CONFLICT (order_id) DO NOTHING).
CREATE TABLE shipments (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER     NOT NULL REFERENCES orders (id),
    created_at  TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT shipments_order_id_key UNIQUE (order_id)
);
