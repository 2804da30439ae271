"""Plain-language reports: what was tested, deltas with intervals, changes, what next."""

from __future__ import annotations

from selflearn.agents.manager import (
    CampaignReport,
    CampaignSummary,
    ProposalSummary,
    StatusSummary,
    render_campaign,
    render_proposals,
    render_report,
    render_status,
)
from selflearn.agents.manager._format import format_delta
from tests.agents.manager_fakes import sample_report


def test_report_has_every_section_in_order():
    text = render_report(sample_report())
    order = [
        "Report on campaign c-1 (offline providers)",
        "What was tested:",
        "What changed:",
        "Hypotheses rejected:",
        "What to try next:",
    ]
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)


def test_report_names_hypotheses_verdicts_and_deltas_with_intervals():
    text = render_report(sample_report())
    assert "min_relevance_0_vs_0.3: dropping weak memories stops the responder" in text
    assert "(retrieval.min_relevance 0.0 \u2192 0.3)" in text
    assert "the variant won after 40 paired episodes." in text
    assert "hallucination_rate \u22122.1 pts [\u22123.0, \u22121.2]" in text
    assert "recall \u22120.4 pts [\u22121.1, +0.3] (guardrail)" in text
    assert "latency_ms_p95 +1.5 ms [\u22120.5, +3.5] (side effect)" in text
    assert "was inconclusive after 40 paired episodes; about 60 more episodes would decide" in text


def test_report_says_what_changed_and_why_and_what_next():
    text = render_report(sample_report())
    assert (
        "version 8 activated (replacing version 7) because min_relevance 0.3 cut "
        "hallucinations by 2.1 pts at no recall cost" in text
    )
    assert "[experiment min_relevance_0_vs_0.3]" in text
    assert "  - a larger top_k lowers hallucinations (it raised them)" in text
    assert "  - try the v2-grounded prompt" in text


def test_online_reports_carry_no_offline_label():
    assert "offline" not in render_report(sample_report(offline=False))


def test_an_empty_report_says_so_plainly():
    text = render_report(CampaignReport(campaign_id="c-9", offline=False))
    assert "  - nothing yet" in text
    assert "  - no parameter version was activated" in text
    assert "Hypotheses rejected" not in text


def test_pending_proposals_appear_in_the_report():
    report = sample_report().model_copy(
        update={"pending_proposals": [ProposalSummary(id=5, summary="switch the prompt")]}
    )
    assert "Waiting for your decision:\n  - #5 switch the prompt" in render_report(report)


def test_deltas_use_each_metric_unit():
    assert format_delta("cost_per_probe_usd", -0.00012, -0.0002, -0.00004) == (
        "cost_per_probe_usd \u22120.00012 USD [\u22120.00020, \u22120.00004]"
    )
    assert format_delta("tokens_per_probe", -120, -150, -90) == (
        "tokens_per_probe \u2212120 tokens [\u2212150, \u221290]"
    )
    assert format_delta("recall", 0.03, None, None) == "recall +3.0 pts"


def test_campaign_status_and_proposal_renderings():
    summary = CampaignSummary(campaign_id="c-2", episodes=40, experiments=2, winners=1,
                              losers=1, activated_version=9, offline=False)  # fmt: skip
    text = render_campaign(summary)
    assert text.startswith("Campaign c-2 finished.")
    assert "2 experiment(s) over 40 episodes: 1 won, 1 lost, 0 inconclusive." in text
    assert "Version 9 is now active." in text
    status = render_status(StatusSummary(active_version=9, recent_metrics={"recall": 0.71}))
    assert "No goal yet" in status and "recall 71 %" in status
    assert render_proposals([]) == "No proposal is waiting for your decision."
    decided = ProposalSummary(id=1, summary="x", status="approved")
    assert render_proposals([decided]) == "No proposal is waiting for your decision."


def test_a_mixed_set_up_names_each_role_and_its_spending():
    report = sample_report().model_copy(
        update={
            "offline": False,
            "models": {
                "manager": "offline",
                "responder": "openai-compatible llama3.1 at http://localhost:11434/v1",
            },
            "usage": {
                "responder": {
                    "calls": 40, "errors": 1, "retries": 3, "prompt_tokens": 900,
                    "completion_tokens": 100, "cost_usd": 0.0021,
                }
            },  # fmt: skip
            "stop_reason": "cost budget reached: $0.0021 spent of $0.0020 (--max-cost-usd)",
        }
    )
    text = render_report(report)
    assert "(offline providers)" not in text
    assert "Models: manager offline; responder openai-compatible llama3.1" in text
    assert "responder: 40 calls, 1 errors, 3 retries, 1000 tokens, $0.0021" in text
    assert "Stopped early: cost budget reached" in text
