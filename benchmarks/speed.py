"""How fast the machine is during a run, so that runs can be compared.

The figures of the benchmarks depend on the machine as much as on the code:
on the shared machine of 2026-12-04 the same certificate took 92 ms of
WeasyPrint in one session and 27 ms in the next, with the same code. Each
run therefore times a fixed piece of pure-Python work (dictionaries,
strings, small objects, as a page or a layout makes them), on one core, at
its start and at its end. Two runs are comparable when this figure is about
the same in both; a figure that changes between the start and the end of a
run says that the machine's speed drifted during it."""

import time

ROWS = 200_000
RUNS = 5


def _work() -> int:
    total = 0
    for number in range(ROWS):
        row = {"number": number, "name": f"territoire {number}", "weight": number % 7}
        total += len(row["name"].upper()) + row["weight"]
    return total


def reference_cpu_ms() -> float:
    """The CPU time, in milliseconds, of the fixed work: the best of
    ``RUNS`` (the least disturbed by other processes)."""
    best = float("inf")
    for _ in range(RUNS):
        start = time.process_time()
        _work()
        best = min(best, time.process_time() - start)
    return best * 1000


def describe(at_start: float, at_end: float) -> str:
    """One sentence for a report's header."""
    drift = abs(at_end - at_start) / at_start
    return (
        f"Speed of the machine: a fixed piece of pure-Python work "
        f"(`benchmarks/speed.py`) took {at_start:.0f} ms of CPU at the start "
        f"and {at_end:.0f} ms at the end"
        + (
            f" (the machine's speed drifted by {drift:.0%} during the run)."
            if drift > 0.15
            else "."
        )
        + " Figures of two runs compare only when this work took about as long."
    )


if __name__ == "__main__":
    print(f"{reference_cpu_ms():.0f} ms")
