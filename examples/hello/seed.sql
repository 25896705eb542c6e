INSERT INTO names (name) VALUES ('ada'), ('grace');
