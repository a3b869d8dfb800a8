"""Measurement: pure functions on arrays (item statistics, reliability, pre/post gains).

Every convention is an explicit parameter with a documented default, and
results are named objects, in the manner of scipy.stats. No I/O here.
"""
