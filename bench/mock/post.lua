-- The request that matches the last of the 100 JSON-body stubs.
wrk.method = "POST"
wrk.body = '{"id": 99, "name": "item-99", "tags": ["a", "b"]}'
wrk.headers["Content-Type"] = "application/json"
