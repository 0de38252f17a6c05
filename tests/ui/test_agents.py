"""The agents grid from the keyboard: pause and unpause with a reason (confirmed, audited),
the rules that refuse it, the board's filters shared, sorting."""

from __future__ import annotations

import json

from tests.ui.conftest import demo_app, wait_for_calls
from tests.ui.listen_helpers import until
from wallboard.core.queues import AgentState
from wallboard.ui.screens.agents import AgentsScreen
from wallboard.ui.screens.pause_confirm import PauseConfirmScreen
from wallboard.ui.widgets.agents_grid import AgentsGrid


def audit_lines(app) -> list[dict]:  # type: ignore[no-untyped-def]
    path = app.service.audit.path
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


async def open_grid(pilot, app) -> AgentsGrid:  # type: ignore[no-untyped-def]
    await wait_for_calls(pilot, app)
    await pilot.press("a")
    await pilot.pause(0.1)
    assert isinstance(app.screen, AgentsScreen)
    return app.screen.query_one(AgentsGrid)


async def put_cursor_on(pilot, grid: AgentsGrid, state: AgentState) -> str:  # type: ignore[no-untyped-def]
    index = next(i for i, r in enumerate(grid.rows) if r.agent.state is state)
    grid.move_to(index)
    await pilot.pause()
    return grid.rows[index].employee.id


async def test_pause_with_a_reason_then_unpause_both_confirmed_and_audited():
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        grid = await open_grid(pilot, app)
        employee_id = await put_cursor_on(pilot, grid, AgentState.AVAILABLE)
        name = app.state.employees[employee_id].name
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, PauseConfirmScreen)
        assert app.screen.query_one("#pause-confirm-title").render().plain == f"Pause {name}?"
        await pilot.press("down", "down", "enter")  # lunch, break, training
        await until(pilot, lambda: app.state.agents[employee_id].state is AgentState.PAUSED)
        agent = app.state.agents[employee_id]
        assert agent.reason == "training" and agent.since == app.clock.now()
        assert isinstance(app.screen, AgentsScreen)
        # the grid takes the pause at its next refresh (later on a loaded machine)
        def row():  # type: ignore[no-untyped-def]
            return next(r for r in grid.rows if r.employee.id == employee_id)

        await until(pilot, lambda: row().agent.reason == "training")
        cell = row()
        assert cell.agent.reason == "training"

        grid.move_to(grid.rows.index(cell))
        await pilot.pause()
        await pilot.press("P")
        await pilot.pause()
        assert app.screen.query_one("#pause-confirm-title").render().plain == \
            f"Unpause {name}?"
        await pilot.press("enter")
        await until(pilot, lambda: app.state.agents[employee_id].state is not AgentState.PAUSED)
    lines = [line for line in audit_lines(app) if line.get("manager_id") == employee_id]
    assert [(line["event"], line["action"], line.get("reason")) for line in lines] == [
        ("requested", "pause", "training"), ("paused", "pause", "training"),
        ("requested", "unpause", None), ("unpaused", "unpause", None)]
    assert {line["by"] for line in lines} == {"board"}


async def test_escape_in_the_confirmation_pauses_nobody():
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        grid = await open_grid(pilot, app)
        employee_id = await put_cursor_on(pilot, grid, AgentState.AVAILABLE)
        await pilot.press("P")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert app.state.agents[employee_id].state is AgentState.AVAILABLE
    assert not [line for line in audit_lines(app) if line.get("manager_id") == employee_id]


async def test_read_only_refuses_before_asking_and_audits_nothing_dialled():
    app = demo_app(calls=40, read_only=True)
    async with app.run_test(size=(160, 45)) as pilot:
        grid = await open_grid(pilot, app)
        employee_id = await put_cursor_on(pilot, grid, AgentState.AVAILABLE)
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, AgentsScreen)  # no confirmation
        assert app.state.agents[employee_id].state is AgentState.AVAILABLE


async def test_the_grid_takes_the_board_s_queue_filter_and_the_board_keeps_it():
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        grid = await open_grid(pilot, app)
        everyone = len(grid.rows)
        await pilot.press("k", *"Billing", "space", "enter")
        await pilot.pause(0.2)
        billing = {e.id for e in app.state.employees.values() if e.department == "Billing"}
        shown = {r.employee.id for r in grid.rows}
        assert shown and shown <= billing and len(grid.rows) < everyone
        assert app.screen.query_one("#agents-filter").render().plain.startswith(
            "⚑ FILTERED — queues: Billing IVR")
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert app.board.table.board_filter.queues == frozenset({"billing-ivr"})
        assert {c.queue_id for c in app.board.table.rows} == {"billing-ivr"}
        await pilot.press("a", "x")
        await pilot.pause(0.2)
        assert len(app.screen.query_one(AgentsGrid).rows) == everyone


async def test_sorting_by_name_then_by_state_then_reversed():
    app = demo_app(calls=40)
    async with app.run_test(size=(160, 45)) as pilot:
        grid = await open_grid(pilot, app)
        names = [r.employee.name.casefold() for r in grid.rows]
        assert names == sorted(names)  # by name: everyone keeps their place
        await pilot.press("s")  # by state: available first, then the longest in it
        await pilot.pause()
        states = [r.agent.state for r in grid.rows]
        assert states == sorted(states, key=list(AgentState).index)
        assert states[0] is AgentState.AVAILABLE
        await pilot.press("S")
        await pilot.pause()
        assert [r.agent.state for r in grid.rows] == states[::-1]
