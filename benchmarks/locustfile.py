"""The people of the load test, for locust (started by ``load.py``).

Each simulated person takes one persona from the plan ``load.py`` wrote
(``LOAD_PLAN``): a session already signed in (signing in is not part of the
load) and the pages that are theirs. They pause 1 to 5 seconds between
requests. Applicants who write save answers again and again; applicants
near the deadline check their answers and submit once; assessors work
their queue and scoring pages; casework officers and decision officials
work their lists; the public searches the register.

Every save sent (marked when the service acknowledged it with its redirect
after the post) and every acknowledged submission is written to
``LOAD_ACKNOWLEDGED`` at the end, for ``load.py`` to find in the database.
"""

import itertools
import json
import os
import random
import re
import uuid
from http.cookiejar import Cookie
from urllib.parse import urlsplit

from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115
ACKNOWLEDGED = {"saves": [], "submissions": []}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
_personas = {kind: itertools.cycle(PLAN[kind]) for kind in PLAN if PLAN[kind]}


def session_cookie(host, session):
    """The signed-in person's session cookie, for ``host``'s cookie jar."""
    domain = urlsplit(host).hostname
    return Cookie(
        version=0,
        name="sessionid",
        value=session,
        port=None,
        port_specified=False,
        domain=domain,
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=False,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={},
    )


class Person(FastHttpUser):
    """Simulated with locust's lean HTTP client: the load generator shares
    the machine's two cores with the service it measures, so the less it
    spends on each request the more the service's own figures show."""

    abstract = True
    kind = None
    wait_time = between(1, 5)

    def on_start(self):
        if self.kind not in _personas:
            raise StopUser()  # the data has nobody of this kind (a small scale)
        self.persona = next(_personas[self.kind])
        self.client.cookiejar.set_cookie(session_cookie(self.host, self.persona["session"]))

    def get(self, url, name=None):
        return self.client.get(url, name=name or url, allow_redirects=False)

    def post(self, url, data, name):
        page = self.client.get(url, name=f"{name} (form)")
        token = CSRF.search(page.text)
        if token is None:
            return None, page
        data = {"csrfmiddlewaretoken": token[1], **data}
        response = self.client.post(
            url, data=data, name=name, allow_redirects=False, headers={"Referer": url}
        )
        return response, page


class Writer(Person):
    """An applicant writing their proposal: saves answers."""

    kind = "writers"
    weight = 5

    @task(4)
    def save_answer(self):
        url = random.choice(self.persona["answers"])
        text = f"Our evidence, draft {uuid.uuid4().hex}."
        page = self.client.get(url, name="answer (form)")
        token, version = CSRF.search(page.text), VERSION.search(page.text)
        if token is None or version is None:
            return
        # Sent, whether or not the answer comes back: one the run's end cuts
        # off may still be saved, after the last acknowledged one.
        sent = {"url": url, "text": text, "acknowledged": False}
        ACKNOWLEDGED["saves"].append(sent)
        response = self.client.post(
            url,
            data={"csrfmiddlewaretoken": token[1], "text": text, "version": version[1]},
            name="answer (save)",
            allow_redirects=False,
            headers={"Referer": url},
        )
        if response.status_code == 302:
            sent["acknowledged"] = True

    @task(1)
    def task_list(self):
        self.get(self.persona["task_list"], name="task list")


class Submitter(Person):
    """An applicant near the deadline: checks their answers, submits once."""

    kind = "submitters"
    weight = 2

    def on_start(self):
        super().on_start()
        self.submitted = False

    @task
    def check_and_submit(self):
        if self.submitted:
            self.get(self.persona["task_list"], name="task list")
            return
        if random.random() < 0.5:
            self.get(self.persona["check"], name="check answers")
            return
        response, _ = self.post(self.persona["check"], {}, name="submit")
        if response is not None and response.status_code == 302:
            self.submitted = True
            ACKNOWLEDGED["submissions"].append({"case": self.persona["case"]})


class Assessor(Person):
    kind = "assessors"
    weight = 3

    @task(1)
    def queue(self):
        self.get(self.persona["queue"], name="assessor queue")

    @task(3)
    def scoring_page(self):
        if self.persona["scoring"]:
            self.get(random.choice(self.persona["scoring"]), name="scoring page")


class Officer(Person):
    """Casework officers and decision officials working their lists."""

    kind = "officers"
    weight = 3

    @task
    def lists(self):
        self.get(random.choice(self.persona["pages"]), name=None)


class Public(Person):
    kind = "public"
    weight = 7

    def on_start(self):
        self.persona = next(_personas[self.kind])  # nobody signed in: no session

    @task(3)
    def search(self):
        word = random.choice(self.persona["words"])
        self.get(f"/register/?q={word}", name="register search")

    @task(1)
    def filtered(self):
        self.get(random.choice(self.persona["filtered"]), name="register search, filtered")

    @task(2)
    def provider(self):
        self.get(f"/register/{random.choice(self.persona['providers'])}/", name="provider")


@events.test_stop.add_listener
def write_acknowledged(**kwargs):
    with open(os.environ["LOAD_ACKNOWLEDGED"], "w") as handle:
        json.dump(ACKNOWLEDGED, handle)
