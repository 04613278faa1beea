"""Makes `python3 -m unittest test/worker/test_http.py` import this tree, not the stdlib `test` package."""
