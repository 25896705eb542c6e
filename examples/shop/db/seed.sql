-- The shop's catalogue. Portable SQL: runs unchanged on SQLite and PostgreSQL.
-- Ids are left to the database, so products are found by sku.
INSERT INTO products (sku, name, description, price_cents, currency) VALUES
    ('MUG-SEAM', 'Seam mug', 'A 350 ml stoneware mug with the seamline logo.', 1999, 'USD'),
    ('TEE-INTEG', 'Integration tee', 'A cotton t-shirt: "It worked on my unit tests".', 2500, 'USD'),
    ('STICKERS', 'Sticker pack', 'Eight vinyl stickers for a laptop lid.', 499, 'USD'),
    ('NOTEBOOK', 'Dot-grid notebook', 'A5, 120 pages, for sequence diagrams.', 1299, 'USD'),
    ('CAP-GREEN', 'Green-build cap', 'A cap the colour of a passing CI run.', 1850, 'USD');
