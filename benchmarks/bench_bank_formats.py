"""Questions in and out: importing a 10,000-question Moodle XML file with the bank written (target
3 s), and exporting the shipped banks (to QTI 2.1: target 2 s). Medians, with the CPU per 1,000
questions beside them.

The Moodle file is the generated 10,000-item bank (every item type) exported by assess itself, so it
holds every type Moodle XML can carry.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from assess.bank.documents import Bank
from assess.bank.formats import export_file, export_text, import_file, write_bank
from assess.bank.formats.common import Options
from assess.bank.loader import load, shipped_banks_dir
from assess.bank.yamlio import parse
from benchmarks.bank_generator import bank_yaml
from benchmarks.timing import median_seconds

N_ITEMS = 10_000
REPEAT = 5


def moodle_file(folder: Path, n_items: int) -> Path:
    bank = Bank.model_validate(parse(bank_yaml(n_items), "generated"))
    text, _notes = export_text([bank], "moodle-xml", "generated")
    path = folder / "soal.xml"
    path.write_text(text, encoding="utf-8")
    return path


def import_once(source: Path, out: Path) -> int:
    options = Options(bank_id="soal", title="soal", id_prefix="soal", competency="M.05")
    imported, _form, _guessed = import_file(source, "moodle-xml", options)
    write_bank(out, imported.bank)
    return len(imported.bank.items)


def cpu_and_wall(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(n_items: int = N_ITEMS, repeat: int = REPEAT) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = moodle_file(folder, n_items)
        out = folder / "soal.yaml"
        assert import_once(source, out) == n_items
        runs = sorted(cpu_and_wall(lambda: import_once(source, out)) for _ in range(repeat))
        wall, cpu = runs[len(runs) // 2]
        shipped = load((str(shipped_banks_dir()),)).banks
        n_shipped = sum(len(b.items) for b in shipped)
        exports = {form: median_seconds(lambda form=form: export_text(shipped, form, "-"), repeat)
                   for form in ("moodle-xml", "gift")}  # fmt: skip
        package = folder / "soal.zip"
        exports["qti"] = median_seconds(lambda: export_file(shipped, "qti", package), repeat)
        size_mb = source.stat().st_size / 1e6
    print(f"bank import, Moodle XML, {n_items:,} questions ({size_mb:.1f} MB), median of {repeat}:")
    print(f"  read + check + bank written  {wall:6.3f} s   target <= 3.000 s")
    print(f"  CPU per 1,000 questions      {1000 * cpu / n_items:6.3f} s")
    for form, seconds in exports.items():
        target = "   target <= 2.000 s" if form == "qti" else ""
        print(f"bank export, the shipped banks ({n_shipped} items) to {form}: {seconds:6.3f} s{target}")
    return {
        "import_s": wall,
        "import_cpu_per_1000_s": 1000 * cpu / n_items,
        **{f"export_{k}_s": v for k, v in exports.items()},
    }


if __name__ == "__main__":
    main()
