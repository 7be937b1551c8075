"""The load generator of the mixed workload: a process of its own, standard library only.

python -m bench.mix_client PLAN.json PROCESS_INDEX

It takes its share of the plan's connections (each a thread with its own HTTP connection, each
serving a few of the plan's users, each user with its own signed-in session and CSRF cookie) and
obeys JSON commands on stdin, one a line, answering one JSON line on stdout each:

  {"cmd": "run", "port": P, "seconds": S, "mode": "mix"|"bare"|"warm", "slot": NAME, "round": R,
   "max": N, "out": FILE[, "kinds": [...], "size": BYTES, "interval": SECONDS, "until_pid": PID]}
      requests for S seconds (and while process PID runs; at most N per connection), one CSV line
      per request appended to FILE; back to back on each connection, or with "interval" paced:
      one request due every SECONDS on each connection, its latency counted from when it was due
  {"cmd": "login", "port": P}   signs every user in through POST /login/ (when the plan has no sessions)
  {"cmd": "quit"}

The mix: each request picks one of the connection's users and a kind of request by the user's
weights, then the object, page or filter at random from the user's catalogue, seeded by (plan
seed, connection, round, mode): every server variant meets the same sequence. Writes that act on
a case take the next case from the user's pool for the slot (cases put in the right state
beforehand), so no case is acted on twice. Every answer's status is checked against what the kind
expects; an action on a case (a redirect whatever happens) is checked by the message it leaves.
"""

from __future__ import annotations

import base64
import csv
import gc
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse
import zlib
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

FIELDS = (
    "slot",
    "mode",
    "round",
    "kind",
    "status",
    "ok",
    "err",
    "t",
    "ms",
    "bytes",
    "rid",
    "conn",
    "created",
    "user",  # its index in the plan
)
TIMEOUT_S = 120.0
MESSAGE_ERROR_LEVEL = 40


class User:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.name: str = spec["username"]
        self.index: int = spec.get("index", -1)
        self.kinds: list[str] = [k for k, _w in spec["kinds"]]
        self.weights: list[float] = [w for _k, w in spec["kinds"]]
        self.cat: dict[str, Any] = spec["catalogue"]
        self.pools: dict[str, dict[str, list[int]]] = spec.get("pools", {})
        self.cursor: dict[tuple[str, str], int] = {}
        self.jars: dict[int, dict[str, str]] = {}  # per server port (sessions may live in a server's cache)
        self.shared_jar: dict[str, str] | None = dict(spec["cookies"]) if spec.get("cookies") else None

    def jar(self, port: int) -> dict[str, str]:
        if self.shared_jar is not None:
            return self.shared_jar
        return self.jars.setdefault(port, {})

    def next_case(self, slot: str, action: str) -> int | None:
        pool = self.pools.get(slot, {}).get(action, [])
        at = self.cursor.get((slot, action), 0)
        if at >= len(pool):
            return None
        self.cursor[(slot, action)] = at + 1
        return pool[at]

    def actions_left(self, slot: str) -> list[str]:
        return [a for a, ids in self.pools.get(slot, {}).items() if self.cursor.get((slot, a), 0) < len(ids)]


class Request:
    __slots__ = ("kind", "method", "path", "body", "headers", "expect", "check")

    def __init__(
        self,
        kind: str,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
        check: str = "",
    ) -> None:
        self.kind, self.method, self.path, self.body = kind, method, path, body
        self.headers, self.expect, self.check = headers or {}, expect, check


def _multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "----benchmix" + "".join(random.choices("0123456789abcdef", k=16))
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _page(rng: random.Random, pages: int) -> int:
    """Most views are of the first pages; some go deep."""
    if pages <= 1 or rng.random() < 0.4:
        return 1
    if rng.random() < 0.7:
        return rng.randint(1, min(pages, 5))
    return rng.randint(1, pages)


class Mix:
    """Builds the next request of a user (the kinds of the plan, by name)."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.csrf_cookie = plan["csrf_cookie"]
        self.serial = 0

    def _csrf(self, user: User, port: int) -> str:
        return user.jar(port).get(self.csrf_cookie, "")

    def build(self, kind: str, user: User, rng: random.Random, slot: str, port: int) -> Request | None:
        cat = user.cat
        choose = rng.choice
        if kind == "home":
            return Request(kind, "GET", "/")
        if kind == "area":
            return Request(kind, "GET", f"/areas/{choose(cat['areas'])}/")
        if kind == "people":
            code, pages = choose(cat["people_areas"])
            return Request(kind, "GET", f"/areas/{code}/people/?page={_page(rng, pages)}")
        if kind == "search":
            code, _pages = choose(cat["people_areas"])
            q = urllib.parse.quote(choose(cat["names"]))
            return Request(kind, "GET", f"/areas/{code}/people/?q={q}")
        if kind == "person":
            return Request(kind, "GET", f"/people/{choose(cat['persons'])}/")
        if kind == "household":
            return Request(kind, "GET", f"/households/{choose(cat['households'])}/")
        if kind == "queue":
            tab, pages = choose(cat["tabs"])
            query = {"tab": tab}
            if rng.random() < 0.3:
                query["status"] = choose(cat["statuses"])
            if rng.random() < 0.3:
                query["category"] = choose(cat["category_branches"])
            if len(query) == 1:
                query["page"] = str(_page(rng, pages))
            return Request(kind, "GET", "/cases/?" + urllib.parse.urlencode(query))
        if kind == "case":
            return Request(kind, "GET", f"/cases/{choose(cat['cases'])}/")
        if kind == "api person":
            return Request(kind, "GET", f"/api/v1/persons/{choose(cat['persons'])}")
        if kind == "api persons":
            code, pages = choose(cat["people_areas"])
            query = {"area": code, "limit": "20", "offset": str(20 * (_page(rng, pages) - 1))}
            if rng.random() < 0.5:
                query["q"] = choose(cat["names"])
            return Request(kind, "GET", "/api/v1/persons?" + urllib.parse.urlencode(query))
        if kind == "api cases":
            tab, pages = choose(cat["tabs"])
            offset = 20 * (_page(rng, pages) - 1)
            return Request(kind, "GET", f"/api/v1/cases?queue={tab}&limit=20&offset={offset}")
        if kind == "api case":
            return Request(kind, "GET", f"/api/v1/cases/{choose(cat['cases'])}")
        if kind == "api stats":
            return Request(kind, "GET", f"/api/v1/areas/{choose(cat['areas'])}/stats")
        if kind == "report":
            self.serial += 1
            body, content_type = _multipart(
                {
                    "csrfmiddlewaretoken": self._csrf(user, port),
                    "category": choose(cat["leaves"]),
                    "track": "",
                    "title": f"bench report {self.serial}",
                    "description": "reported by the mixed workload",
                    "lon": "",
                    "lat": "",
                    "building": str(choose(cat["buildings"])),
                    "address": "",
                    "source": "patrol",
                }
            )
            return Request(
                kind, "POST", "/cases/new/", body, {"Content-Type": content_type}, (302,), "created"
            )
        if kind == "api report":
            self.serial += 1
            fields = {
                "category": choose(cat["leaves"]),
                "title": f"bench api report {self.serial}",
                "building_id": str(choose(cat["buildings"])),
                "source": "patrol",
            }
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self._csrf(user, port),
            }
            body = urllib.parse.urlencode(fields).encode()
            return Request(kind, "POST", "/api/v1/cases", body, headers, (201,), "created")
        if kind == "edit person":
            person = choose(cat["editable_persons"])
            self.serial += 1
            body = json.dumps({"work": f"bench edit {self.serial}"}).encode()
            headers = {"Content-Type": "application/json", "X-CSRFToken": self._csrf(user, port)}
            return Request(kind, "PATCH", f"/api/v1/persons/{person}", body, headers, (200,))
        if kind == "act":
            left = user.actions_left(slot)
            if not left:
                return None
            action = choose(sorted(left))
            case = user.next_case(slot, action)
            fields = {"csrfmiddlewaretoken": self._csrf(user, port), "note": "bench", "version": ""}
            if action == "accept":
                fields["track"] = "coordination"
            elif action == "dispatch":
                fields["department"] = choose(cat["departments"])
            body, content_type = _multipart(fields)
            return Request(
                f"act {action}",
                "POST",
                f"/cases/{case}/act/{action}/",
                body,
                {"Content-Type": content_type},
                (302,),
                "message",
            )
        raise ValueError(f"unknown kind {kind!r}")


def _messages_level(cookie_value: str) -> tuple[int, str]:
    """The highest level and its text among the messages in Django's `messages` cookie."""
    try:
        data = cookie_value.split(":", 1)[0]  # then the time and the signature
        compressed = data.startswith(".")
        raw = base64.urlsafe_b64decode(data.lstrip(".") + "=" * (-len(data.lstrip(".")) % 4))
        if compressed:
            raw = zlib.decompress(raw)
        found = json.loads(raw)
    except (ValueError, zlib.error):
        return 0, ""
    best = (0, "")
    for item in found if isinstance(found, list) else []:
        if isinstance(item, list) and len(item) >= 4 and item[0] == "__json_message":
            best = max(best, (int(item[2]), str(item[3])))
    return best


class Connection:
    def __init__(self, index: int, users: list[User], plan: dict[str, Any], records: list[list[Any]]) -> None:
        self.index, self.users, self.plan, self.records = index, users, plan, records
        self.mix = Mix(plan)
        self.http: http.client.HTTPConnection | None = None
        self.port = 0

    def connect(self, port: int) -> None:
        if self.http is not None and self.port == port:
            return
        if self.http is not None:
            self.http.close()
        self.port = port
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)

    def send(self, user: User, request: Request, rid: str) -> tuple[int, bytes, list[str], str]:
        """(status, body, Set-Cookie headers, Location); status 0 when the connection failed."""
        assert self.http is not None
        jar = user.jar(self.port)
        headers = {"X-Bench-Id": rid, "Host": "127.0.0.1", **request.headers}
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        try:
            self.http.request(request.method, request.path, body=request.body, headers=headers)
            response = self.http.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.http.close()
            return 0, type(exc).__name__.encode(), [], ""
        cookies = response.headers.get_all("Set-Cookie") or []
        if response.will_close:
            self.http.close()  # gunicorn's sync workers answer one request per connection
        return response.status, body, cookies, response.headers.get("Location", "")

    def keep_cookies(self, user: User, cookies: list[str]) -> str:
        """Keeps the session and CSRF cookies; returns the `messages` cookie's value (not kept)."""
        messages = ""
        for header in cookies:
            parsed = SimpleCookie()
            try:
                parsed.load(header)
            except Exception:  # noqa: BLE001, S112 - a cookie we cannot parse is not one of ours
                continue
            for name, morsel in parsed.items():
                if name == "messages":
                    messages = morsel.value
                elif name in (self.plan["session_cookie"], self.plan["csrf_cookie"]):
                    if morsel.value:
                        user.jar(self.port)[name] = morsel.value
                    else:
                        user.jar(self.port).pop(name, None)
        return messages

    def run(
        self, command: dict[str, Any], rng: random.Random, stop_at: float, counter: Callable[[], str]
    ) -> None:
        mode, slot, round_ = command["mode"], command.get("slot", ""), command.get("round", 0)
        allowed = set(command.get("kinds") or [])
        limit = int(command.get("max") or 10**9)
        self.connect(int(command["port"]))
        made = 0
        # Paced (open loop): the kth request is due at start + k * interval, and its latency counts
        # from then, so a stall delays every request due during it (not only the one in flight).
        interval = float(command.get("interval") or 0)
        until_pid = int(command.get("until_pid") or 0)
        start = time.monotonic() + interval * self.index / 16
        users = self.users
        if allowed:
            users = [u for u in users if allowed & set(u.kinds)]
            if not users:
                return
        # With until_pid, "seconds" counts from when that process ends; paced, every request due
        # before the end is sent (those held up by a stall too, late).
        seconds, end = float(command["seconds"]), stop_at if not until_pid else float("inf")
        while made < limit:
            now = time.monotonic()
            if until_pid and end == float("inf") and not _alive(until_pid):
                end = now + seconds
            due = start + made * interval if interval else now
            if due >= end:
                break
            if interval and due > time.monotonic():
                time.sleep(due - time.monotonic())
            user = rng.choice(users)
            if mode == "bare":
                person = rng.choice(self.plan["bare_persons"])
                request = Request("bare", "GET", f"/bench/bare-view/{command['size']}/{person}/")
            else:
                kinds, weights = user.kinds, user.weights
                if allowed or mode == "warm":
                    pairs = [
                        (k, w)
                        for k, w in zip(kinds, weights, strict=True)
                        if (k in allowed if allowed else k in READ_KINDS)
                    ]
                    if not pairs:
                        continue
                    kinds, weights = [p[0] for p in pairs], [p[1] for p in pairs]
                kind = rng.choices(kinds, weights)[0]
                request = self.mix.build(kind, user, rng, slot, self.port)
                if request is None:  # no case left in the user's pools: a report instead (or a read)
                    fallback = "report" if "report" in user.kinds else "case"
                    request = self.mix.build(fallback, user, rng, slot, self.port)
                    assert request is not None
                    request.kind = f"{fallback} (pool empty)"
            rid = counter()
            wall, started = time.time(), time.perf_counter()
            if interval:  # from when it was due
                lag = max(0.0, time.monotonic() - due)
                wall, started = wall - lag, started - lag
            status, body, cookies, location = self.send(user, request, rid)
            ms = (time.perf_counter() - started) * 1000
            messages = self.keep_cookies(user, cookies)
            ok, err, created = evaluate(request, status, body, messages, location)
            timing = (f"{wall:.6f}", f"{ms:.3f}", len(body))
            self.records.append(
                [
                    slot,
                    mode,
                    round_,
                    request.kind,
                    status,
                    int(ok),
                    err,
                    *timing,
                    rid,
                    self.index,
                    created,
                    user.index,
                ]
            )
            made += 1

    def login(self, port: int) -> list[str]:
        """Signs each user in through the login form; returns the names that failed."""
        self.connect(port)
        failed = []
        for user in self.users:
            jar = user.jar(port)
            jar.clear()
            status, _body, cookies, _loc = self.send(user, Request("login", "GET", "/login/"), "login")
            self.keep_cookies(user, cookies)
            fields = {
                "csrfmiddlewaretoken": jar.get(self.plan["csrf_cookie"], ""),
                "username": user.name,
                "password": user.spec["password"],
            }
            body = urllib.parse.urlencode(fields).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            post = Request("login", "POST", "/login/", body, headers, (302,))
            status, _body, cookies, _loc = self.send(user, post, "login")
            self.keep_cookies(user, cookies)
            if status != 302 or self.plan["session_cookie"] not in jar:
                failed.append(user.name)
        return failed


READ_KINDS = frozenset(
    {
        "home",
        "area",
        "people",
        "search",
        "person",
        "household",
        "queue",
        "case",
        "api person",
        "api persons",
        "api cases",
        "api case",
        "api stats",
    }
)


def _alive(pid: int) -> bool:
    """The process runs (a zombie, ended but not yet reaped by its parent, does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def evaluate(
    request: Request, status: int, body: bytes, messages: str, location: str
) -> tuple[bool, str, str]:
    """(as expected, what went wrong, the id of the case made) for one answer."""
    if status not in request.expect:
        return False, (f"status {status}" if status else body.decode()[:40]), ""
    if request.check == "message":
        if not messages:  # every action leaves a message, success or not (web/views/cases.py)
            return False, "unverified: no message cookie", ""
        level, text = _messages_level(messages)
        if level >= MESSAGE_ERROR_LEVEL:
            return False, "refused: " + text[:60].replace("\n", " "), ""
    if request.check == "created":
        return True, "", _created_id(location, body)
    return True, "", ""


def _created_id(location: str, body: bytes) -> str:
    if location:
        parts = [p for p in location.split("/") if p]
        return parts[-1] if parts and parts[-1].isdigit() else ""
    try:
        return str(json.loads(body).get("id", ""))
    except (ValueError, AttributeError):
        return ""


class Client:
    def __init__(self, plan: dict[str, Any], process: int) -> None:
        self.plan, self.process = plan, process
        users = [User(spec) for spec in plan["users"]]
        self.records: list[list[Any]] = []
        self.connections = []
        for index in plan["processes"][process]:
            mine = [users[u] for u in plan["connections"][index]]
            self.connections.append(Connection(index, mine, plan, self.records))
        self.serial = 0
        self.lock = threading.Lock()
        self.gc_pauses: list[dict[str, Any]] = []
        self._gc_started = 0.0
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif info.get("generation") == 2 or time.perf_counter() - self._gc_started > 0.002:
            ms = (time.perf_counter() - self._gc_started) * 1000
            self.gc_pauses.append({"t": time.time() - ms / 1000, "gen": info.get("generation"), "ms": ms})

    def counter(self) -> str:
        with self.lock:
            self.serial += 1
            return f"{self.process}-{self.serial}"

    def run(self, command: dict[str, Any]) -> dict[str, Any]:
        seed = self.plan["seed"]
        cpu0, wall0 = os.times(), time.monotonic()
        stop_at = wall0 + float(command["seconds"])
        self.records.clear()
        pauses_before = len(self.gc_pauses)
        threads = []
        for conn in self.connections:
            rng = random.Random(f"{seed}-{conn.index}-{command.get('round', 0)}-{command['mode']}")
            threads.append(threading.Thread(target=conn.run, args=(command, rng, stop_at, self.counter)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - wall0
        cpu1 = os.times()
        with open(command["out"], "a", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(self.records)
        return {
            "n": len(self.records),
            "wall": wall,
            "cpu": (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system),
            "gc": self.gc_pauses[pauses_before:],
        }


def main(argv: list[str]) -> None:
    plan = json.loads(open(argv[0], encoding="utf-8").read())  # noqa: SIM115
    client = Client(plan, int(argv[1]))
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "quit":
            break
        if command["cmd"] == "login":
            failed = [name for conn in client.connections for name in conn.login(int(command["port"]))]
            answer: dict[str, Any] = {"failed": failed}
        else:
            answer = client.run(command)
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
