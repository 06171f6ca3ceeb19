"""The performance benchmark: seed, serve with gunicorn, drive load from another process,
report p50/p95 per operation. `bench/run.py` is the entry point; see BENCHMARKS.md."""
