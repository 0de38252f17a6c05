from __future__ import annotations

from datetime import timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.support.sources import ScriptedSource
from tests.ui.conftest import FROZEN, demo_app, wait_for_calls
from tests.ui.scripted import scripted_app
from wallboard.config import Config, ConfigError, UiConfig
from wallboard.core.clock import ManualClock
from wallboard.core.events import CallEnded, CallUpserted, Snapshot
from wallboard.core.models import Call, CallStatus, CallType, Employee
from wallboard.core.view import SortKey
from wallboard.factory import create_app
from wallboard.ui.app import WallboardApp
from wallboard.ui.screens.help import HelpScreen
from wallboard.ui.screens.picker import PickerScreen
from wallboard.ui.widgets.counters import Counter, CountersBar


def counter(app, name: str) -> str:  # type: ignore[no-untyped-def]
    return app.board.query_one(CountersBar).values[name.replace("-", "_")]


async def test_board_shows_every_call():
    app = demo_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        assert {c.id for c in app.board.table.rows} == set(app.state.calls)


def shown_counters(app: WallboardApp) -> tuple[str, ...]:
    """What the six counters show on screen: total, waiting, …incoming, talking,
    …incoming, longest wait."""
    return tuple(widget.render_line(1).text.strip() for widget in app.board.query(Counter))


async def pick(pilot: Pilot[None], key: str, *words: str) -> None:
    """Open a filter picker, search each word and toggle the first match, apply."""
    await pilot.press(key)
    for word in words:
        pilot.app.screen.query_one(Input).value = ""
        await pilot.press(*word)
        await pilot.pause()
        await pilot.press("space")
    await pilot.press("enter")
    await pilot.pause()


# The scripted call center (tests/ui/scripted.py), worked out by hand; started ... ago:
#   c101 in ringing  queue          40 s    c105 in  on hold Bob (Sales)      305 s
#   c102 in ringing  Eve (Sales)    25 s    c106 callback    Cid (Support)     64 s
#   c103 out ringing Cid (Support)  12 s    c107 out talking Bob (Sales)       24 s
#   c104 in talking  Ann (Sales)   103 s    c108 in talking  Cid (Support)   3709 s
# counters: total, waiting, of which incoming, talking, of which incoming, longest wait;
# rows oldest first
COUNTER_CASES = [
    ("no filter", [], [],
     ("8", "3", "2", "5", "3", "0:40"), ["c108", "c105", "c104", "c106", "c101", "c102",
                                         "c107", "c103"]),
    ("employees Eve and Ann", ["Eve", "Ann"], [],
     ("2", "1", "1", "1", "1", "0:25"), ["c104", "c102"]),
    ("department Sales", [], ["Sales"],
     ("4", "1", "1", "3", "2", "0:25"), ["c105", "c104", "c102", "c107"]),
    ("department Support", [], ["Support"],
     ("3", "1", "0", "2", "1", "0:12"), ["c108", "c106", "c103"]),
    ("employees Cid and Ann, department Support", ["Cid", "Ann"], ["Support"],
     ("3", "1", "0", "2", "1", "0:12"), ["c108", "c106", "c103"]),
    ("employee Ann, department Support: none match", ["Ann"], ["Support"],
     ("0", "0", "0", "0", "0", "0:00"), []),
]


@pytest.mark.parametrize(("employees", "departments", "counters", "rows"),
                         [case[1:] for case in COUNTER_CASES],
                         ids=[case[0] for case in COUNTER_CASES])
async def test_counters_of_a_scripted_call_center_under_each_filter(
        employees, departments, counters, rows):
    app, _ = scripted_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        if employees:
            await pick(pilot, "slash", *employees)
        if departments:
            await pick(pilot, "d", *departments)
        table = app.board.table
        assert [c.id for c in table.rows] == rows
        assert shown_counters(app) == counters
        filtered = bool(employees or departments)
        assert app.board.query_one(CountersBar).has_class("-filtered") is filtered
        if not rows:
            assert "No calls match the filters" in table.render_line(1).text


async def test_filter_by_employees_type_to_search_space_toggles_then_clear():
    app = demo_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        table = app.board.table
        # space toggles, so a supervisor searches by one word, e.g. the surname
        surnames = [e.name.split()[-1] for e in app.state.employees.values()]

        def surname(call):  # type: ignore[no-untyped-def]
            return app.state.employees[call.employee_id].name.split()[-1]

        first, second = [c for c in table.rows
                         if c.employee_id and surnames.count(surname(c)) == 1][:2]
        names = [surname(c) for c in (first, second)]
        await pilot.press("slash")
        assert isinstance(app.screen, PickerScreen)
        for name in names:
            app.screen.query_one("Input").value = ""
            await pilot.press(*name)
            await pilot.pause()
            await pilot.press("space")
        await pilot.press("enter")
        await pilot.pause()
        chosen = {first.employee_id, second.employee_id}
        assert table.board_filter.employees == chosen
        assert table.rows and {c.employee_id for c in table.rows} <= chosen
        assert counter(app, "total") == str(len(table.rows))
        assert app.screen.query_one("#filter-line").display
        assert "FILTERED" in str(app.screen.query_one("#filter-line").render())
        await pilot.press("x")
        await pilot.pause()
        assert not table.board_filter.active
        assert len(table.rows) == len(app.state.calls)
        assert counter(app, "total") == str(len(app.state.calls))
        assert not app.screen.query_one("#filter-line").display


async def test_escape_cancels_the_picker_without_changing_the_filter():
    app = demo_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("slash", "space", "escape")
        await pilot.pause()
        assert not app.board.table.board_filter.active


async def test_filter_by_department():
    app = demo_app(calls=60)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("d")
        await pilot.press(*"Sales")
        await pilot.pause()
        await pilot.press("space", "enter")
        await pilot.pause()
        table = app.board.table
        assert table.board_filter.departments == {"Sales"}
        assert table.rows
        assert all(app.state.department_of(c) == "Sales" for c in table.rows)
        assert len(table.rows) < len(app.state.calls)


async def test_copy_client_and_business_number_of_the_selected_call():
    app = demo_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("down", "down")
        call = app.board.table.cursor_call
        assert call is app.board.table.rows[2]
        await pilot.press("c")
        assert app.clipboard == call.client_number
        await pilot.press("b")
        assert app.clipboard == call.business_number


async def test_sort_cycles_columns_and_reverses():
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for_calls(pilot, app)
        table = app.board.table
        assert table.sort_key is SortKey.STARTED  # oldest first
        starts = [c.created_at for c in table.rows]
        assert starts == sorted(starts)
        await pilot.press("s", "s", "s", "s", "s")  # -> type, employee, department, status, client
        assert table.sort_key is SortKey.CLIENT
        numbers = [c.client_number for c in table.rows]
        assert numbers == sorted(numbers)
        await pilot.press("S")
        assert [c.client_number for c in table.rows] == sorted(numbers, reverse=True)
        await pilot.press("s", "s")  # -> business -> waiting (longest first)
        assert table.sort_key is SortKey.WAITING
        waits = [c.waiting_seconds(FROZEN) for c in table.rows]
        assert waits == sorted(waits)  # reversed: shortest first


def mk(cid: str, created_offset: float, status=CallStatus.TALKING, employee="e1") -> Call:
    created = FROZEN - timedelta(seconds=created_offset)
    return Call(id=cid, type=CallType.INCOMING, status=status, employee_id=employee,
                client_number=f"+48 500 000 {cid[-3:]}", created_at=created,
                answered_at=created + timedelta(seconds=5) if status is not CallStatus.RINGING
                else None)


async def test_cursor_stays_on_its_call_while_others_come_and_go():
    calls = tuple(mk(f"c{i:03d}", 100 + i) for i in range(10))
    source = ScriptedSource(Snapshot(calls=calls, employees=(Employee(id="e1", name="Ann"),)))
    clock = ManualClock(FROZEN)
    app = create_app(Config(ui=UiConfig(refresh_seconds=0.05)), source=source, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_calls(pilot, app)
        table = app.board.table
        await pilot.press("down", "down", "down")
        target = table.cursor_call
        assert target is not None
        before = table.cursor
        # calls that sort above the target arrive, one above it ends
        source.push(*(CallUpserted(call=mk(f"n{i:03d}", 500 + i)) for i in range(5)),
                    CallEnded(call_id=table.rows[0].id))
        await pilot.pause(0.2)
        assert table.cursor_call is not None and table.cursor_call.id == target.id
        assert table.cursor == before + 4
        # the selected call ends: the cursor stays on the same row index
        index = table.cursor
        source.push(CallEnded(call_id=target.id))
        await pilot.pause(0.2)
        assert table.cursor == index
        assert table.cursor_call is not None and table.cursor_call.id != target.id


async def test_waiting_too_long_stands_out_and_ticks():
    ringing = mk("c001", 10, status=CallStatus.RINGING)
    source = ScriptedSource(Snapshot(calls=(ringing,), employees=(Employee(id="e1", name="Ann"),)))
    clock = ManualClock(FROZEN)
    app = create_app(Config(ui=UiConfig(wait_warning_seconds=30)), source=source, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_calls(pilot, app)
        table = app.board.table
        assert "0:10" in table.render_line(1).text and "!" not in table.render_line(1).text
        clock.advance(25)
        await pilot.pause(1.2)  # one tick
        assert "! 0:35" in table.render_line(1).text


async def test_help_lists_the_keys_and_escape_closes_it():
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("DataTable")
        actions = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert {"Employees", "Department", "Clear filters", "Sort", "Reverse",
                "Copy client", "Copy business no.", "Quit"} <= actions
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_every_action_is_in_the_command_palette():
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_calls(pilot, app)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Employees", "Department", "Clear filters", "Sort", "Reverse",
                "Copy client", "Copy business no.", "Help"} <= titles


async def test_keys_are_remappable_from_the_config():
    clock = ManualClock(FROZEN)
    config = Config(keys={"board.sort_next": "o"})
    from wallboard.sources.demo import DemoSource

    app = create_app(config, source=DemoSource(clock=clock, seed=3), clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_calls(pilot, app)
        await pilot.press("o")
        assert app.board.table.sort_key is SortKey.TYPE


def test_an_unknown_key_binding_id_is_a_config_error():
    with pytest.raises(ConfigError, match="keys.board.nope: unknown key binding id"):
        create_app(Config(keys={"board.nope": "o"}))


@pytest.mark.parametrize("width", [80, 100, 120, 160, 200, 320])
async def test_columns_drop_by_priority_and_never_cut_a_title(width):
    from wallboard.ui.widgets.columns import COLUMNS

    app = demo_app(calls=40)
    async with app.run_test(size=(width, 30 if width < 320 else 90)) as pilot:
        await wait_for_calls(pilot, app)
        header = app.board.table.render_line(0).text
        shown = [c for c in COLUMNS if c.title in header]
        assert {c.title for c in shown} >= {"Waiting", "Status", "Employee"}
        dropped = [c for c in COLUMNS if c not in shown]
        if dropped:  # every dropped column drops before every shown one
            assert min(c.drop_order for c in dropped) >= max(c.drop_order for c in shown)
        if width >= 160:
            assert not dropped
        mark = {80: "+3", 100: "+2", 120: "+1 hidden"}.get(width, "")
        assert header.rstrip().endswith(mark)  # how many columns this width hides
        assert len(dropped) == int(mark.split()[0] or 0) if mark else not dropped
        words = header.removesuffix(" ").rstrip().removesuffix(mark).split()
        titles = " ".join(c.title for c in shown).split()
        assert [w for w in words if w not in ("▲", "▼")] == titles


async def test_the_one_second_tick_is_set_up_once(monkeypatch):
    """Textual calls on_mount for every class that defines it: the board's own on_mount
    must not call the live screen's again, or the board would tick twice a second."""
    from wallboard.ui.screens.live import LiveScreen

    set_up = []
    original = LiveScreen.on_mount

    def on_mount(screen: LiveScreen) -> None:
        set_up.append(screen.id)
        original(screen)

    monkeypatch.setattr(LiveScreen, "on_mount", on_mount)
    app, _ = scripted_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_calls(pilot, app)
        assert set_up == ["board"]
    kiosk, _ = scripted_app(kiosk=True)
    async with kiosk.run_test(size=(120, 30)) as pilot:
        await wait_for_calls(pilot, kiosk)
        assert set_up == ["board", "kiosk"]
