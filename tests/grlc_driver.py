"""Runs saved queries through grlc, in grlc's own Python (it pins its own rdflib and Flask).

Usage: python grlc_driver.py ENDPOINT QUERIES_DIR CALL... where each CALL is a grlc local
route, ``NAME`` or ``NAME?param=value``. Prints, as its last line, a JSON object: each CALL →
its HTTP status and body. grlc reads ``config.ini`` in the working directory, so the driver
writes one in a folder of its own; grlc's Flask app answers in-process (no port).
"""

import json
import os
import sys
import tempfile

endpoint, folder, calls = sys.argv[1], sys.argv[2], sys.argv[3:]
work = tempfile.mkdtemp(prefix="grlc-")
with open(os.path.join(work, "config.ini"), "w", encoding="utf-8") as config:
    config.write(f"[defaults]\nsparql_endpoint = {endpoint}\n")
    config.write(f"[local]\nlocal_sparql_dir = {folder}\n")
os.chdir(work)

from grlc.server import app  # noqa: E402  (reads config.ini from the working directory)

client = app.test_client()
answers = {}
for call in calls:
    response = client.get(f"/api-local/{call}", headers={"Accept": "application/json"})
    answers[call] = {"status": response.status_code, "body": response.get_data(as_text=True)}
print(json.dumps(answers))
