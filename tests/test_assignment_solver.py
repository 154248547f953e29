"""The round's proposed assignment is optimal: on 500 cases and 30 assessors
with random conflicts, capacities and existing workloads, it breaks no
conflict, keeps every capacity, never makes one person both assessors of a
case, assigns as many as can be assigned, and its largest workload is the
optimum found independently: an integer program that minimises the largest
workload directly (no flows, no search); and the workloads are as even as
they can be (the least sum of their squares, by another integer program)."""

import random

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from assessments.services.assignment import Need, solve

CASES, ASSESSORS = 500, 30


def instance(seed, capacity_range):
    rng = random.Random(seed)
    people = list(range(1000, 1000 + ASSESSORS))
    capacities = {person: rng.randint(*capacity_range) for person in people}
    loads = {person: rng.randint(0, 4) for person in people if rng.random() < 0.5}
    needs = []
    for case_id in range(1, CASES + 1):
        conflicted = {person for person in people if rng.random() < 0.12}
        roll = rng.random()
        if roll < 0.3:  # an ASG with neither assessor yet
            count, on_case = 2, set()
        elif roll < 0.4:  # an ASG whose assessor is assigned: a second only
            count, on_case = 1, {rng.choice(people)}
        else:
            count, on_case = 1, set()
        needs.append(Need(case_id, count, frozenset(set(people) - conflicted - on_case)))
    return needs, loads, capacities


def independent_optimum(needs, loads, capacities):
    """(most cases assignable, least largest workload for that many), by two
    integer programs over x[case, assessor] and the largest workload L."""
    people = sorted(capacities)
    pairs = [
        (c, p)
        for c, need in enumerate(needs)
        for p, person in enumerate(people)
        if person in need.allowed
    ]
    n = len(pairs)
    rows_case = [c for c, _ in pairs]
    rows_person = [p for _, p in pairs]
    load = np.array([loads.get(person, 0) for person in people])
    capacity = np.array([capacities[person] for person in people])
    counts = np.array([need.count for need in needs])
    per_case = coo_array((np.ones(n), (rows_case, range(n))), shape=(len(needs), n + 1))
    per_person = coo_array((np.ones(n), (rows_person, range(n))), shape=(len(people), n + 1))
    within = [
        LinearConstraint(per_case, 0, counts),
        LinearConstraint(per_person, 0, np.maximum(0, capacity - load)),
    ]
    integral = np.ones(n + 1)
    most = milp(
        np.concatenate([-np.ones(n), [0]]),
        integrality=integral,
        bounds=Bounds(0, np.concatenate([np.ones(n), [0]])),
        constraints=within,
    )
    assert most.success
    assigned = round(-most.fun)
    # per assessor: load + their cases - L <= 0
    with_l = coo_array(
        (
            np.concatenate([np.ones(n), -np.ones(len(people))]),
            (
                np.concatenate([rows_person, range(len(people))]),
                np.concatenate([range(n), np.full(len(people), n)]),
            ),
        ),
        shape=(len(people), n + 1),
    )
    total = coo_array((np.ones(n), (np.zeros(n), range(n))), shape=(1, n + 1))
    least = milp(
        np.concatenate([np.zeros(n), [1]]),
        integrality=integral,
        bounds=Bounds(0, np.concatenate([np.ones(n), [np.inf]])),
        constraints=[
            *within,
            LinearConstraint(with_l, -np.inf, -load),
            LinearConstraint(total, assigned, assigned),
        ],
    )
    assert least.success
    return assigned, max(round(least.fun), int(load.max(initial=0)))


def least_sum_of_squares(needs, loads, capacities, assigned):
    """The least sum of squared workloads with ``assigned`` assessments made:
    a minimum-cost flow written as an integer program, where an assessor's
    k-th case costs 2k - 1 (so their cost is their workload squared)."""
    people = sorted(capacities)
    pairs = [
        (c, p)
        for c, need in enumerate(needs)
        for p, person in enumerate(people)
        if person in need.allowed
    ]
    load = np.array([loads.get(person, 0) for person in people])
    room = np.maximum(0, np.array([capacities[person] for person in people]) - load)
    unit_person = np.repeat(np.arange(len(people)), room)
    unit_cost = np.concatenate(
        [2 * (load[i] + np.arange(1, r + 1)) - 1 for i, r in enumerate(room)]
    )
    n, units = len(pairs), len(unit_person)
    columns = np.arange(n + units)
    per_case = coo_array(
        (np.ones(n), ([c for c, _ in pairs], columns[:n])), shape=(len(needs), n + units)
    )
    balance = coo_array(
        (
            np.concatenate([np.ones(n), -np.ones(units)]),
            (np.concatenate([[p for _, p in pairs], unit_person]), columns),
        ),
        shape=(len(people), n + units),
    )
    total = coo_array((np.ones(n), (np.zeros(n), columns[:n])), shape=(1, n + units))
    result = milp(
        np.concatenate([np.zeros(n), unit_cost]),
        integrality=np.ones(n + units),
        bounds=Bounds(0, 1),
        constraints=[
            LinearConstraint(per_case, 0, [need.count for need in needs]),
            LinearConstraint(balance, 0, 0),
            LinearConstraint(total, assigned, assigned),
        ],
    )
    assert result.success
    return round(result.fun) + int((load**2).sum())


@pytest.mark.parametrize(
    ("seed", "capacity_range"),
    [(1, (15, 45)), (2, (20, 30)), (3, (3, 20))],
    ids=["room-for-all", "even-capacities", "too-little-room"],
)
def test_the_proposal_is_optimal_and_breaks_no_rule(seed, capacity_range):
    needs, loads, capacities = instance(seed, capacity_range)
    solution = solve(needs, loads, capacities)

    final = {person: loads.get(person, 0) for person in capacities}
    for need in needs:
        chosen = solution.chosen[need.case_id]
        assert set(chosen) <= need.allowed, "a conflict (or a person already on it) is broken"
        assert len(set(chosen)) == len(chosen), "one person is both assessors of a case"
        assert len(chosen) <= need.count
        for person in chosen:
            final[person] += 1
    for person, capacity in capacities.items():
        assert final[person] <= max(capacity, loads.get(person, 0)), "a capacity is broken"
    assigned = sum(len(chosen) for chosen in solution.chosen.values())

    most, least_largest = independent_optimum(needs, loads, capacities)
    assert assigned == solution.assigned == most
    assert max(final.values()) == solution.largest == least_largest
    # Below the largest, the workloads are as even as they can be.
    squares = sum(value**2 for value in final.values())
    assert squares == least_sum_of_squares(needs, loads, capacities, most)
    if seed == 3:
        assert most < solution.wanted, "this instance cannot assign every case"
    else:
        assert most == solution.wanted


def test_a_greedy_choice_would_leave_a_case_unassigned():
    """Case 1 may go to either assessor, case 2 only to the first; each takes
    one case. Assigning case 1 first to the least loaded (the first) strands
    case 2; the optimum gives both."""
    needs = [Need(1, 1, frozenset({10, 20})), Need(2, 1, frozenset({10}))]
    solution = solve(needs, {}, {10: 1, 20: 1})
    assert solution.chosen == {1: [20], 2: [10]}
    assert solution.largest == 1


def test_loads_are_spread_evenly_below_the_largest():
    """Existing workloads count: the new cases go to those with less."""
    needs = [Need(case, 1, frozenset({10, 20, 30})) for case in range(1, 7)]
    solution = solve(needs, {10: 4}, {10: 10, 20: 10, 30: 10})
    taken = [person for chosen in solution.chosen.values() for person in chosen]
    assert taken.count(10) == 0
    assert taken.count(20) == taken.count(30) == 3
    assert solution.largest == 4


def test_nothing_to_assign():
    solution = solve([], {10: 2}, {10: 5})
    assert solution.chosen == {}
    assert solution.largest == 2
    assert solution.assigned == solution.wanted == 0
