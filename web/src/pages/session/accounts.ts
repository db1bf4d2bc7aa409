/**
 * The accounts a session's page can show. A session has its default account;
 * an A/B test (`mode: "ab"`, docs/ab-tests.md) adds one account per arm,
 * which the arms report (`GET /v1/sessions/{id}/arms`) names with the arm's
 * label and strategy. A shared session's arms all trade the default account.
 */
import { useState } from "react";

import { useArms } from "./analyticsQueries";
import type { Arm, Arms } from "./analyticsTypes";
import type { SessionView } from "./types";

/** One account of the session, as the page's account choice lists it. */
export interface AccountOption {
  id: string;
  /** `default`, or an arm's label and strategy: `a (sma_crossover)`. */
  label: string;
  /** An arm's daily equity (from the arms report); null for the default account (its portfolio history). */
  equity: Arm["equity"] | null;
}

/** The default account first, then each arm's own account, in the arms' order. */
export function accountOptions(session: SessionView, arms: Arms | null | undefined): AccountOption[] {
  const options: AccountOption[] = [{ id: session.default_account_id, label: "default", equity: null }];
  for (const arm of arms?.arms ?? []) {
    if (!options.some((option) => option.id === arm.account_id)) {
      options.push({ id: arm.account_id, label: `${arm.label} (${arm.strategy})`, equity: arm.equity });
    }
  }
  return options;
}

/** What the page shows first: an A/B test's first arm (its default account usually holds nothing), else the default account. */
export function firstAccount(session: SessionView, arms: Arms | null | undefined): string {
  const first = arms?.mode === "ab" ? arms.arms[0] : undefined;
  return first?.account_id ?? session.default_account_id;
}

export interface AccountChoice {
  /** Every account of the session; more than one: the page offers the choice. */
  options: AccountOption[];
  /** The chosen account; undefined while a session without a single strategy's arms are being read. */
  account: AccountOption | undefined;
  choose: (accountId: string) => void;
}

/**
 * The account the page shows, chosen by the operator among the session's.
 * A session running one strategy has one account and is shown at once; one
 * without (several strategies, or traded by hand) waits for its arms report
 * (a 404 for one that has none), so that nothing is read from an account
 * the page is about to leave.
 */
export function useAccountChoice(session: SessionView): AccountChoice {
  const arms = useArms(session.id);
  const [chosen, setChosen] = useState<string | null>(null);
  const report = arms.data;
  const options = accountOptions(session, report);
  const waiting = session.strategy === null && arms.isPending;
  const id = options.some((option) => option.id === chosen) ? chosen : firstAccount(session, report);
  return {
    options,
    account: waiting ? undefined : options.find((option) => option.id === id),
    choose: setChosen,
  };
}
