"""The benchmark scripts' one results format: a JSON object per line, appended to the sitting's results file."""
import json


def record(path, rec):
    """Appends rec to the results file at path and echoes it, so a long step shows its samples as they come."""
    line = json.dumps(rec)
    with open(path, "a") as f:
        f.write(line + "\n")
    print(line, flush=True)
