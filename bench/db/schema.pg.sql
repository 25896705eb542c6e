-- The benchmark schema: 10 tables of a shop, with foreign keys between them.
CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL UNIQUE, name text);
CREATE TABLE products (id serial PRIMARY KEY, sku text NOT NULL UNIQUE, price_cents int NOT NULL);
CREATE TABLE carts (id serial PRIMARY KEY, customer_id int REFERENCES customers(id), created_at timestamptz DEFAULT now());
CREATE TABLE cart_items (id serial PRIMARY KEY, cart_id int REFERENCES carts(id), product_id int REFERENCES products(id), qty int NOT NULL);
CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customers(id), status text NOT NULL, total_cents int NOT NULL);
CREATE TABLE order_items (id serial PRIMARY KEY, order_id int REFERENCES orders(id), product_id int REFERENCES products(id), qty int NOT NULL, price_cents int NOT NULL);
CREATE TABLE payments (id serial PRIMARY KEY, order_id int REFERENCES orders(id), amount_cents int NOT NULL, status text NOT NULL);
CREATE TABLE shipments (id serial PRIMARY KEY, order_id int REFERENCES orders(id), carrier text NOT NULL);
CREATE TABLE reviews (id serial PRIMARY KEY, product_id int REFERENCES products(id), customer_id int REFERENCES customers(id), stars int, body text);
CREATE TABLE events (id bigserial PRIMARY KEY, kind text NOT NULL, payload jsonb);
