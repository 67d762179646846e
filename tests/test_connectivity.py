"""The connectivity monitor: 2 bad of the last 5 -> offline, a clean window -> online."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from posapp.core.clock import ManualClock
from posapp.core.connectivity import ConnectivityMonitor
from posapp.core.settings import ConnectivitySettings


def _monitor():
    return ConnectivityMonitor(ConnectivitySettings(slow_request_s=2.0), ManualClock())


def test_one_failure_is_not_enough_two_of_five_are():
    m = _monitor()
    m.record(False, 0.1)
    for _ in range(3):
        m.record(True, 0.1)
    assert m.online
    m.record(False, 0.1)  # second failure inside the last five
    assert not m.online


def test_failures_spread_wider_than_the_window_do_not_switch():
    m = _monitor()
    for _ in range(3):
        m.record(False, 0.1)
        for _ in range(4):
            m.record(True, 0.1)
    assert m.online


def test_slow_answers_count_as_failures():
    m = _monitor()
    m.record(True, 2.5)
    m.record(True, 3.0)
    assert not m.online


def test_back_online_only_when_the_window_is_clean():
    m = _monitor()
    m.record(False, 0.1)
    m.record(False, 0.1)
    for _ in range(4):
        m.record(True, 0.1)
        assert not m.online
    m.record(True, 0.1)
    assert m.online


def test_forced_sync_brings_it_online_at_once():
    m = _monitor()
    m.force_offline()
    assert not m.online
    when = datetime(2026, 11, 26, 10, tzinfo=UTC)
    m.synced(when)
    assert m.online and m.state.last_good_sync == when
    m.record(False, 0.1)
    assert m.online  # the window was refilled clean


def test_subscribers_see_each_change_once():
    m = _monitor()
    seen = []
    unsubscribe = m.subscribe(seen.append)
    m.record(False, 0.1)
    m.record(False, 0.1)
    oldest = datetime(2026, 11, 26, 8, tzinfo=UTC)
    m.update_queue(3, 1500, oldest, 1)
    m.update_queue(3, 1500, oldest, 1)  # no change, no call
    unsubscribe()
    m.synced()
    assert [s.online for s in seen] == [False, False]
    assert seen[-1].pending_count == 3 and seen[-1].open_conflicts == 1
    age = seen[-1].oldest_pending_age_s(oldest + timedelta(minutes=5))
    assert age == 300.0


def test_two_threads_changing_the_state_never_leave_a_listener_behind():
    """Thread A goes offline and its delivery is slow; meanwhile thread B's sync puts the till
    online. The listeners must end on B's state (online), as the monitor does."""
    import threading

    m = _monitor()
    m.record(False, 0.1)
    hold, entered = threading.Event(), threading.Event()

    def slow_first(state):
        if not state.online and not entered.is_set():
            entered.set()
            hold.wait(5)

    seen = []
    m.subscribe(slow_first)
    m.subscribe(seen.append)
    a = threading.Thread(target=m.record, args=(False, 0.1))  # 2 of 5: offline
    a.start()
    assert entered.wait(5)
    b = threading.Thread(target=m.synced)
    b.start()
    b.join(0.3)
    hold.set()
    a.join(5)
    b.join(5)
    assert m.online
    assert seen and seen[-1] == m.state


def test_a_failing_listener_does_not_break_the_caller_or_the_others():
    m = _monitor()
    seen = []

    def broken(state):
        raise RuntimeError("a listener bug")

    m.subscribe(broken)
    m.subscribe(seen.append)
    m.record(False, 0.1)
    m.record(False, 0.1)  # must not raise into the API client or sync
    m.synced()
    assert [s.online for s in seen] == [False, True]


def test_an_answer_exactly_at_the_slow_threshold_is_not_slow():
    m = _monitor()  # slow = 2.0 s
    for _ in range(5):
        m.record(True, 2.0)
    assert m.online
    m.record(True, 2.001)
    m.record(True, 2.001)
    assert not m.online
