"""One lobby poll (`GET /lobby/state`), sequentially through the real app: CPU per poll.

Every waiting phone polls the lobby every 4 s, so 300 phones make 75 polls a second: what one poll
costs the server decides whether the laptop keeps up. The worked example with both phases' forms
built and neither open (the morning before the pre-test), one participant joined through the Flask
test client, then POLLS polls in a row; repeated REPEAT times. Printed: the medians of the runs' CPU
time per poll (time.process_time of this process: the app and its database driver, nothing else
runs) and wall time per poll. Target: at most 2 ms of CPU a poll.

    python benchmarks/bench_lobby.py [--polls 500] [--repeat 5] [--db URL]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TARGET_MS = 2.0


def make_workspace(folder: Path, db: str | None) -> None:
    from click.testing import CliRunner

    from assess.cli import cli

    def run(*args):
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output

    where = ["-w", str(folder)] + (["--db", db] if db else [])
    run("init", "--example", "payakumbuh-2019", str(folder))
    run(*where, "participants", "import", str(folder / "peserta.csv"))
    run(*where, "form", "build", "--phase", "pre")
    run(*where, "form", "build", "--phase", "post")


def joined_client(app, code: str):
    client = app.test_client()
    page = client.get("/join").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    response = client.post("/join", data={"code": code, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


def measure(client, polls: int) -> tuple[float, float]:
    """CPU seconds and wall seconds per poll over `polls` polls."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(polls):
        response = client.get("/lobby/state")
        assert response.status_code == 200, response.status_code
    return (time.process_time() - cpu) / polls, (time.perf_counter() - wall) / polls


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--polls", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default=None, help="a database URL (default: the workspace's SQLite)")
    args = parser.parse_args(argv if argv is not None else [])

    from assess.web import create_app
    from assess.workspace import Workspace, choose

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pelatihan"
        make_workspace(folder, args.db)
        ws = Workspace(*choose(str(folder), args.db))
        try:
            app = create_app(ws)
            code = ws.store.participants(ws.event_id)[0].access_code
            client = joined_client(app, code)
            measure(client, 20)  # warm: imports, the first form read, the connection pool
            runs = [measure(client, args.polls) for _ in range(args.repeat)]
        finally:
            ws.close()
    cpu = statistics.median(r[0] for r in runs) * 1000
    wall = statistics.median(r[1] for r in runs) * 1000
    each = ", ".join(f"{r[0] * 1000:.2f}" for r in runs)
    print(
        f"lobby poll, {args.polls} sequential polls x {args.repeat} through the app "
        f"({'SQLite' if args.db is None else args.db.split('+')[0]}):"
    )
    print(f"  CPU per poll: median {cpu:.2f} ms ({each}); wall per poll: median {wall:.2f} ms")
    print(f"  target: at most {TARGET_MS:.0f} ms of CPU a poll")
    return {"cpu_ms": cpu, "wall_ms": wall}


if __name__ == "__main__":
    main(sys.argv[1:])
