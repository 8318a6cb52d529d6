#!/usr/bin/env python3
"""The journey benchmark's driver: USERS concurrent people doing what people
do, against a running `uctrack serve` (bench/journey.sh starts it).

Usage: journey.py URL DB PASSWORD [--users 16] [--rounds 12] [--think 1.0]
                  [--label TEXT]

Each virtual user signs in as an officer of one field office (users
jo-off-OFFICE-K, password PASSWORD), as that office's supervisor
(jo-sup-OFFICE) and as the auditor (jo-aud), then repeats ROUNDS times:
queue page, search by name, by A-number and by birth date, open a case,
record a contact attempt and a welfare check (each re-triages the case),
reopen the case (the UI's one read after a write), a page of the FTA list
(supervisor, 50 children), an audit page and the oversight report (auditor). A first
round warms the server up (statement caches, report snapshots) and is not
counted; sign-in (argon2id, deliberately slow) is. A report's first
computation at 2M children takes minutes on the server's idle-priority
background thread, so requests wait up to 30 minutes before giving up. Inputs
(names, A-numbers, birth dates of the office's children) are sampled from
DB, read-only, before the clock starts. Each user runs in a process of its
own: with threads, one user's JSON parsing held the interpreter lock while
another's answer waited, and that wait was measured as the server's.
Think time: before each request a user pauses for a time drawn from an
exponential distribution with mean --think seconds (1.0), as a person
reads a page before the next click; pauses are not measured. A person
spends seconds to minutes on a case page, so 1 s is a fast user. With
--think 0 the users fire requests back to back: that measures the
server's saturation throughput (the requests/s line), and each
latency is then mostly the wait behind the other users' requests on the
two cores (Little's law: users / throughput), not a request's own cost.
Prints p50/p99/max per step in ms
and, last, one line "JOURNEY label step p50 p99" per step for journey.sh.
Standard library only. Synthetic data only.
"""
import http.client
import json
import multiprocessing
import random
import sqlite3
import sys
import time
import urllib.parse

STEPS = ["sign_in", "queue", "work_queue", "work_overdue", "search_name", "search_anum",
         "search_dob", "case", "assign", "my_cases", "task_complete", "inbox",
         "event_contact", "event_welfare", "case_after_write", "fta", "audit",
         "oversight"]


class Client:
    """One HTTP/1.1 keep-alive connection with a session."""

    def __init__(self, host, port, think=0.0, rnd=None):
        self.host, self.port = host, port
        self.think, self.rnd = think, rnd
        self.conn = http.client.HTTPConnection(host, port, timeout=1800)
        self.cookie = None
        self.csrf = None

    def req(self, method, path, body=None, purpose=True, ok=()):
        headers = {"Accept": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if purpose:
            headers["X-Purpose"] = "journey benchmark"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
            if self.csrf:
                headers["X-CSRF-Token"] = self.csrf
        if self.think > 0:  # a person reads the last page before the next click
            time.sleep(self.rnd.expovariate(1.0 / self.think))
        t0 = time.perf_counter()
        for attempt in (0, 1):
            try:
                self.conn.request(method, "/api/v1" + path, data, headers)
                resp = self.conn.getresponse()
                payload = resp.read()
                break
            except (http.client.HTTPException, OSError):
                # a keep-alive connection the server closed after its idle
                # timeout: reconnect once, as a browser does
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=1800)
                t0 = time.perf_counter()
                if attempt:
                    raise
        dt = (time.perf_counter() - t0) * 1000.0
        if resp.status >= 400 and resp.status not in ok:
            raise RuntimeError(f"{method} {path}: {resp.status} {payload[:300]!r}")
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie" and v.startswith("uc_session="):
                self.cookie = v.split(";", 1)[0]
        return dt, payload

    def login(self, user, password):
        dt, payload = self.req("POST", "/session", {"username": user, "password": password},
                               purpose=False)
        self.csrf = json.loads(payload)["csrf"]
        return dt


def sample(db, offices, per_office=200):
    """Names, A-numbers and birth dates of each office's children."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    out = {}
    for off in offices:
        rows = con.execute(
            "SELECT c.id, c.a_number, e.family_name, e.given_name, e.birth_date"
            " FROM tcase c JOIN cbp_encounter e ON e.a_number = c.a_number"
            " WHERE c.office = ? AND c.active = 1 AND e.family_name IS NOT NULL"
            " AND e.birth_date IS NOT NULL LIMIT ?", (off, per_office)).fetchall()
        out[off] = rows
    con.close()
    return out


def pct(v, p):
    if not v:
        return float("nan")
    v = sorted(v)
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def user(k, host, port, password, offices, data, rounds, think, out, ready):
    rnd = random.Random(k)
    pause = random.Random(1000 + k)
    off = offices[k % len(offices)]
    rows = data[off]
    try:
        off_c = Client(host, port, think, pause)
        sup_c = Client(host, port, think, pause)
        aud_c = Client(host, port, think, pause)
        mine = {s: [] for s in STEPS}
        mine["sign_in"].append(off_c.login(f"jo-off-{off}-{k}", password))
        signin = mine["sign_in"]
        sup_c.login(f"jo-sup-{off}", password)
        aud_c.login("jo-aud", password)
        # every user signed in (argon2id, seconds of CPU) before any
        # round starts: the rounds measure the work, not the sign-ins
        ready.wait()
        for n in range(-1, rounds):
            if n == 0:  # round -1 warmed the server up: not counted
                mine = {s: [] for s in STEPS}
                mine["sign_in"] = signin
            dt, page = off_c.req("GET", "/queue?limit=50")
            mine["queue"].append(dt)
            items = json.loads(page)["items"]
            cid, anum, fam, giv, dob = rnd.choice(rows)
            keyed = [it for it in items if it.get("a_number")]
            if keyed:  # events are keyed by A-number
                cid = rnd.choice(keyed)["case_id"]
            q = urllib.parse.quote(f"{fam} {giv}")
            mine["search_name"].append(off_c.req("GET", f"/cases?q={q}")[0])
            mine["search_anum"].append(off_c.req("GET", f"/cases?q={anum}")[0])
            mine["search_dob"].append(off_c.req("GET", f"/cases?q={dob}")[0])
            dt, cpage = off_c.req("GET", f"/cases/{cid}")
            mine["case"].append(dt)
            # field work (docs/work.md): the queue of children, a
            # supervisor assigns the case, My cases, a task done
            dt, wpage = off_c.req("GET", "/work/cases?limit=50")
            mine["work_queue"].append(dt)
            if json.loads(wpage)["total"] < 1:
                raise RuntimeError("the queue of children is empty")
            mine["work_overdue"].append(
                off_c.req("GET", "/work/cases?limit=50&overdue=1&sort=due")[0])
            dt, _ = sup_c.req("POST", "/work/assign",
                              {"case_ids": [cid], "assignee": f"jo-off-{off}-{k}"})
            mine["assign"].append(dt)
            mine["my_cases"].append(off_c.req("GET", "/work/cases?assignee=me")[0])
            tasks = {t["action"]: t for t in json.loads(cpage).get("tasks", [])
                     if t.get("status") == "open"}
            # two officers share an office: the other may have done
            # the task since this one read the case (404, 409 held)
            if "welfare_check" in tasks:
                dt, _ = off_c.req("POST", f"/cases/{cid}/tasks/welfare_check",
                                  {"outcome": "done", "details": {"outcome": "safe"}},
                                  ok=(404, 409))
                mine["task_complete"].append(dt)
            elif "contact" in tasks:
                dt, _ = off_c.req("POST", f"/cases/{cid}/tasks/contact",
                                  {"outcome": "not_possible", "reason": "no answer",
                                   "details": {"method": "phone"}}, ok=(404, 409))
                mine["task_complete"].append(dt)
            mine["inbox"].append(off_c.req("GET", "/inbox?count_only=1", purpose=False)[0])
            dt, _ = off_c.req("POST", f"/cases/{cid}/events",
                              {"type": "contact_attempt", "method": "phone",
                               "outcome": "no_answer"})
            mine["event_contact"].append(dt)
            dt, _ = off_c.req("POST", f"/cases/{cid}/events",
                              {"type": "welfare_check", "outcome": "safe"})
            mine["event_welfare"].append(dt)
            mine["case_after_write"].append(off_c.req("GET", f"/cases/{cid}")[0])
            mine["fta"].append(sup_c.req("GET", "/reports/fta?limit=50")[0])
            mine["audit"].append(aud_c.req("GET", "/audit?limit=50", purpose=False)[0])
            if n < 0 or n % 4 == 0:
                mine["oversight"].append(
                    aud_c.req("GET", "/reports/oversight", purpose=False)[0])
        out.put((mine, None))
    except Exception as e:  # a failed step fails the run, loudly
        out.put(({s: [] for s in STEPS}, f"user {k} ({off}): {e}"))



def main(argv):
    args = {"--users": "16", "--rounds": "12", "--label": "run", "--offices": "",
            "--think": "1.0"}
    pos = []
    i = 1
    while i < len(argv):
        if argv[i] in args and i + 1 < len(argv):
            args[argv[i]] = argv[i + 1]
            i += 2
        else:
            pos.append(argv[i])
            i += 1
    if len(pos) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    url, db, password = pos
    u = urllib.parse.urlparse(url)
    host, port = u.hostname, u.port
    nusers, rounds, label = int(args["--users"]), int(args["--rounds"]), args["--label"]
    think = float(args["--think"])
    offices = [o for o in args["--offices"].split(",") if o]
    data = sample(db, offices)
    times = {s: [] for s in STEPS}
    errors = []
    t0 = time.perf_counter()
    out = multiprocessing.Queue()
    ready = multiprocessing.Barrier(nusers)
    procs = [multiprocessing.Process(target=user, args=(k, host, port, password, offices, data,
                                                         rounds, think, out, ready))
             for k in range(nusers)]
    for p in procs:
        p.start()
    for _ in procs:
        mine, e = out.get()
        for s in STEPS:
            times[s].extend(mine[s])
        if e:
            errors.append(e)
    for p in procs:
        p.join()
    wall = time.perf_counter() - t0
    nreq = sum(len(times[s]) for s in STEPS if s != "sign_in")
    print(f"journey {label}: {nusers} users x {rounds} rounds in {wall:.1f} s, think time"
          f" {think:g} s (mean), {nreq} timed requests, {nreq / wall:.0f} requests/s")
    print(f"{'step':<18}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for s in STEPS:
        v = times[s]
        print(f"{s:<18}{len(v):>6}{pct(v, 50):>10.1f}{pct(v, 99):>10.1f}"
              f"{(max(v) if v else float('nan')):>10.1f}")
    for s in STEPS:
        v = times[s]
        print(f"JOURNEY {label} {s} {pct(v, 50):.2f} {pct(v, 99):.2f}")
    for e in errors:
        print("journey: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
