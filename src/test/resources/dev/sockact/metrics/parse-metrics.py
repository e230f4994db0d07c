"""Reads a Prometheus text exposition on stdin with prometheus_client's own parser and prints one line per
sample: NAME{labels} VALUE TYPE. Fails (exit 1) on anything the parser refuses or a sample whose family has
no type."""
import sys

from prometheus_client.parser import text_string_to_metric_families

text = sys.stdin.read()
for family in text_string_to_metric_families(text):
    if family.type in ("unknown", "untyped"):
        sys.exit(f"family {family.name} has no TYPE")
    for sample in family.samples:
        labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
        print(f"{sample.name}{{{labels}}} {sample.value} {family.type}")
