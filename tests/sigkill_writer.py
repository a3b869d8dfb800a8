"""A process that saves answers as fast as it can and says so after each commit.

Run by tests/test_sigkill.py, which kills it with SIGKILL mid-run.
Usage: python -m tests.sigkill_writer DATABASE_URL ATTEMPT_ID
"""

import datetime as dt
import sys

from assess.store.store import Store

url, attempt_id = sys.argv[1], int(sys.argv[2])
store = Store(Store.open(url).engine)
now = dt.datetime(2019, 10, 30, 1, 0)
n = 0
while True:
    n += 1
    saved = store.save_answer(attempt_id, f"item-{n % 7}", {"n": n}, seq=None, channel="web", now=now)
    print(saved.seq, n, flush=True)  # acknowledged only after the commit returned
