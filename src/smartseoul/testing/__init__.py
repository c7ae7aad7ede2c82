"""Code for the tests and benchmarks only. The course never imports it at run time
(tests/foundation/test_package_boundary.py checks that), so it may be heavy and may assume a
test machine (root, Chromium, spare accounts)."""
