/**
 * Planning: the reverse funnel from a revenue target to the MQLs, SQLs, opportunities and won
 * deals needed a week, at the rates Baton measures (METRICS.md, through computeMetric only).
 *
 * Decisions on periods and the trailing window (why they are what they are):
 * - Periods are calendar months or quarters of the workspace zone (`this-month`, `next-month`,
 *   `this-quarter`, `next-quarter`) or a range `YYYY-MM-DD..YYYY-MM-DD` whose second date is
 *   excluded, like every Baton period ([from, to), METRICS.md). A period that has ended is
 *   refused: there is nothing left to plan.
 * - A period that has begun is planned from now to its end: the revenue already won in it
 *   (`pipeline-coverage`'s `revenue` over [from, now)) comes off the target, and the remaining
 *   weeks carry the rest. Plans count weeks as calendar days ÷ 7 and lay them out in Monday-start
 *   weeks of the zone (METRICS.md's weeks), a stub week carrying its fraction.
 * - Rates come from one trailing window ending now (default 180 days, `--trailing-days`), the
 *   same window for every rate and every group: long enough to hold a B2B sales cycle's closes,
 *   short enough to follow a change of the funnel. Cohort rates (MQL→SQL, SQL→opportunity) read
 *   the window's cohorts as of now, so the newest cohorts, still converting, pull them down a
 *   little: the plan errs towards asking for more volume, never less. The win rate is decided
 *   (won ÷ closed in the window) and the deal size the mean won amount in the window.
 * - A history younger than the window (Baton's ledger starts the day it is installed) clips the
 *   window to its first record, so weeks nobody recorded do not dilute the MQLs a week; never to
 *   less than 7 days, so a day's arrivals are not extrapolated to a weekly run rate.
 * - The current run rate is the window's MQL events a week pushed through the same rates, so the
 *   gap compares like with like; the run rate assumes MQLs of the plan convert within the period
 *   (no lag for the sales cycle), as the target asks of them.
 * - A breakdown (source or segment) splits the target in the current mix: each group's share of
 *   the groups' run-rate revenue, planned at that group's own rates.
 * - Sensitivity: each rate +5 points (capped at 100 %), deal size +5 %, one at a time.
 */
export * from "./funnel-rates.js";
export * from "./plan-period.js";
export * from "./reverse-funnel.js";
