"""A worksheet autosave that writes, timed in-process: each save a new text on the newest version.

wrk sends one fixed body, so the served figure is a save of the same answers again (read, decrypt,
compare, answer). Here the reader's browser sends what typing sends: new words every time, from the
version the last save answered, so each save encrypts, writes, counts the version up and audits.
Medians of ``ROUNDS`` saves, in milliseconds, beside the same-answers save for comparison.
"""

import statistics
import time

ROUNDS = 60


def measure(client, headers: dict, ids: dict) -> dict:
    """Median milliseconds of a writing autosave and of a same-answers autosave."""
    url = f"/api/v1/worksheets/entries/{ids['worksheet']}/sections/impact"
    version = client.get(f"/api/v1/worksheets/entries/{ids['worksheet']}", headers=headers).get_json()
    version = next(s for s in version["sections"] if s["key"] == "impact")["mine"]["version"]
    writes, repeats = [], []
    for n in range(ROUNDS):
        body = {"version": version, "answers": {"effect": f"You felt alone with it, José ({n})."}}
        began = time.perf_counter()
        answer = client.put(url, json=body, headers=headers)
        writes.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        version = answer.get_json()["version"]
        began = time.perf_counter()
        again = client.put(url, json=body, headers=headers)
        repeats.append((time.perf_counter() - began) * 1000)
        assert again.status_code == 200 and again.get_json()["version"] == version
    return {"write_ms": round(statistics.median(writes), 2),
            "same_answers_ms": round(statistics.median(repeats), 2), "rounds": ROUNDS}
