INSERT INTO customers (email, name) SELECT 'c' || i || '@example.com', 'Customer ' || i FROM generate_series(1, 20) i;
INSERT INTO products (sku, price_cents) SELECT 'p' || i, i * 100 FROM generate_series(1, 50) i;
INSERT INTO reviews (product_id, customer_id, stars, body) SELECT i, i, 5, 'good' FROM generate_series(1, 10) i;
