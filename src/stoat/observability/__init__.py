"""Observability and protection: Prometheus metrics, log context, rate limiting."""
