"""The plan's order on hand-made stops whose best order is known."""

from __future__ import annotations

import itertools

from gridwork.fieldwork.visit_route import Stop, distance_m, nearest_neighbour, path_length, plan_route

# About 85 m per 0.001° of longitude at 40°N; the stops lie on a street running east.
START = (116.600, 39.900)


def stop(key: str, dlon: float, dlat: float = 0.0, *, urgent: bool = False) -> Stop:
    return Stop(key=key, lon=START[0] + dlon, lat=START[1] + dlat, urgent=urgent)


def keys(stops: list[Stop]) -> list[str]:
    return [s.key for s in stops]


def test_distance_is_metres() -> None:
    # 0.001° of latitude is about 111 m everywhere.
    assert 110 < distance_m((116.6, 39.9), (116.6, 39.901)) < 112


def test_stops_along_a_street_are_walked_in_order() -> None:
    stops = [stop("c", 0.003), stop("a", 0.001), stop("d", 0.004), stop("b", 0.002)]
    assert keys(plan_route(START, stops)) == ["a", "b", "c", "d"]


def test_two_opt_mends_the_nearest_neighbour_detour() -> None:
    # Nearest first goes east to "a", then back west past the start to "w1", "w2", then all the
    # way east again to "e". Best (by trying every order): to the far west end first, back past
    # "w1" (a little off the street) and east once.
    stops = [stop("a", 0.0010), stop("w1", -0.0012, 0.0005), stop("w2", -0.0024), stop("e", 0.0060)]
    greedy = nearest_neighbour(START, stops)
    assert keys(greedy) == ["a", "w1", "w2", "e"]
    planned = plan_route(START, stops)
    assert keys(planned) == ["w2", "w1", "a", "e"]
    best = min(itertools.permutations(stops), key=lambda order: path_length(START, list(order)))
    assert keys(planned) == keys(list(best))
    assert path_length(START, planned) < path_length(START, greedy) - 100


def test_overdue_first_then_the_rest_from_where_the_overdue_end() -> None:
    near = stop("near_due", 0.0005, 0.002)
    far_overdue = stop("far_overdue", 0.005, urgent=True)
    further = stop("further_due", 0.006, 0.002)
    planned = plan_route(START, [near, far_overdue, further])
    assert keys(planned) == ["far_overdue", "further_due", "near_due"]
    assert not any(s.in_passing for s in planned)


def test_a_due_stop_on_the_way_is_done_in_passing() -> None:
    on_the_way = stop("on_the_way", 0.0025, 0.0002)  # about 22 m off the line to the overdue stop
    planned = plan_route(START, [stop("overdue", 0.005, urgent=True), on_the_way, stop("off", 0, 0.01)])
    assert keys(planned) == ["on_the_way", "overdue", "off"]
    assert planned[0].in_passing and not planned[2].in_passing
