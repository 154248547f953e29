"""The case timeline (SPEC: "What every page and action holds to -> Audit"):
append-only, refused by the database on PostgreSQL, each event hash-chained to
the case's previous one, the chain's head kept on the case, every head anchored
daily under an HMAC, all checked by ``verify_timeline``."""

import json
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accreditation import timeline
from accreditation.models import CaseEvent, TimelineAnchor
from accreditation.models.timeline import GENESIS_HASH, AppendOnlyError
from accreditation.roles import Role
from accreditation.tasks import anchor_timeline
from accreditation.workflow import move
from proposals.models import Proposal
from tests.factories import (
    AssignmentFactory,
    CaseEventFactory,
    MembershipFactory,
    ProposalFactory,
    UserFactory,
)

TRIGGERS = [
    (table, f"{table}_{kind}")
    for table in ("accreditation_caseevent", "accreditation_timelineanchor")
    for kind in ("append_only", "no_truncate")
]


def events_of(case):
    return list(CaseEvent.objects.filter(case_id=case.pk).order_by("sequence"))


def a_case_with_history():
    """A case submitted, screened and asked for information, with a note."""
    case = ProposalFactory()
    applicant = MembershipFactory(organisation=case.organisation).user
    officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
    assessor = UserFactory(roles=[Role.ASSESSOR])
    move(
        case,
        "submit",
        applicant,
        changes={"reference": f"ASP-2026-{case.pk:04d}", "submitted_at": timezone.now()},
    )
    move(case, "screen_eligible", officer)
    timeline.record(case, "assessor_assigned", officer, details={"assessor": assessor.pk})
    AssignmentFactory(case=case, assessor=assessor)
    move(case, "request_information", assessor, details={"questions": ["Show 2A", "Show 2B"]})
    return case


def tamper(sql, params, table="accreditation_caseevent"):
    """Change timeline rows behind the service's back: on PostgreSQL only with
    the append-only trigger switched off, as an intruder with DDL rights would."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            # The test's own inserts leave deferred foreign-key checks pending,
            # which ALTER TABLE will not run over: settle them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        cursor.execute(sql, params)
        assert cursor.rowcount == 1
        if postgres:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def head_of(case):
    return Proposal.objects.values_list("timeline_sequence", "timeline_hash").get(pk=case.pk)


def rewrite_and_rechain(case, sequence, details):
    """What an intruder with the database's credentials can do: change an
    event, recompute every hash from there so the chain links up again, and
    move the case's head to the new last hash."""
    prev = None
    for event in events_of(case):
        if event.sequence == sequence:
            event.details = details
        if event.sequence >= sequence:
            event.prev_hash = prev
            event.hash = event.compute_hash()
            tamper(
                "UPDATE accreditation_caseevent SET details = %s, prev_hash = %s, hash = %s "
                "WHERE id = %s",
                [json.dumps(event.details), event.prev_hash, event.hash, event.pk],
            )
        prev = event.hash
    Proposal.objects.filter(pk=case.pk).update(timeline_hash=prev)


def run_verify(*args):
    out, err = StringIO(), StringIO()
    call_command("verify_timeline", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- The chain --------------------------------------------------------------


@pytest.mark.django_db
def test_events_chain_in_sequence():
    case = a_case_with_history()
    other = a_case_with_history()
    events = events_of(case)
    assert [e.sequence for e in events] == [1, 2, 3, 4]
    assert [e.action for e in events] == [
        "submit",
        "screen_eligible",
        "assessor_assigned",
        "request_information",
    ]
    assert events[0].prev_hash == GENESIS_HASH
    for previous, event in zip(events, events[1:], strict=False):
        assert event.prev_hash == previous.hash
    for event in events:  # as read back from the database
        assert event.hash == event.compute_hash()
    assert len({e.hash for e in events + events_of(other)}) == 8
    assert [e.sequence for e in events_of(other)] == [1, 2, 3, 4]
    assert list(timeline.verify(CaseEvent.objects.order_by("case_id", "sequence"))) == []


@pytest.mark.django_db
def test_the_hash_covers_who_what_and_when():
    case = a_case_with_history()
    event = events_of(case)[1]
    original = event.hash
    for field, value in [
        ("actor_id", None),
        ("action", "screen_ineligible"),
        ("to_status", "closed_ineligible"),
        ("details", {"reason": "added later"}),
        ("internal", True),
        ("created_at", event.created_at - timedelta(days=1)),
        ("sequence", 7),
        ("prev_hash", GENESIS_HASH),
    ]:
        kept = getattr(event, field)
        setattr(event, field, value)
        assert event.compute_hash() != original, field
        setattr(event, field, kept)
    assert event.compute_hash() == original


@pytest.mark.django_db
def test_an_event_written_with_a_london_time_still_verifies():
    """Times are reasoned about in Europe/London; an event stamped with a
    London time must hash the same when read back (in UTC) from the database."""
    summer = datetime(2026, 7, 1, 17, 0, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(summer - timedelta(days=1), tick=False):
        case = ProposalFactory(status="submitted")
    officer = UserFactory(roles=[Role.CASEWORK_OFFICER])
    move(case, "screen_eligible", officer, when=summer)
    *walk, event = events_of(case)
    assert event.created_at == summer
    assert list(timeline.verify([*walk, event])) == []
    out, _ = run_verify()
    assert "Timeline intact" in out


@pytest.mark.django_db
def test_details_that_json_changes_on_the_way_in_still_verify():
    from decimal import Decimal

    case = ProposalFactory()
    when = timezone.now()
    CaseEventFactory(
        case=case,
        action="note",
        details={"score": Decimal("3.50"), "at": when, "parts": ("1A", "2B"), "n": 2, "x": 0.1},
    )
    (event,) = events_of(case)
    assert list(timeline.verify([event])) == []


# --- Append-only -------------------------------------------------------------


@pytest.mark.django_db
class TestAppendOnly:
    def test_saving_a_changed_event_is_refused(self):
        event = events_of(a_case_with_history())[0]
        event.details = {"reason": "rewritten"}
        with pytest.raises(AppendOnlyError):
            event.save()
        with pytest.raises(AppendOnlyError):
            event.save(update_fields=["details"])
        event.refresh_from_db()
        assert event.details == {}

    def test_deleting_an_event_is_refused(self):
        case = a_case_with_history()
        event = events_of(case)[0]
        with pytest.raises(AppendOnlyError):
            event.delete()
        assert len(events_of(case)) == 4

    def test_queryset_update_and_delete_are_refused(self):
        case = a_case_with_history()
        with pytest.raises(AppendOnlyError):
            CaseEvent.objects.filter(case=case).update(details={})
        with pytest.raises(AppendOnlyError):
            CaseEvent.objects.filter(case=case).delete()
        with pytest.raises(AppendOnlyError):
            CaseEvent.objects.all().delete()
        with pytest.raises(AppendOnlyError):
            case.events.all().update(internal=True)
        assert len(events_of(case)) == 4
        assert list(timeline.verify(events_of(case))) == []

    def test_bulk_update_is_refused(self):
        case = a_case_with_history()
        events = events_of(case)
        for event in events:
            event.internal = True
        with pytest.raises(AppendOnlyError):
            CaseEvent.objects.bulk_update(events, ["internal"])
        assert not CaseEvent.objects.filter(case=case, internal=True).exists()

    def test_a_case_with_a_timeline_cannot_be_deleted(self):
        from django.db.models import ProtectedError

        case = a_case_with_history()
        with pytest.raises(ProtectedError):
            Proposal.objects.filter(pk=case.pk).delete()
        assert len(events_of(case)) == 4


@pytest.mark.postgres
@pytest.mark.django_db
class TestTrigger:
    def test_raw_update_is_refused_by_the_database(self):
        case = a_case_with_history()
        event = events_of(case)[1]
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE accreditation_caseevent SET details = %s WHERE id = %s",
                    ['{"reason": "rewritten"}', event.pk],
                )
        event.refresh_from_db()
        assert event.details == {}
        assert list(timeline.verify(events_of(case))) == []

    def test_raw_delete_is_refused_by_the_database(self):
        case = a_case_with_history()
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM accreditation_caseevent WHERE case_id = %s", [case.pk])
        assert len(events_of(case)) == 4

    @pytest.mark.parametrize("table", ["accreditation_caseevent", "accreditation_timelineanchor"])
    def test_truncate_is_refused_by_the_database(self, table):
        case = a_case_with_history()
        timeline.take_anchor()
        for statement in (f"TRUNCATE {table}", f"TRUNCATE {table} CASCADE"):
            with pytest.raises(DatabaseError, match=f"{table} is append-only .TRUNCATE refused"):
                with transaction.atomic(), connection.cursor() as cursor:
                    # Settle the test's own deferred checks, which TRUNCATE
                    # would otherwise stop at before the trigger runs.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute(statement)
        assert len(events_of(case)) == 4
        assert TimelineAnchor.objects.count() == 1

    def test_an_anchor_cannot_be_changed_or_removed(self):
        a_case_with_history()
        anchor, _ = timeline.take_anchor()
        for statement in (
            "UPDATE accreditation_timelineanchor SET mac = 'forged'",
            "DELETE FROM accreditation_timelineanchor",
        ):
            with pytest.raises(DatabaseError, match="append-only"):
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(statement)
        assert TimelineAnchor.objects.get().mac == anchor.mac

    def test_the_triggers_are_installed_and_enabled(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger "
                "WHERE tgname LIKE 'accreditation%%' ORDER BY 1, 2"
            )
            assert cursor.fetchall() == [(table, name, "O") for table, name in TRIGGERS]


# --- The verify_timeline command --------------------------------------------


@pytest.mark.django_db
class TestVerifyCommand:
    def test_untouched_timelines_pass(self):
        a_case_with_history()
        a_case_with_history()
        out, err = run_verify()
        assert "Timeline intact: 8 events checked." in out
        assert err == ""

    def test_an_empty_timeline_passes(self):
        out, _ = run_verify()
        assert "Timeline intact: 0 events checked." in out

    def test_changed_details_are_found_and_named(self):
        untouched = a_case_with_history()
        case = a_case_with_history()
        event = events_of(case)[2]
        tamper(
            "UPDATE accreditation_caseevent SET details = %s WHERE id = %s",
            ['{"assessor": 999999}', event.pk],
        )
        with pytest.raises(CommandError) as failure:
            run_verify()
        message = str(failure.value)
        assert f"case {case.pk}, event 3: its content does not match its hash" in message
        assert f"case {untouched.pk}" not in message
        assert "1 break(s) in 8 events" in message
        if connection.vendor == "postgresql":  # the trigger is back on after tampering
            with pytest.raises(DatabaseError, match="append-only"):
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("DELETE FROM accreditation_caseevent WHERE id = %s", [event.pk])
        # Only that case breaks; the untouched one still verifies on its own.
        out, _ = run_verify("--case", str(untouched.pk))
        assert "Timeline intact: 4 events checked." in out
        with pytest.raises(CommandError, match=f"case {case.pk}, event 3"):
            run_verify("--case", str(case.pk))

    def test_a_rehashed_event_breaks_the_link_to_the_next(self):
        case = a_case_with_history()
        event = events_of(case)[1]
        event.details = {"note": "forged"}
        forged = event.compute_hash()
        tamper(
            "UPDATE accreditation_caseevent SET details = %s, hash = %s WHERE id = %s",
            ['{"note": "forged"}', forged, event.pk],
        )
        with pytest.raises(CommandError) as failure:
            run_verify()
        assert f"case {case.pk}, event 3: does not follow the previous event" in str(failure.value)

    def test_a_removed_event_is_found_and_named(self):
        case = a_case_with_history()
        event = events_of(case)[1]
        tamper("DELETE FROM accreditation_caseevent WHERE id = %s", [event.pk])
        err = StringIO()
        with pytest.raises(CommandError) as failure:
            call_command("verify_timeline", stdout=StringIO(), stderr=err)
        assert f"case {case.pk}, event 3: expected event 2" in str(failure.value)
        assert f"BREAK case {case.pk}, event 3: expected event 2" in err.getvalue()

    def test_events_removed_from_the_end_are_found_by_the_status_they_leave(self):
        case = a_case_with_history()
        last = events_of(case)[-1]
        tamper("DELETE FROM accreditation_caseevent WHERE id = %s", [last.pk])
        with pytest.raises(CommandError) as failure:
            run_verify()
        assert (
            f"case {case.pk}, event 3: the case is ‘information_requested’ but its timeline "
            "last moved it to ‘in_assessment’" in str(failure.value)
        )

    def test_the_last_event_removed_with_no_change_of_status_is_found_by_the_head(self):
        case = a_case_with_history()
        timeline.record(case, "proposal_pdf_downloaded", None)
        note = events_of(case)[-1]
        tamper("DELETE FROM accreditation_caseevent WHERE id = %s", [note.pk])
        assert list(timeline.verify(events_of(case))) == [], "the chain alone cannot show it"
        with pytest.raises(CommandError) as failure:
            run_verify()
        assert str(failure.value) == (
            f"1 break(s) in 4 events: case {case.pk}, event 4: the case records event 5 "
            "as its last but its timeline ends here."
        )

    def test_a_head_that_does_not_match_the_last_event_is_found(self):
        case = a_case_with_history()
        Proposal.objects.filter(pk=case.pk).update(timeline_hash="f" * 64)
        with pytest.raises(
            CommandError,
            match=(f"case {case.pk}, event 4: the case's record of its last event does not match"),
        ):
            run_verify()

    def test_a_submitted_case_with_no_timeline_is_found(self):
        case = ProposalFactory()
        # Submitted behind the workflow's back, as only an intruder could.
        Proposal.objects.filter(pk=case.pk).update(
            status="submitted", reference="ASP-2026-0001", submitted_at=timezone.now()
        )
        with pytest.raises(CommandError) as failure:
            run_verify("--case", str(case.pk))
        assert "the case is ‘submitted’ but its timeline last moved it to ‘draft’" in str(
            failure.value
        )


# --- The chain head on the case ------------------------------------------------


@pytest.mark.django_db
def test_every_event_moves_the_case_head_and_the_callers_copy():
    case = a_case_with_history()
    last = events_of(case)[-1]
    assert head_of(case) == (4, last.hash)
    assert (case.timeline_sequence, case.timeline_hash) == (4, last.hash)
    event = timeline.record(case, "proposal_pdf_downloaded", None)
    assert head_of(case) == (5, event.hash) == (case.timeline_sequence, case.timeline_hash)
    assert head_of(ProposalFactory()) == (0, GENESIS_HASH)


@pytest.mark.django_db
def test_recording_with_a_stale_copy_of_the_case_still_chains():
    case = a_case_with_history()
    stale = Proposal.objects.get(pk=case.pk)
    timeline.record(case, "note", None)
    timeline.record(stale, "note", None)
    assert [e.sequence for e in events_of(case)] == [1, 2, 3, 4, 5, 6]
    assert list(timeline.verify(events_of(case))) == []
    assert head_of(case) == (6, events_of(case)[-1].hash)


# --- Daily anchors -------------------------------------------------------------


def anchored_cases():
    return TimelineAnchor.objects.get().case_heads()


@pytest.mark.django_db
class TestAnchors:
    def test_the_daily_task_anchors_every_head_once_a_day(self):
        case = a_case_with_history()
        ProposalFactory()  # no events: nothing to anchor
        assert anchor_timeline()["created"] is True
        again = anchor_timeline()
        assert again == {"date": timezone.localdate().isoformat(), "cases": 1, "created": False}
        anchor = TimelineAnchor.objects.get()
        assert anchor.case_heads() == {case.pk: (4, events_of(case)[-1].hash)}
        assert anchor.previous_mac == ""
        with time_machine.travel(timezone.now() + timedelta(days=1)):
            assert anchor_timeline()["created"] is True
        first, second = TimelineAnchor.objects.order_by("date")
        assert second.previous_mac == first.mac
        out, err = run_verify()
        assert f"Checked against the anchor of {second.date}: 1 case(s)." in out
        assert "Timeline intact: 4 events checked." in out and err == ""

    def test_the_task_is_scheduled(self):
        task = PeriodicTask.objects.get(task="accreditation.tasks.anchor_timeline")
        assert task.enabled and task.interval.every == 3600

    def test_an_anchor_cannot_be_changed_through_the_orm(self):
        a_case_with_history()
        anchor, _ = timeline.take_anchor()
        anchor.mac = "0" * 64
        with pytest.raises(AppendOnlyError):
            anchor.save()
        with pytest.raises(AppendOnlyError):
            TimelineAnchor.objects.all().delete()

    def test_a_chain_rewritten_and_recomputed_is_found_only_by_the_anchor(self):
        untouched = a_case_with_history()
        case = a_case_with_history()
        timeline.take_anchor()
        rewrite_and_rechain(case, 3, {"assessor": 999999})
        assert list(timeline.verify(CaseEvent.objects.order_by("case_id", "sequence"))) == []
        assert list(timeline.case_mismatches(Proposal.objects.all())) == []
        with override_settings(TIMELINE_ANCHOR_KEY=""):
            out, err = run_verify()  # without the anchors nothing shows
        assert "Timeline intact: 8 events checked." in out
        assert "WARNING TIMELINE_ANCHOR_KEY is not set" in err
        with pytest.raises(CommandError) as failure:
            run_verify()
        assert str(failure.value) == (
            f"1 break(s) in 8 events: case {case.pk}, event 4: differs from the anchor of "
            f"{timezone.localdate()}: the chain was rewritten."
        )
        out, _ = run_verify("--case", str(untouched.pk))
        assert "Checked against the anchor" in out and "Timeline intact" in out

    def test_events_that_are_newer_than_the_anchor_are_checked_by_the_chain(self):
        case = a_case_with_history()
        timeline.take_anchor()
        timeline.record(case, "note", None, details={"n": 1})
        timeline.record(case, "note", None, details={"n": 2})
        out, _ = run_verify()
        assert "Timeline intact: 6 events checked." in out
        rewrite_and_rechain(case, 5, {"n": 99})
        out, _ = run_verify()  # after the anchor: the chain alone vouched for it
        assert "Timeline intact: 6 events checked." in out

    def test_an_anchored_event_removed_with_the_head_moved_back_is_found(self):
        case = a_case_with_history()
        timeline.take_anchor()
        last = events_of(case)[-1]
        tamper("DELETE FROM accreditation_caseevent WHERE id = %s", [last.pk])
        Proposal.objects.filter(pk=case.pk).update(
            timeline_sequence=3, timeline_hash=last.prev_hash, status="in_assessment"
        )
        with pytest.raises(CommandError) as failure:
            run_verify()
        assert str(failure.value) == (
            f"1 break(s) in 3 events: case {case.pk}, event 4: is missing but the anchor of "
            f"{timezone.localdate()} has it."
        )

    def test_an_anchor_rewritten_to_match_a_rewritten_chain_fails_its_mac(self):
        case = a_case_with_history()
        anchor, _ = timeline.take_anchor()
        rewrite_and_rechain(case, 2, {"note": "forged"})
        heads = {str(case.pk): [4, events_of(case)[-1].hash]}
        tamper(
            "UPDATE accreditation_timelineanchor SET heads = %s WHERE id = %s",
            [json.dumps(heads), anchor.pk],
            table="accreditation_timelineanchor",
        )
        with pytest.raises(CommandError) as failure:
            run_verify()
        assert str(failure.value) == (
            f"1 break(s) in 4 events: anchor of {anchor.date}: its MAC does not verify: "
            "forged or changed."
        )

    def test_an_anchor_removed_from_the_middle_is_found(self):
        a_case_with_history()
        start = timezone.now()
        for day in range(3):
            with time_machine.travel(start + timedelta(days=day)):
                timeline.take_anchor()
        first, middle, last = TimelineAnchor.objects.order_by("date")
        tamper(
            "DELETE FROM accreditation_timelineanchor WHERE id = %s",
            [middle.pk],
            table="accreditation_timelineanchor",
        )
        with pytest.raises(
            CommandError, match=(f"anchor of {last.date}: does not follow the anchor before it")
        ):
            run_verify()

    def test_with_no_key_no_anchor_is_taken(self):
        a_case_with_history()
        with override_settings(TIMELINE_ANCHOR_KEY=""), pytest.raises(ImproperlyConfigured):
            anchor_timeline()
        assert not TimelineAnchor.objects.exists()

    def test_an_anchor_under_another_key_does_not_verify(self):
        a_case_with_history()
        with override_settings(TIMELINE_ANCHOR_KEY="another-key-another-key-another-key"):
            anchor, _ = timeline.take_anchor()
        with pytest.raises(CommandError, match=f"anchor of {anchor.date}: its MAC does not"):
            run_verify()

    def test_with_no_anchor_yet_the_command_says_so(self):
        a_case_with_history()
        out, err = run_verify()
        assert "No anchor to check against yet" in out and err == ""


# --- verify() on its own (no database) ----------------------------------------


def chain(case_id, length, start=None):
    """An in-memory, unsaved timeline of ``length`` events for one case."""
    case = Proposal(id=case_id)
    start = start or datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("UTC"))
    events, prev = [], None
    for n in range(1, length + 1):
        event = timeline.new_event(
            case,
            sequence=n,
            prev_hash=prev,
            action="note",
            actor=None,
            details={"n": n},
            when=start + timedelta(minutes=n),
        )
        events.append(event)
        prev = event.hash
    return events


def problems(events):
    return [str(b) for b in timeline.verify(events)]


def test_verify_accepts_intact_chains_of_several_cases():
    assert problems(chain(1, 5) + chain(2, 3)) == []
    assert problems([]) == []


def test_verify_finds_a_tampered_event():
    events = chain(1, 4) + chain(2, 2)
    events[1].details = {"n": 99}
    assert problems(events) == ["case 1, event 2: its content does not match its hash"]


def test_verify_finds_a_tampered_event_that_was_rehashed():
    events = chain(1, 4)
    events[1].details = {"n": 99}
    events[1].hash = events[1].compute_hash()
    assert problems(events) == ["case 1, event 3: does not follow the previous event"]


def test_verify_finds_a_missing_sequence_number():
    events = chain(1, 4)
    del events[1]
    assert problems(events) == [
        "case 1, event 3: expected event 2",
        "case 1, event 3: does not follow the previous event",
    ]


def test_verify_finds_a_missing_first_event():
    events = chain(1, 3)[1:] + chain(2, 2)
    assert problems(events) == [
        "case 1, event 2: expected event 1",
        "case 1, event 2: does not follow the previous event",
    ]


def test_verify_finds_reordered_events():
    events = chain(1, 4)
    events[1], events[2] = events[2], events[1]
    found = problems(events)
    assert "case 1, event 3: expected event 2" in found
    assert "case 1, event 2: expected event 4" in found
    assert "case 1, event 3: does not follow the previous event" in found


def test_verify_finds_an_event_moved_to_another_case():
    first, second = chain(1, 2), chain(2, 2)
    second[1].case_id = 1
    events = first + [second[1]]
    found = problems(events)
    assert "case 1, event 2: does not follow the previous event" in found
    assert "case 1, event 2: its content does not match its hash" in found


def test_verify_checks_anchored_events():
    events = chain(1, 4) + chain(2, 2)
    anchored = {1: (3, events[2].hash), 2: (2, events[5].hash)}
    assert [str(b) for b in timeline.verify(events, anchored, "2026-03-01")] == []
    forged = chain(1, 4, start=datetime(2026, 3, 2, tzinfo=ZoneInfo("UTC")))
    assert [str(b) for b in timeline.verify(forged, anchored, "2026-03-01")] == [
        "case 1, event 3: differs from the anchor of 2026-03-01: the chain was rewritten",
        "case 2, event 2: is missing but the anchor of 2026-03-01 has it",
    ]
