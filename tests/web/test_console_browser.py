"""The console in a real browser: log in, set a goal in the chat, run a campaign and watch it
finish, approve a proposal and see the campaign resume, roll back a version."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from browser import chromium, missing_browser, served
from owner_fixtures import active_number, pending_proposal, small_scenarios, waiting_campaign

from selflearn.graph import CampaignOptions
from selflearn.store import session_scope
from selflearn.tuner import approve_proposal
from selflearn.web import create_app

reason = missing_browser()
if reason is not None:
    pytest.skip(f"browser tests skipped: {reason}", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    return small_scenarios(tmp_path_factory.mktemp("scenarios"))


@pytest.fixture(scope="module")
def base_url(components, service, scenarios):
    defaults = CampaignOptions(scenarios=(str(scenarios),), budget=6, holdout_seeds=1)
    with served(create_app(components, student=service, campaign_defaults=defaults)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser, base_url, tokens) -> Page:
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.fill("input[name=token]", tokens["admin"])
    page.click("button[type=submit]")
    expect(page.locator("header .who")).to_contain_text("admin")
    yield page
    context.close()


def test_log_in_and_set_a_goal_in_the_chat(page):
    page.click("nav >> text=Manager")
    page.fill("#chat-form input[name=message]", "raise recall by 5 % without raising latency")
    page.click("#chat-form button[type=submit]")
    card = page.locator("#pending-card")
    expect(card).to_be_visible()
    expect(card.locator(".question")).to_contain_text("recall")
    card.locator("button[data-say=yes]").click()
    expect(page.locator("#messages .tool", has_text="set_goal")).to_be_visible()
    expect(card).to_be_hidden()
    page.reload()  # the conversation is stored: it is still there
    expect(page.locator("#messages .tool", has_text="set_goal")).to_be_visible()


def test_start_a_small_campaign_and_watch_it_finish(page):
    page.click("nav >> text=Campaigns")
    page.fill("input[name=budget]", "6")
    page.fill("input[name=seed]", "4")
    page.click("form[action='/campaigns/start'] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/campaigns/c-"))
    expect(page.locator("#campaign-status")).to_have_text("completed", timeout=240_000)
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.locator("h2", has_text="Report")).to_be_visible()


def test_approve_a_proposal_and_see_the_campaign_resume(
    page, database, scenarios, service, components
):
    campaign_id, proposal_id = waiting_campaign(database, scenarios, service, components)
    page.click("nav >> text=Approvals")
    card = page.locator(f"#proposal-{proposal_id}")
    expect(card).to_contain_text("recency")
    expect(card).to_contain_text(campaign_id)
    card.locator("input[name=reason]").fill("the evidence holds")
    card.locator("button[value=approve]").click()
    expect(page).to_have_url(re.compile(f"/campaigns/{campaign_id}"))
    expect(page.locator("#campaign-status")).to_have_text("completed", timeout=240_000)


def test_roll_back_a_version(page, database):
    with session_scope(database.engine) as session:  # a version with a parent to return to
        approve_proposal(pending_proposal(database), session=session, now=datetime.now(UTC))
    before = active_number(database)
    page.click("nav >> text=Parameters")
    expect(page.locator("h2", has_text=f"Version {before}")).to_be_visible()
    page.fill("form[action='/parameters/rollback'] input[name=reason]", "answers got worse")
    page.click("form[action='/parameters/rollback'] button[type=submit]")
    expect(page.locator(".pill.active").first).to_be_visible()
    after = active_number(database)
    assert after != before
    expect(page.locator("h2", has_text=f"Version {after}")).to_be_visible()
    page.goto(f"/parameters?version={before}")
    expect(page.locator("h2", has_text=f"Version {before}")).to_contain_text("rolled_back")
